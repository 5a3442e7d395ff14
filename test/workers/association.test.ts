import { expect } from 'chai';
import { assignGlobal, assignNearest, type GatedPair } from '../../src/workers/association.js';
import { LocalFrame } from '../../src/workers/geo.js';
import type { Observation } from '../../src/workers/sensors.js';
import { Tracker } from '../../src/workers/Tracker.js';

describe('association (hand-checked)', () => {
  // Track 0 is slightly closer to observation 0, but track 1 can only take observation 0:
  // greedy or nearest-neighbour gives both tracks observation 0; the optimum crosses over.
  const pairs: GatedPair[] = [
    { track: 0, obs: 0, cost: 1 },
    { track: 0, obs: 1, cost: 2 },
    { track: 1, obs: 0, cost: 1.5 },
    { track: 1, obs: 1, cost: 10 },
  ];

  it('global assignment minimises the total cost, one observation per track', () => {
    expect([...assignGlobal(2, 2, pairs, [100, 100])]).to.deep.equal([1, 0]); // 2 + 1.5 < 1 + 10
  });

  it('plain nearest neighbour lets two tracks take the same observation', () => {
    expect([...assignNearest(2, pairs)]).to.deep.equal([0, 0]);
  });

  it('leaves a track unassigned when that is cheaper than the pair', () => {
    // Track 1 would rather miss (cost 1) than take observation 1 (cost 10) after track 0 takes 0.
    expect([...assignGlobal(2, 2, [{ track: 0, obs: 0, cost: 1 }, { track: 1, obs: 1, cost: 10 }], [100, 1])]).to.deep.equal([0, -1]);
  });

  it('solves independent clusters separately and correctly', () => {
    const many: GatedPair[] = [];
    // Three copies of the crossing problem on disjoint tracks and observations.
    for (let k = 0; k < 3; k++) for (const p of pairs) many.push({ track: p.track + 2 * k, obs: p.obs + 2 * k, cost: p.cost });
    expect([...assignGlobal(6, 6, many, new Array(6).fill(100))]).to.deep.equal([1, 0, 3, 2, 5, 4]);
  });
});

const frame = new LocalFrame({ lat: 52, lon: 4, alt: 0 });
let serial = 0;
function plot(sensorId: string, time: number, x: number, y: number, extra: Partial<Observation> = {}): Observation {
  return {
    id: `${sensorId}@${time}#${serial++}`,
    sensorId,
    sensorType: 'radar',
    sourceRef: undefined,
    time,
    position: frame.toGeo(x, y),
    positionCov: { ee: 100, en: 0, nn: 100 },
    velocity: undefined,
    velocityCov: undefined,
    truthId: undefined,
    ...extra,
  };
}
const everywhere = { id: 'radar-1', covers: () => true };

describe('Tracker (hand-checked)', () => {
  it('starts, confirms after three hits, follows a straight target and deletes it after coasting', () => {
    const tracker = new Tracker(frame);
    for (let t = 1; t <= 3; t++) tracker.processScan({ sensor: everywhere, time: t, observations: [plot('radar-1', t, 200 * t, 0)] });
    const [track] = tracker.tracks();
    expect(tracker.size).to.equal(1);
    expect(track!.status).to.equal('confirmed');
    for (let t = 4; t <= 10; t++) tracker.processScan({ sensor: everywhere, time: t, observations: [plot('radar-1', t, 200 * t, 0)] });
    expect(track!.x[2]!).to.be.closeTo(200, 5);
    expect(track!.x[0]!).to.be.closeTo(2_000, 15);
    // No more plots: deleted once it has coasted longer than maxCoastS.
    let deleted: readonly string[] = [];
    for (let t = 11; t <= 25 && deleted.length === 0; t++) deleted = tracker.processScan({ sensor: everywhere, time: t, observations: [] }).deleted;
    expect(deleted).to.deep.equal([track!.id]);
  });

  it('gives the same ids to the same sources on two nodes', () => {
    const run = () => {
      const tracker = new Tracker(frame);
      for (let t = 1; t <= 4; t++) {
        tracker.processScan({ sensor: everywhere, time: t, observations: [plot('radar-1', t, 200 * t, 0, { id: `radar-1@${t}#0` }), plot('radar-1', t, -200 * t, 5_000, { id: `radar-1@${t}#1` })] });
      }
      return tracker.tracks().map((t) => t.id).sort();
    };
    const a = run();
    expect(a).to.have.length(2);
    expect(run()).to.deep.equal(a);
  });

  it('keeps two crossing targets apart with global assignment', () => {
    const tracker = new Tracker(frame);
    // Two targets crossing at right angles through the origin at t = 10; plots every second.
    for (let t = 1; t <= 20; t++) {
      tracker.processScan({ sensor: everywhere, time: t, observations: [plot('radar-1', t, 150 * (t - 10), 0), plot('radar-1', t, 0, 150 * (t - 10))] });
    }
    const tracks = tracker.tracks().filter((t) => t.status === 'confirmed');
    expect(tracks).to.have.length(2);
    const eastbound = tracks.find((t) => t.x[2]! > 100)!;
    const northbound = tracks.find((t) => t.x[3]! > 100)!;
    expect(eastbound, 'a track still heading east').to.not.equal(undefined);
    expect(northbound, 'a track still heading north').to.not.equal(undefined);
    expect(eastbound.x[0]!).to.be.closeTo(1_500, 60);
    expect(northbound.x[1]!).to.be.closeTo(1_500, 60);
  });

  it('de-correlates a sensor track that leaves its fused track, and lets it start its own', () => {
    const tracker = new Tracker(frame);
    const eo = { id: 'eo-1', covers: () => true };
    const eoObs = (t: number, x: number) =>
      plot('eo-1', t, x, 0, { sensorType: 'eo', sourceRef: 'eo-1.T1', velocity: { ve: 200, vn: 0 }, velocityCov: { ee: 1, en: 0, nn: 1 }, positionCov: { ee: 25, en: 0, nn: 25 } });
    for (let t = 1; t <= 5; t++) tracker.processScan({ sensor: eo, time: t, observations: [eoObs(t, 200 * t)] });
    const fused = tracker.tracks()[0]!;
    expect(fused.sources.has('eo-1.T1')).to.equal(true);
    // The sensor track jumps 5 km away (it swapped targets) and stays there.
    tracker.processScan({ sensor: eo, time: 6, observations: [eoObs(6, 6_200)] });
    expect(fused.sources.has('eo-1.T1'), 'one outlier is tolerated').to.equal(true);
    tracker.processScan({ sensor: eo, time: 7, observations: [eoObs(7, 6_400)] });
    expect(fused.sources.has('eo-1.T1'), 'two in a row de-correlate').to.equal(false);
    expect(tracker.size, 'the sensor track started a track of its own').to.equal(2);
  });
});
