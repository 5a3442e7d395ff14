/**
 * Scenarios are data: a JSON document validated on load. Everything in one is untrusted (a file
 * from the UI, an object from the scripting API, a peer's copy in the document), so validation
 * collects every problem with its path and throws one `ScenarioError` listing them; nothing is
 * loaded then.
 */
import { ValidationError } from '../crdt/index.js';
import { isRecord, describe } from '../crdt/validate.js';

export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
  /** Metres above mean sea level. */
  readonly alt: number;
}

export type Manoeuvre =
  /** Turn at `rateDegS` (default 3°/s, a standard-rate turn) onto `headingDeg`. */
  | { readonly kind: 'turn'; readonly atS: number; readonly headingDeg: number; readonly rateDegS: number }
  /** Change speed at `accelKnS` (default 5 kn/s) to `speedKn`. */
  | { readonly kind: 'speed'; readonly atS: number; readonly speedKn: number; readonly accelKnS: number }
  /** Steer for a point at `rateDegS`; the target holds its heading once it passes it. */
  | { readonly kind: 'waypoint'; readonly atS: number; readonly lat: number; readonly lon: number; readonly rateDegS: number };

export interface TargetSpec {
  readonly id: string;
  readonly start: GeoPoint;
  readonly speedKn: number;
  readonly headingDeg: number;
  /** Seconds into the run at which the target appears. */
  readonly appearS: number;
  readonly manoeuvres: readonly Manoeuvre[];
}

export interface AssetSpec {
  readonly id: string;
  readonly position: GeoPoint;
}

interface SensorBase {
  readonly id: string;
  readonly position: GeoPoint;
  /** Scans per second. */
  readonly rateHz: number;
  readonly rangeM: number;
  readonly detectionProbability: number;
  /** Mean number of false plots per scan, spread uniformly over the coverage. */
  readonly falseAlarmsPerScan: number;
}

/** Electro-optical tracker: clean position and velocity of each target it holds, with its own track numbers. */
export interface EoSensorSpec extends SensorBase {
  readonly kind: 'eo';
  /** 1-sigma position noise, m. */
  readonly noiseM: number;
  /** 1-sigma speed noise, m/s. */
  readonly velocityNoiseMs: number;
}

/** Radar: position-only plots with range and bearing noise. */
export interface RadarSensorSpec extends SensorBase {
  readonly kind: 'radar';
  readonly rangeNoiseM: number;
  readonly bearingNoiseDeg: number;
}

/** One report of an external feed: a track of another system at a time of the run. */
export interface RecordedObservation {
  /** Seconds into the run. */
  readonly time: number;
  /** The feed's own track number. */
  readonly ref: string;
  readonly lat: number;
  readonly lon: number;
  /** 1-sigma position error, m. */
  readonly noiseM: number;
  /** East and north velocity, m/s, when the feed gives it. */
  readonly ve?: number;
  readonly vn?: number;
}

/** An external feed replayed from recorded reports (a file today, CoT later). */
export interface ExternalSensorSpec {
  readonly kind: 'external';
  readonly id: string;
  readonly records: readonly RecordedObservation[];
}

export type SimulatedSensorSpec = EoSensorSpec | RadarSensorSpec;
export type SensorSpec = SimulatedSensorSpec | ExternalSensorSpec;

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly durationS: number;
  /** Origin of the local frame the filter works in; keep it near the middle of the area. */
  readonly origin: GeoPoint;
  readonly targets: readonly TargetSpec[];
  readonly assets: readonly AssetSpec[];
  readonly sensors: readonly SensorSpec[];
}

/** A scenario that failed validation; `problems` lists every one, each with its path. */
export class ScenarioError extends ValidationError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const shown = problems.slice(0, 8).map((p) => `  - ${p}`).join('\n');
    const more = problems.length > 8 ? `\n  … and ${problems.length - 8} more` : '';
    super('scenario', `The scenario is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${shown}${more}`);
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

const ID = /^[A-Za-z0-9_-]{1,24}$/;
export const MAX_TARGETS = 5_000;
const MAX_SENSORS = 16;
const MAX_MANOEUVRES = 64;
/**
 * Most plots per second a run may ask of the pipeline (sensors' scan rates × what each scan can
 * report). One step fuses up to its catch-up window of them at once, so this bounds a step's
 * work; the largest load measured (`fusion.ms_per_tick_1000`: 1,000 targets, two sensors at
 * 1 Hz) is about 2,000.
 */
