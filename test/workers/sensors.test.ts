import { expect } from 'chai';
import { LocalFrame, offset } from '../../src/workers/geo.js';
import { parseScenario, type RecordedObservation } from '../../src/workers/scenario.js';
import { ScenarioRun } from '../../src/workers/ScenarioRun.js';
import { polarCov } from '../../src/workers/sensors.js';
import { Tracker } from '../../src/workers/Tracker.js';

describe('sensors', () => {
  it('converts range/bearing noise to an east/north covariance', () => {
    // Due north: range error along north, cross-range along east.
    const north = polarCov(10_000, 0, 50, 0.01);
    expect(north.nn).to.be.closeTo(2_500, 1e-6);
    expect(north.ee).to.be.closeTo(100 ** 2, 1e-6);
    expect(north.en).to.be.closeTo(0, 1e-9);
    // North-east: the two errors mix equally, with a correlation term.
    const ne = polarCov(10_000, Math.PI / 4, 50, 0.01);
    expect(ne.ee).to.be.closeTo(ne.nn, 1e-6);
    expect(ne.en).to.be.closeTo((2_500 - 10_000) / 2, 1e-6);
  });

  it('plugs an external feed from a scenario file into a run behind the same interface', () => {
    const origin = { lat: 52, lon: 4, alt: 0 };
    // A recorded track from outside: 180 m/s east, one report a second.
    const records: RecordedObservation[] = Array.from({ length: 6 }, (_, i) => {
      const p = offset(origin, 180 * (i + 1), 20_000);
      return { time: i + 1, ref: 'K42', lat: p.lat, lon: p.lon, noiseM: 10, ve: 180, vn: 0 };
    });
    const scenario = parseScenario(
      JSON.parse(
        JSON.stringify({
          name: 'feed',
          origin,
          targets: [],
          sensors: [
            { id: 'r1', kind: 'radar', position: origin, rateHz: 1, rangeM: 10_000, rangeNoiseM: 50, bearingNoiseDeg: 0.2 },
            { id: 'feed-1', kind: 'external', records },
          ],
        }),
      ),
    );
    const run = new ScenarioRun(scenario);
    const tracker = new Tracker(new LocalFrame(origin));
    for (const scan of run.advanceTo(6)) tracker.processScan(scan);
    const tracks = tracker.tracks().filter((t) => t.status === 'confirmed');
    expect(tracks).to.have.length(1);
    expect([...tracks[0]!.sources.keys()]).to.deep.equal(['feed-1.K42']);
    expect(tracks[0]!.x[2]!).to.be.closeTo(180, 2);
  });
});
