import { expect } from 'chai';
import { fetchBuiltinScenario } from '../../src/workers/builtinScenarios.js';
import { deadReckon, distanceM, KNOT } from '../../src/workers/geo.js';

/** Length of the WGS84 meridian between two latitudes (degrees), by Simpson's rule. */
function meridianArc(from: number, to: number): number {
  const a = 6_378_137;
  const f = 1 / 298.257223563;
  const e2 = f * (2 - f);
  const m = (phi: number) => (a * (1 - e2)) / (1 - e2 * Math.sin(phi) ** 2) ** 1.5;
  const n = 1000;
  const h = ((to - from) * Math.PI) / 180 / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) sum += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * m((from * Math.PI) / 180 + i * h);
  return (sum * h) / 3;
}
import { GroundTruth } from '../../src/workers/GroundTruth.js';
import { parseScenario, ScenarioError, type RadarSensorSpec } from '../../src/workers/scenario.js';
import { ScenarioRun } from '../../src/workers/ScenarioRun.js';

function problemsOf(value: unknown): readonly string[] {
  try {
    parseScenario(value);
  } catch (error) {
    expect(error).to.be.instanceOf(ScenarioError);
    return (error as ScenarioError).problems;
  }
  throw new Error('expected a ScenarioError');
}

const minimal = () => ({
  name: 'mini',
  origin: { lat: 52, lon: 4 },
  targets: [{ id: 't1', start: { lat: 52, lon: 4 }, speedKn: 300, headingDeg: 90 }],
  sensors: [{ id: 'r1', kind: 'radar', position: { lat: 52, lon: 4 }, rateHz: 1, rangeM: 50_000, rangeNoiseM: 50, bearingNoiseDeg: 0.2 }],
});

describe('scenario validation', () => {
  it('accepts the shipped scenarios', async () => {
    expect(parseScenario(await fetchBuiltinScenario('default')).targets.length).to.be.greaterThan(5);
    const hard = parseScenario(await fetchBuiltinScenario('hard'));
    expect(hard.targets.length).to.be.greaterThan(10);
    expect(hard.sensors.map((s) => s.kind).sort()).to.deep.equal(['eo', 'radar']);
  });

  it('fills defaults and sorts manoeuvres', () => {
    const s = minimal() as Record<string, unknown>;
    (s.targets as Record<string, unknown>[])[0]!.manoeuvres = [
      { kind: 'speed', atS: 50, speedKn: 200 },
      { kind: 'turn', atS: 10, headingDeg: 180 },
    ];
    const parsed = parseScenario(s);
    expect(parsed.durationS).to.equal(600);
    expect(parsed.targets[0]!.manoeuvres.map((m) => m.kind)).to.deep.equal(['turn', 'speed']);
    expect((parsed.sensors[0] as RadarSensorSpec).detectionProbability).to.equal(1);
  });

  it('lists every problem with its path', () => {
    const s = minimal() as any;
    s.targets[0].speedKn = 'fast';
    s.targets[0].start.lat = 123;
    s.sensors[0].kind = 'sonar';
    s.colour = 'red';
    s.targets.push({ ...s.targets[0], speedKn: 100, start: { lat: 52, lon: 4 } });
    const problems = problemsOf(s);
    const text = problems.join('\n');
    expect(text).to.contain('targets[0].speedKn must be a number');
    expect(text).to.contain('targets[0].start.lat must be between -85 and 85, got 123');
    expect(text).to.contain('sensors[0].kind must be one of eo, radar, external, got "sonar"');
    expect(text).to.contain('scenario has no field "colour"');
    expect(text).to.contain('the id "t1" is used twice');
    expect(problems).to.have.length(5);
  });

  it('rejects what is not a scenario at all, with a message a person can act on', () => {
    expect(problemsOf(null)).to.deep.equal(['scenario must be an object, got null.']);
    expect(problemsOf({ ...minimal(), sensors: [] })).to.include('sensors must name at least one sensor.');
    expect(problemsOf({ ...minimal(), sensors: [{ kind: 'external', id: 'f1', records: [{ time: 1, ref: 'K1', lat: 52, lon: 4, ve: 3 }, { time: 'soon', ref: 'K 2', lat: 52, lon: 4 }] }] })).to.deep.equal([
      'sensors[0].records[0] must give both ve and vn, or neither.',
      'sensors[0].records[1].time must be a number, got "soon".',
      'sensors[0].records[1].ref must be an id of 1–24 letters, digits, "-" or "_", got "K 2".',
    ]);
    expect(problemsOf({ ...minimal(), targets: [{ id: 't1', start: { lat: 52, lon: 4 }, speedKn: 1, headingDeg: 0, manoeuvres: [{ kind: 'loop', atS: 1 }] }] })[0]).to.contain(
      'targets[0].manoeuvres[0].kind must be one of turn, speed, waypoint',
    );
  });
});

