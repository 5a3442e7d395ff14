/**
 * The tracker on hand-made scans: starting, confirming, following and deleting tracks, ids that
 * every node agrees on, de-correlating a sensor track, and merging duplicates.
 */
import { expect } from 'chai';
import { LocalFrame } from '../../src/workers/geo.js';
import type { Observation } from '../../src/workers/sensors.js';
import { Tracker } from '../../src/workers/Tracker.js';

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

describe('Tracker', () => {
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

  it('merges two tracks of one object after three scans, keeping the smaller id and both sources', () => {
    const tracker = new Tracker(frame);
    const seed = { time: 0, x: 0, y: 0, vx: 100, vy: 0, positionVar: 400, velocityVar: 25 };
    tracker.adopt({ ...seed, id: 'fus.b', sources: ['eo-1.T2'] });
    tracker.adopt({ ...seed, id: 'fus.a', x: 10, sources: ['eo-1.T1'] });
    // A sensor that covers neither: the tracks coast, unmissed, and are compared once a second.
    const nowhere = { id: 'radar-1', covers: () => false };
    const deleted: string[] = [];
    for (let t = 1; t <= 2; t++) deleted.push(...tracker.processScan({ sensor: nowhere, time: t, observations: [] }).deleted);
    expect(deleted, 'two scans alike are not yet one object').to.deep.equal([]);
    deleted.push(...tracker.processScan({ sensor: nowhere, time: 3, observations: [] }).deleted);
    expect(deleted).to.deep.equal(['fus.b']);
    expect(tracker.tracks().map((t) => t.id)).to.deep.equal(['fus.a']);
    expect([...tracker.get('fus.a')!.sources.keys()].sort()).to.deep.equal(['eo-1.T1', 'eo-1.T2']);
  });

  it('does not merge tracks that fly apart, however close they start', () => {
    const tracker = new Tracker(frame);
    const seed = { time: 0, x: 0, y: 0, vy: 0, positionVar: 400, velocityVar: 25, sources: [] };
    tracker.adopt({ ...seed, id: 'fus.a', vx: 100 });
    tracker.adopt({ ...seed, id: 'fus.b', vx: -100 });
    const nowhere = { id: 'radar-1', covers: () => false };
    for (let t = 1; t <= 5; t++) expect(tracker.processScan({ sensor: nowhere, time: t, observations: [] }).deleted).to.deep.equal([]);
    expect(tracker.size).to.equal(2);
  });

  it('predicts a track to a later time without changing it', () => {
    const tracker = new Tracker(frame);
    tracker.adopt({ id: 'fus.a', time: 0, x: 0, y: 0, vx: 100, vy: 50, positionVar: 400, velocityVar: 25, sources: [] });
    const track = tracker.get('fus.a')!;
    const { x, P } = tracker.stateAt(track, 10);
    expect([x[0], x[1]]).to.deep.equal([1_000, 500]);
    expect(P[0]!).to.be.above(track.P[0]!);
    expect([track.x[0], track.time]).to.deep.equal([0, 0]);
  });

  it('starts tracks of the same anchor under distinct ids, the same on every node', () => {
    const run = () => {
      const tracker = new Tracker(frame, { idSalt: 'run-1', idPrefix: 'fus.r1.' });
      // One plot id twice in a scan (far apart, so neither takes the other): the second gets a suffix.
      tracker.processScan({ sensor: everywhere, time: 1, observations: [plot('radar-1', 1, 0, 0, { id: 'p' }), plot('radar-1', 1, 50_000, 0, { id: 'p' })] });
      return tracker.tracks().map((t) => t.id);
    };
    const ids = run();
    expect(new Set(ids).size).to.equal(2);
    for (const id of ids) expect(id).to.match(/^fus\.r1\.[0-9a-f]{12}$/);
    expect(run()).to.deep.equal(ids);
  });
});
