import { expect } from 'chai';
import fc from 'fast-check';
import type { ThreatLevel } from '../../src/crdt/index.js';
import { threatLevelOf } from '../../src/workers/classify.js';
import { KNOT } from '../../src/workers/geo.js';
import { DEFAULT_THREAT_HYSTERESIS, holdThreat, NO_THREAT_HYSTERESIS, speedMarginKn, type HeldThreat, type ThreatHysteresis } from '../../src/workers/threatHysteresis.js';

const H = DEFAULT_THREAT_HYSTERESIS;
/** Flying east at `kn`, 50 km west of the origin; `asset` puts a friendly site at the origin (straight ahead). */
const k = (kn: number, headingDeg = 90, y = 0) => ({ x: -50_000, y, vx: kn * KNOT * Math.sin((headingDeg * Math.PI) / 180), vy: kn * KNOT * Math.cos((headingDeg * Math.PI) / 180), speedVar: 25 });
const ASSET = [{ x: 0, y: 0 }];

/** Levels over a sequence of (time s, kinematics) samples, starting from nothing held. */
function levels(samples: readonly { t: number; kin: ReturnType<typeof k> }[], h: ThreatHysteresis, assets: readonly { x: number; y: number }[] = []): ThreatLevel[] {
  let held: HeldThreat | undefined;
  return samples.map(({ t, kin }) => (held = holdThreat(held, kin, assets, t, h)).level);
}

function changes(seq: readonly ThreatLevel[]): number {
  let n = 0;
  for (let i = 1; i < seq.length; i++) if (seq[i] !== seq[i - 1]) n++;
  return n;
}

describe('threat hysteresis', () => {
  it('holds a level while the speed estimate wavers around the band edge', () => {
    // 365, 338, 362, 341, … kn: every sample on the other side of 350 kn from the last, none past the 30 kn margin.
    const samples = Array.from({ length: 120 }, (_, i) => ({ t: i * 2, kin: k(i % 2 === 0 ? 365 - (i % 3) : 338 + (i % 4)) }));
    const held = levels(samples, H);
    expect(new Set(held)).to.deep.equal(new Set(['high']));
    // Without hysteresis the same estimates flap on every sample.
    expect(changes(levels(samples, NO_THREAT_HYSTERESIS))).to.equal(119);
  });

  it('holds medium while the closest approach wavers around 10 km', () => {
    // Heading just past the asset: closest approach 9.5 km, then 10.5 km, alternately (sin θ · 50 km).
    const near = 90 - (Math.asin(9_500 / 50_000) * 180) / Math.PI;
    const far = 90 - (Math.asin(10_500 / 50_000) * 180) / Math.PI;
    const samples = Array.from({ length: 60 }, (_, i) => ({ t: i, kin: k(250, i % 2 === 0 ? near : far) }));
    expect(threatLevelOf(samples[1]!.kin, ASSET), 'the nominal level does flap').to.equal('low');
    expect(new Set(levels(samples, H, ASSET))).to.deep.equal(new Set(['medium']));
  });

  it('takes a small genuine fall after the dwell, not before', () => {
    // 380 kn for a minute, then 335 kn (below 350, not below 320) from t = 60 s on.
    const samples = Array.from({ length: 100 }, (_, i) => ({ t: i, kin: k(i < 60 ? 380 : 335) }));
    const held = levels(samples, H);
    expect(held.slice(0, 70).every((l) => l === 'high'), 'high until 10 s after the fall').to.equal(true);
    expect(held[70]).to.equal('low');
    expect(held.slice(70).every((l) => l === 'low')).to.equal(true);
  });

  it('takes a fall past the margin at once, and a rise past it too', () => {
    const samples = Array.from({ length: 40 }, (_, i) => ({ t: i, kin: k(i < 20 ? 380 : i < 30 ? 300 : 390) }));
    const held = levels(samples, H);
    expect(held[19]).to.equal('high');
    expect(held[20]).to.equal('low');
    expect(held[29]).to.equal('low');
    expect(held[30]).to.equal('high');
  });

  it('restarts the dwell when the estimate comes back to the held level', () => {
    // 8 s below the edge, 1 s back above, 8 s below: never 10 s in a row, so never a change.
    const speeds = [...Array(10).fill(380), ...Array(8).fill(340), 360, ...Array(8).fill(340), 380];
    const held = levels(speeds.map((kn, i) => ({ t: i, kin: k(kn) })), H);
    expect(new Set(held)).to.deep.equal(new Set(['high']));
  });

  it('widens the margin for a track unsure of its speed', () => {
    // σ = 20 m/s (a track just adopted from the document): 2σ ≈ 78 kn, so 300 kn is not yet a clear fall from high.
    const unsure = { ...k(300), speedVar: 400 };
    expect(speedMarginKn(400, H)).to.be.closeTo(77.8, 0.1);
    expect(holdThreat({ level: 'high', awaySince: undefined }, unsure, [], 0, H).level).to.equal('high');
    expect(holdThreat({ level: 'high', awaySince: undefined }, k(300), [], 0, H).level).to.equal('low');
  });

  it('starts from the level a track already holds (the document), not from the estimate', () => {
    // A node that takes the lease adopts a track the document says is high while its estimate is 340 kn.
    const adopted: HeldThreat = { level: 'high', awaySince: undefined };
    expect(holdThreat(adopted, k(340), [], 100, H).level).to.equal('high');
    expect(holdThreat(adopted, k(340), [], 100, NO_THREAT_HYSTERESIS).level).to.equal('low');
  });

  it('never changes more often than the nominal level, and every change follows the dwell or crosses the margin', () => {
    const m = speedMarginKn(25, H);
    expect(m, 'σ = 5 m/s: the fixed margin applies').to.equal(H.speedMarginKn);
    const edgeOf: Record<ThreatLevel, (kn: number) => boolean> = {
      // Whether `kn` is past the held band's edges by the margin (no assets: medium never occurs).
      none: (kn) => kn >= 150 + m - 1e-6,
      low: (kn) => kn <= 150 - m + 1e-6 || kn >= 350 + m - 1e-6,
      medium: (kn) => kn <= 150 - m + 1e-6 || kn >= 350 + m - 1e-6,
      high: (kn) => kn <= 350 - m + 1e-6,
    };
    fc.assert(
      fc.property(fc.array(fc.record({ kn: fc.double({ min: 80, max: 450, noNaN: true }), dt: fc.integer({ min: 1, max: 6 }) }), { minLength: 1, maxLength: 80 }), (steps) => {
        let t = 0;
        const samples = steps.map((s) => ({ t: (t += s.dt), kn: s.kn, kin: k(s.kn) }));
        const nominal = samples.map((s) => threatLevelOf(s.kin, []));
        const held = levels(samples, H);
        expect(changes(held)).to.be.at.most(changes(nominal));
        expect(held[0]).to.equal(nominal[0]);
        let lastChange = 0;
        for (let i = 1; i < samples.length; i++) {
          if (held[i] === held[i - 1]) continue;
          const from = held[i - 1]!;
          expect(held[i], 'a change is to the nominal level').to.equal(nominal[i]);
          // The run of samples since the last change whose nominal level differs from the held one.
          let j = i;
          while (j - 1 > lastChange && nominal[j - 1] !== from) j--;
          const dwelt = samples[i]!.t - samples[j]!.t >= H.dwellS;
          expect(dwelt || edgeOf[from](samples[i]!.kn), `change at ${samples[i]!.t} s from ${from} to ${held[i]}`).to.equal(true);
          lastChange = i;
        }
      }),
      { numRuns: 500, seed: 15 },
    );
  });
});