describe('scenario runs', () => {
  it('are reproducible from the seed, and differ with another seed', async () => {
    const scenario = parseScenario(await fetchBuiltinScenario('hard'));
    const plots = (seed: number) => new ScenarioRun(scenario, seed).advanceTo(20).flatMap((s) => s.observations.map((o) => `${o.id}:${o.position.lat.toFixed(7)},${o.position.lon.toFixed(7)}`));
    const a = plots(1);
    expect(a.length).to.be.greaterThan(100);
    expect(plots(1)).to.deep.equal(a);
    expect(plots(2)).to.not.deep.equal(a);
  });

  it('gives radar plots with Pd < 1 and false alarms, and clean EO tracks with velocity', async () => {
    const scenario = parseScenario(await fetchBuiltinScenario('hard'));
    const scans = new ScenarioRun(scenario).advanceTo(120);
    const radar = scans.filter((s) => s.sensor.id === 'radar-1');
    const eo = scans.filter((s) => s.sensor.id === 'eo-1');
    expect(radar.length).to.equal(60); // 0.5 Hz for 120 s
    expect(eo.length).to.equal(120);
    const radarObs = radar.flatMap((s) => s.observations);
    const detections = radarObs.filter((o) => o.truthId !== undefined).length;
    const covered = radar.reduce((n, s) => n + s.truth.length, 0);
    expect(detections / covered).to.be.within(0.7, 0.9); // Pd 0.8
    expect(radarObs.filter((o) => o.truthId === undefined).length / radar.length).to.be.within(5, 11); // 8 per scan
    expect(radarObs.every((o) => o.velocity === undefined)).to.equal(true);
    const eoObs = eo.flatMap((s) => s.observations);
    expect(eoObs.length).to.be.greaterThan(0);
    expect(eoObs.every((o) => o.velocity !== undefined && o.sourceRef?.startsWith('eo-1.T'))).to.equal(true);
  });

  it('dead-reckons on the ellipsoid to the metre', () => {
    const scenario = parseScenario({ ...minimal(), targets: [{ id: 'n', start: { lat: 52, lon: 4 }, speedKn: 500, headingDeg: 0 }, { id: 'e', start: { lat: 52, lon: 4 }, speedKn: 100, headingDeg: 90 }] });
    const truth = new GroundTruth(scenario);
    truth.advanceTo(600);
    const [north, east] = truth.states();
    const start = { lat: 52, lon: 4, alt: 0 };
    expect(distanceM(start, north!.position)).to.be.closeTo(500 * KNOT * 600, 1);
    expect(distanceM(start, east!.position)).to.be.closeTo(100 * KNOT * 600, 1);
    // Northbound: the meridian arc to the reached latitude (Simpson's rule over M(φ)) is the distance flown.
    const arc = meridianArc(52, north!.position.lat);
    expect(arc).to.be.closeTo(500 * KNOT * 600, 1);
    expect(north!.position.lon).to.equal(4);
    // Eastbound on a constant heading of 90°: a rhumb line along the parallel.
    expect(east!.position.lat).to.be.closeTo(52, 1e-9);
    expect(distanceM(deadReckon(start, 100 * KNOT, 90, 600), east!.position)).to.be.below(1);
  });

  it('observes targets where they are at the exact scan time, between integration steps', () => {
    const origin = { lat: 52, lon: 4, alt: 0 };
    const scenario = parseScenario({
      name: 'odd-rate',
      origin,
      targets: [{ id: 't', start: origin, speedKn: 400, headingDeg: 90 }],
      sensors: [{ id: 'eo-9', kind: 'eo', position: origin, rateHz: 0.3, rangeM: 100_000, noiseM: 0, velocityNoiseMs: 0 }],
    });
    const scans = new ScenarioRun(scenario).advanceTo(20);
    expect(scans.map((s) => s.time)).to.deep.equal([1 / 0.3, 2 / 0.3, 3 / 0.3, 4 / 0.3, 5 / 0.3, 6 / 0.3]);
    for (const scan of scans) {
      const seen = scan.observations[0]!.position;
      expect(distanceM(seen, deadReckon(origin, 400 * KNOT, 90, scan.time))).to.be.below(0.5);
    }
  });
});
