import { expect } from 'chai';
import type { Components } from '../../src/crdt/index.js';
import { changedOnly, type SlowParts } from '../../src/workers/slowParts.js';

function fused(confidence: number, over: { major?: number; minor?: number; orientation?: number; sources?: string[]; label?: string } = {}): Components {
  return {
    position: { lat: 52, lon: 4, alt: 8_000 },
    velocity: { speed: 200, heading: 90 },
    fusion: {
      sourceIds: over.sources ?? ['eo-1.Ta', 'radar-1'],
      confidence,
      errorMajorM: over.major ?? 100,
      errorMinorM: over.minor ?? 40,
      errorOrientationDeg: over.orientation ?? 30,
    },
    classification: { label: over.label ?? 'military', confidence: 0.9 },
    threat: { level: 'high' },
  };
}

/** Runs the components through `changedOnly` tick by tick; returns the names written each tick. */
function run(ticks: Components[]): string[][] {
  let written: SlowParts | undefined;
  return ticks.map((c) => {
    const next = changedOnly(written, c);
    written = next.written;
    return Object.keys(next.write).sort();
  });
}

describe('slow parts of a fused track', () => {
  it('writes everything first, then position and velocity only while the rest stays in its band', () => {
    const writes = run([fused(0.85), fused(0.86), fused(0.84)]);
    expect(writes[0]).to.deep.equal(['classification', 'fusion', 'position', 'threat', 'velocity']);
    expect(writes[1]).to.deep.equal(['position', 'velocity']);
    expect(writes[2]).to.deep.equal(['position', 'velocity']);
  });

  it('does not rewrite a confidence that hovers on a rounding step', () => {
    // 0.849 and 0.851 round to different tenths; the band is around the value last written.
    const writes = run([0.849, 0.851, 0.849, 0.851, 0.849].map((c) => fused(c)));
    expect(writes.slice(1).every((w) => !w.includes('fusion'))).to.equal(true);
  });

  it('rewrites the fusion once it leaves the band, measured from what was last written', () => {
    // 0.85 → 0.80 → 0.76: each step is small, but 0.76 is still within 0.1 of 0.85; 0.74 is not.
    const writes = run([0.85, 0.8, 0.76, 0.74].map((c) => fused(c)));
    expect(writes.map((w) => w.includes('fusion'))).to.deep.equal([true, false, false, true]);
  });

  it('rewrites on a 20 % axis change, a 10° turn of an elongated ellipse, or new sources', () => {
    const writes = run([
      fused(0.9),
      fused(0.9, { major: 119 }),
      fused(0.9, { major: 121 }),
      fused(0.9, { major: 121, orientation: 39 }),
      fused(0.9, { major: 121, orientation: 41 }),
      fused(0.9, { major: 121, orientation: 41, sources: ['eo-1.Ta'] }),
    ]);
    expect(writes.map((w) => w.includes('fusion'))).to.deep.equal([true, false, true, false, true, true]);
  });

  it('treats orientations as repeating every 180° and ignores them on a nearly round ellipse', () => {
    const wrapped = run([fused(0.9, { orientation: 178 }), fused(0.9, { orientation: 3 })]);
    expect(wrapped[1]).to.not.include('fusion');
    const round = run([fused(0.9, { major: 100, minor: 95, orientation: 0 }), fused(0.9, { major: 100, minor: 95, orientation: 90 })]);
    expect(round[1]).to.not.include('fusion');
  });

  it('writes a classification whose label changes', () => {
    const writes = run([fused(0.9), fused(0.9, { label: 'aircraft' })]);
    expect(writes[1]).to.include('classification');
  });
});