export const MAX_PLOTS_PER_S = 5_000;
/**
 * Most target-seconds (targets × duration) a run may hold: a node taking a run over near its
 * end integrates the truth of every target from 0 (two steps a second) in one step, and the
 * host replaces a worker silent for 10 s. 1,000 targets for an hour (the load bench) is a few
 * seconds on a busy machine; 2,800 for an hour measured 10 s and more.
 */
export const MAX_TARGET_SECONDS = 3_600_000;

/** Collects problems instead of stopping at the first, so a person can fix a file in one go. */
class Checker {
  readonly problems: string[] = [];

  record(path: string, value: unknown): Record<string, unknown> | undefined {
    if (!isRecord(value)) {
      this.problems.push(`${path} must be an object, got ${describe(value)}.`);
      return undefined;
    }
    return value;
  }

  keys(path: string, value: Record<string, unknown>, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.problems.push(`${path} has no field "${key.slice(0, 40)}" (expected ${allowed.join(', ')}).`);
    }
  }

  number(path: string, value: unknown, min: number, max: number, fallback?: number): number {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.problems.push(`${path} must be a number${fallback === undefined ? '' : ' (or left out)'}, got ${describe(value)}.`);
      return min;
    }
    if (value < min || value > max) {
      this.problems.push(`${path} must be between ${min} and ${max}, got ${value}.`);
      return min;
    }
    return value;
  }

  text(path: string, value: unknown, max: number, pattern?: RegExp, fallback?: string): string {
    // The fallback itself is accepted too: a normalised scenario (description '') must read
    // back as valid, or every node would refuse the run the page just wrote.
    if ((value === undefined || value === fallback) && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || value.length === 0 || value.length > max || (pattern && !pattern.test(value))) {
      this.problems.push(`${path} must be ${pattern ? 'an id of 1–24 letters, digits, "-" or "_"' : `a string of 1–${max} characters`}, got ${describe(value)}.`);
      return '';
    }
    return value;
  }

  list(path: string, value: unknown, max: number, optional = false): unknown[] {
    if (value === undefined && optional) return [];
    if (!Array.isArray(value)) {
      this.problems.push(`${path} must be an array, got ${describe(value)}.`);
      return [];
    }
    if (value.length > max) {
      this.problems.push(`${path} has ${value.length} entries; at most ${max} are allowed.`);
      return value.slice(0, max);
    }
    return value;
  }

  point(path: string, value: unknown): GeoPoint {
    const v = this.record(path, value);
    if (!v) return { lat: 0, lon: 0, alt: 0 };
    this.keys(path, v, ['lat', 'lon', 'alt']);
    return {
      lat: this.number(`${path}.lat`, v.lat, -85, 85),
      lon: this.number(`${path}.lon`, v.lon, -180, 180),
      alt: this.number(`${path}.alt`, v.alt, -500, 30_000, 0),
    };
  }

  unique(path: string, ids: readonly string[]): void {
    const seen = new Set<string>();
    for (const id of ids) {
      if (id && seen.has(id)) this.problems.push(`${path}: the id "${id}" is used twice.`);
      seen.add(id);
    }
  }
}

function manoeuvre(c: Checker, path: string, value: unknown, durationS: number): Manoeuvre | undefined {
  const v = c.record(path, value);
  if (!v) return undefined;
  const atS = c.number(`${path}.atS`, v.atS, 0, durationS);
  switch (v.kind) {
    case 'turn':
      c.keys(path, v, ['kind', 'atS', 'headingDeg', 'rateDegS']);
      return { kind: 'turn', atS, headingDeg: c.number(`${path}.headingDeg`, v.headingDeg, 0, 360), rateDegS: c.number(`${path}.rateDegS`, v.rateDegS, 0.1, 30, 3) };
    case 'speed':
      c.keys(path, v, ['kind', 'atS', 'speedKn', 'accelKnS']);
      return { kind: 'speed', atS, speedKn: c.number(`${path}.speedKn`, v.speedKn, 0, 2_000), accelKnS: c.number(`${path}.accelKnS`, v.accelKnS, 0.1, 100, 5) };
    case 'waypoint':
      c.keys(path, v, ['kind', 'atS', 'lat', 'lon', 'rateDegS']);
      return {
        kind: 'waypoint',
        atS,
        lat: c.number(`${path}.lat`, v.lat, -85, 85),
        lon: c.number(`${path}.lon`, v.lon, -180, 180),
        rateDegS: c.number(`${path}.rateDegS`, v.rateDegS, 0.1, 30, 3),
      };
    default:
      c.problems.push(`${path}.kind must be one of turn, speed, waypoint, got ${describe(v.kind)}.`);
      return undefined;
  }
}

