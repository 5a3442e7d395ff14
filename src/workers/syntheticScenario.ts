/**
 * Large synthetic scenarios for load: `count` targets spread over a disc, speeds 100–500 kn,
 * headings at random, seen by one EO tracker and one radar that both cover the whole disc.
 * Returned through `parseScenario`, so it is held to the same rules as a file.
 */
import { offset } from './geo.js';
import { SeededRandom } from './random.js';
import { parseScenario, type Scenario } from './scenario.js';

export function syntheticScenario(count: number, seed = 1, radiusM = 150_000): Scenario {
  const rng = new SeededRandom(seed);
  const origin = { lat: 52.4, lon: 4.2, alt: 0 };
  const targets = Array.from({ length: count }, (_, i) => {
    const r = radiusM * 0.8 * Math.sqrt(rng.next());
    const b = rng.uniform(0, 2 * Math.PI);
    const start = offset(origin, r * Math.sin(b), r * Math.cos(b));
    return { id: `s${i}`, start: { ...start, alt: 8_000 }, speedKn: rng.uniform(100, 500), headingDeg: rng.uniform(0, 360) };
  });
  return parseScenario({
    name: `synthetic-${count}`,
    description: `${count} targets on straight courses, for load measurements.`,
    seed,
    durationS: 3_600,
    origin,
    targets,
    sensors: [
      { id: 'eo-1', kind: 'eo', position: origin, rateHz: 1, rangeM: radiusM * 1.5, noiseM: 5, velocityNoiseMs: 1 },
      { id: 'radar-1', kind: 'radar', position: origin, rateHz: 1, rangeM: radiusM * 1.5, rangeNoiseM: 50, bearingNoiseDeg: 0.2, detectionProbability: 0.9, falseAlarmsPerScan: 10 },
    ],
  });
}