const MAX_RECORDS = 100_000;

function record(c: Checker, path: string, value: unknown, durationS: number): RecordedObservation | undefined {
  const v = c.record(path, value);
  if (!v) return undefined;
  c.keys(path, v, ['time', 'ref', 'lat', 'lon', 'noiseM', 've', 'vn']);
  if ((v.ve === undefined) !== (v.vn === undefined)) c.problems.push(`${path} must give both ve and vn, or neither.`);
  return {
    time: c.number(`${path}.time`, v.time, 0, durationS),
    ref: c.text(`${path}.ref`, v.ref, 24, ID),
    lat: c.number(`${path}.lat`, v.lat, -85, 85),
    lon: c.number(`${path}.lon`, v.lon, -180, 180),
    noiseM: c.number(`${path}.noiseM`, v.noiseM, 0.5, 10_000, 50),
    ...(v.ve === undefined || v.vn === undefined ? {} : { ve: c.number(`${path}.ve`, v.ve, -1_500, 1_500), vn: c.number(`${path}.vn`, v.vn, -1_500, 1_500) }),
  };
}

function sensor(c: Checker, path: string, value: unknown, durationS: number): SensorSpec | undefined {
  const v = c.record(path, value);
  if (!v) return undefined;
  if (v.kind === 'external') {
    c.keys(path, v, ['kind', 'id', 'records']);
    return {
      kind: 'external',
      id: c.text(`${path}.id`, v.id, 24, ID),
      records: c
        .list(`${path}.records`, v.records, MAX_RECORDS)
        .map((r, i) => record(c, `${path}.records[${i}]`, r, durationS))
        .filter((r): r is RecordedObservation => r !== undefined),
    };
  }
  const base = {
    id: c.text(`${path}.id`, v.id, 24, ID),
    position: c.point(`${path}.position`, v.position),
    rateHz: c.number(`${path}.rateHz`, v.rateHz, 0.01, 10),
    rangeM: c.number(`${path}.rangeM`, v.rangeM, 100, 1_000_000),
    detectionProbability: c.number(`${path}.detectionProbability`, v.detectionProbability, 0.05, 1, 1),
    falseAlarmsPerScan: c.number(`${path}.falseAlarmsPerScan`, v.falseAlarmsPerScan, 0, 200, 0),
  };
  const common = ['kind', 'id', 'position', 'rateHz', 'rangeM', 'detectionProbability', 'falseAlarmsPerScan'];
  switch (v.kind) {
    case 'eo':
      c.keys(path, v, [...common, 'noiseM', 'velocityNoiseMs']);
      return { kind: 'eo', ...base, noiseM: c.number(`${path}.noiseM`, v.noiseM, 0, 100, 3), velocityNoiseMs: c.number(`${path}.velocityNoiseMs`, v.velocityNoiseMs, 0, 20, 0.5) };
    case 'radar':
      c.keys(path, v, [...common, 'rangeNoiseM', 'bearingNoiseDeg']);
      return {
        kind: 'radar',
        ...base,
        rangeNoiseM: c.number(`${path}.rangeNoiseM`, v.rangeNoiseM, 0, 5_000),
        bearingNoiseDeg: c.number(`${path}.bearingNoiseDeg`, v.bearingNoiseDeg, 0, 10),
      };
    default:
      c.problems.push(`${path}.kind must be one of eo, radar, external, got ${describe(v.kind)}.`);
      return undefined;
  }
}

/** Plots per second the simulated sensors can report at most (every target seen on every scan), plus recorded reports. */
function plotsPerSecond(targets: number, sensors: readonly SensorSpec[]): number {
  let sum = 0;
  for (const s of sensors) sum += s.kind === 'external' ? s.records.length : s.rateHz * (targets + s.falseAlarmsPerScan);
  return sum;
}

/**
 * Validates a scenario. Returns a normalised copy (defaults filled in, manoeuvres sorted by
 * time); throws `ScenarioError` listing every problem otherwise.
 */
export function parseScenario(value: unknown): Scenario {
  const c = new Checker();
  const v = c.record('scenario', value);
  if (!v) throw new ScenarioError(c.problems);
  c.keys('scenario', v, ['name', 'description', 'seed', 'durationS', 'origin', 'targets', 'assets', 'sensors']);
  const durationS = c.number('durationS', v.durationS, 1, 24 * 3600, 600);
  const targets: TargetSpec[] = [];
  c.list('targets', v.targets, MAX_TARGETS).forEach((raw, i) => {
    const path = `targets[${i}]`;
    const t = c.record(path, raw);
    if (!t) return;
    c.keys(path, t, ['id', 'start', 'speedKn', 'headingDeg', 'appearS', 'manoeuvres']);
    const manoeuvres = c
      .list(`${path}.manoeuvres`, t.manoeuvres, MAX_MANOEUVRES, true)
      .map((m, j) => manoeuvre(c, `${path}.manoeuvres[${j}]`, m, durationS))
      .filter((m): m is Manoeuvre => m !== undefined)
      .sort((a, b) => a.atS - b.atS);
    targets.push({
      id: c.text(`${path}.id`, t.id, 24, ID),
      start: c.point(`${path}.start`, t.start),
      speedKn: c.number(`${path}.speedKn`, t.speedKn, 0, 2_000),
      headingDeg: c.number(`${path}.headingDeg`, t.headingDeg, 0, 360),
      appearS: c.number(`${path}.appearS`, t.appearS, 0, durationS, 0),
      manoeuvres,
    });
  });
  const assets: AssetSpec[] = [];
  c.list('assets', v.assets, 256, true).forEach((raw, i) => {
    const a = c.record(`assets[${i}]`, raw);
    if (!a) return;
    c.keys(`assets[${i}]`, a, ['id', 'position']);
    assets.push({ id: c.text(`assets[${i}].id`, a.id, 24, ID), position: c.point(`assets[${i}].position`, a.position) });
  });
  const sensors = c
    .list('sensors', v.sensors, MAX_SENSORS)
    .map((s, i) => sensor(c, `sensors[${i}]`, s, durationS))
    .filter((s): s is SensorSpec => s !== undefined);
  if (Array.isArray(v.sensors) && v.sensors.length === 0) c.problems.push('sensors must name at least one sensor.');
  const plots = plotsPerSecond(targets.length, sensors);
  if (plots > MAX_PLOTS_PER_S) {
    c.problems.push(
      `The sensors would report about ${Math.round(plots).toLocaleString('en-US')} plots per second (scan rate × (targets + false alarms per scan), summed); ` +
        `at most ${MAX_PLOTS_PER_S.toLocaleString('en-US')} are allowed. Lower rateHz or falseAlarmsPerScan, or use fewer sensors or targets.`,
    );
  }
  if (targets.length * durationS > MAX_TARGET_SECONDS) {
    c.problems.push(`${targets.length} targets for ${durationS} s is more than ${MAX_TARGET_SECONDS.toLocaleString('en-US')} target-seconds; shorten the run or use fewer targets.`);
  }
  c.unique('targets', targets.map((t) => t.id));
  c.unique('assets', assets.map((a) => a.id));
  c.unique('sensors', sensors.map((s) => s.id));
  const scenario: Scenario = {
    name: c.text('name', v.name, 64),
    description: c.text('description', v.description, 500, undefined, ''),
    seed: Math.floor(c.number('seed', v.seed, 0, 2 ** 32 - 1, 1)),
    durationS,
    origin: c.point('origin', v.origin),
    targets,
    assets,
    sensors,
  };
  if (c.problems.length > 0) throw new ScenarioError(c.problems);
  return scenario;
}
