/**
 * Sensors behind one interface. A sensor turns the ground truth at a scan into observations;
 * the pipeline neither knows nor cares whether they are simulated (EO, radar) or come from
 * outside (`RecordedFeed`: a file today, a CoT feed later).
 */
import type { Position, SensorType } from '../crdt/index.js';
import { deadReckon, deadReckonInto, LocalFrame, radii, type LatLon } from './geo.js';
import type { TruthState } from './GroundTruth.js';
import { mixSeed, SeededRandom } from './random.js';
import type { EoSensorSpec, RadarSensorSpec, RecordedObservation } from './scenario.js';

/** Covariance of a 2-vector (east, north) in m² (or (m/s)² for velocity). */
export interface Cov2 {
  readonly ee: number;
  readonly en: number;
  readonly nn: number;
}

/** One observation of one object (or of nothing: a false alarm) by one sensor. */
export interface Observation {
  /** Deterministic across nodes and runs: `sensorId@scan#index`. */
  readonly id: string;
  readonly sensorId: string;
  readonly sensorType: SensorType;
  /** The sensor's own track number when it tracks (EO, external): kept as a source id by fusion. */
  readonly sourceRef: string | undefined;
  /** Seconds into the run. */
  readonly time: number;
  readonly position: Position;
  readonly positionCov: Cov2;
  /** East/north velocity (m/s) when the sensor measures it. */
  readonly velocity: { readonly ve: number; readonly vn: number } | undefined;
  readonly velocityCov: Cov2 | undefined;
  /** Which truth target caused this, for scoring only; fusion never reads it. */
  readonly truthId: string | undefined;
}

export interface Sensor {
  readonly id: string;
  readonly kind: SensorType;
  /** Scan indices whose time falls in (from, to]. */
  scansIn(from: number, to: number): number[];
  /** Time of a scan, s. */
  scanTime(scan: number): number;
  /** Whether the sensor can see a point at all (fusion counts a miss only where it could). */
  covers(position: Position): boolean;
  /** Observations of one scan, given the truth at its time. Pure in (scan, truth, seed). */
  observe(scan: number, truth: readonly TruthState[], seed: number): Observation[];
}

/** Scans on a fixed period; shared by the simulated sensors. */
abstract class PeriodicSensor implements Sensor {
  abstract readonly kind: SensorType;
  protected readonly frame: LocalFrame;

  constructor(protected readonly spec: EoSensorSpec | RadarSensorSpec) {
    this.frame = new LocalFrame(spec.position);
  }

  get id(): string {
    return this.spec.id;
  }

  scansIn(from: number, to: number): number[] {
    const out: number[] = [];
    // Scan k is at k / rate; the epsilon keeps a scan exactly at `to` in this window, not the next.
    for (let k = Math.floor(from * this.spec.rateHz + 1e-9) + 1; k / this.spec.rateHz <= to + 1e-9; k++) out.push(k);
    return out;
  }

  scanTime(scan: number): number {
    return scan / this.spec.rateHz;
  }

  covers(position: Position): boolean {
    const x = this.frame.eastOf(position);
    const y = this.frame.northOf(position);
    return x * x + y * y <= this.spec.rangeM * this.spec.rangeM;
  }

  abstract observe(scan: number, truth: readonly TruthState[], seed: number): Observation[];

  /** Uniform false plots over the coverage disc (area-uniform radius), appended to `out`. */
  protected addFalseAlarms(out: Observation[], rng: SeededRandom, scan: number, time: number, cov: Cov2): void {
    const first = out.length;
    const idPrefix = plotIdPrefix(this.spec.id, scan);
    const n = rng.poisson(this.spec.falseAlarmsPerScan);
    for (let i = 0; i < n; i++) {
      const r = this.spec.rangeM * Math.sqrt(rng.next());
      const b = rng.uniform(0, 2 * Math.PI);
      out.push({
        id: idPrefix + (first + i),
        sensorId: this.spec.id,
        sensorType: this.kind,
        sourceRef: undefined,
        time,
        position: deadReckon(this.spec.position, r, (b * 180) / Math.PI, 1),
        positionCov: cov,
        velocity: undefined,
        velocityCov: undefined,
        truthId: undefined,
      });
    }
  }
}

/** Electro-optical tracker: clean position and velocity with a stable track number per target. */
export class EoSensor extends PeriodicSensor {
  readonly kind = 'eo' as const;
  private readonly eo: EoSensorSpec;
  /**
   * Track number per truth id for `refsSeed`: hashed once, not on every scan. Keyed by the id
   * itself (whose hash the engine keeps) rather than a `seed|id` string built per observation.
   */
  private readonly refs = new Map<string, string>();
  private refsSeed: number | undefined;
  private readonly scratch: LatLon = { lat: 0, lon: 0 };

  constructor(spec: EoSensorSpec) {
    super(spec);
    this.eo = spec;
  }

  observe(scan: number, truth: readonly TruthState[], seed: number): Observation[] {
    const rng = new SeededRandom(mixSeed(seed, this.eo.id, scan));
    const time = this.scanTime(scan);
    const s2 = Math.max(this.eo.noiseM, 0.5) ** 2;
    const v2 = Math.max(this.eo.velocityNoiseMs, 0.1) ** 2;
    const cov: Cov2 = { ee: s2, en: 0, nn: s2 };
    // Shared by the scan's plots, like `cov`: observations are read-only.
    const velocityCov: Cov2 = { ee: v2, en: 0, nn: v2 };
    const moved = this.scratch;
    const idPrefix = plotIdPrefix(this.eo.id, scan);
    const out: Observation[] = [];
    for (const t of truth) {
      if (!this.covers(t.position)) continue;
      if (rng.next() >= this.eo.detectionProbability) continue;
      // East noise, then north noise from there (two dead-reckoning steps, no object between).
      deadReckonInto(moved, t.position.lat, t.position.lon, this.eo.noiseM * rng.gaussian(), 90, 1);
      deadReckonInto(moved, moved.lat, moved.lon, this.eo.noiseM * rng.gaussian(), 0, 1);
      const position: Position = { lat: moved.lat, lon: moved.lon, alt: t.position.alt };
      out.push({
        id: idPrefix + out.length,
        sensorId: this.eo.id,
        sensorType: 'eo',
        sourceRef: this.trackNumber(seed, t.id),
        time,
        position,
        positionCov: cov,
        velocity: { ve: t.ve + this.eo.velocityNoiseMs * rng.gaussian(), vn: t.vn + this.eo.velocityNoiseMs * rng.gaussian() },
        velocityCov,
        truthId: t.id,
      });
    }
    this.addFalseAlarms(out, rng, scan, time, cov);
    return out;
  }

  /** A track number that reveals nothing about the truth id but is stable for the run. */
  private trackNumber(seed: number, truthId: string): string {
    if (seed !== this.refsSeed) {
      this.refs.clear();
      this.refsSeed = seed;
    }
    let ref = this.refs.get(truthId);
    if (ref === undefined) {
      ref = `${this.eo.id}.T${mixSeed(seed, this.eo.id, truthId).toString(36)}`;
      this.refs.set(truthId, ref);
    }
    return ref;
  }
}

/** Radar: position-only plots with range/bearing noise, Pd < 1 and false alarms. */
export class RadarSensor extends PeriodicSensor {
  readonly kind = 'radar' as const;
  private readonly radar: RadarSensorSpec;

  constructor(spec: RadarSensorSpec) {
    super(spec);
    this.radar = spec;
  }

  observe(scan: number, truth: readonly TruthState[], seed: number): Observation[] {
    const rng = new SeededRandom(mixSeed(seed, this.radar.id, scan));
    const time = this.scanTime(scan);
    const sr = Math.max(this.radar.rangeNoiseM, 1);
    const sb = Math.max((this.radar.bearingNoiseDeg * Math.PI) / 180, 1e-5);
    const { m, n } = radii(this.radar.position.lat);
    const cosLat = Math.cos((this.radar.position.lat * Math.PI) / 180);
    const idPrefix = plotIdPrefix(this.radar.id, scan);
    const out: Observation[] = [];
    for (const t of truth) {
      if (!this.covers(t.position)) continue;
      if (rng.next() >= this.radar.detectionProbability) continue;
      const east = (t.position.lon - this.radar.position.lon) * (Math.PI / 180) * n * cosLat;
      const north = (t.position.lat - this.radar.position.lat) * (Math.PI / 180) * m;
      const range = Math.hypot(east, north) + sr * rng.gaussian();
      const bearing = Math.atan2(east, north) + sb * rng.gaussian();
      out.push({
        id: idPrefix + out.length,
        sensorId: this.radar.id,
        sensorType: 'radar',
        sourceRef: undefined,
        time,
        position: deadReckon(this.radar.position, Math.max(range, 0), (bearing * 180) / Math.PI, 1),
        positionCov: polarCov(Math.max(range, 1), bearing, sr, sb),
        velocity: undefined,
        velocityCov: undefined,
        truthId: t.id,
      });
    }
    this.addFalseAlarms(out, rng, scan, time, polarCov(this.radar.rangeM / 2, 0, sr, sb));
    return out;
  }
}

/**
 * `sensorId@scan#`, to which a plot's index is appended: built once per scan, not per plot
 * (a template string per plot built and dropped two partial strings each).
 */
function plotIdPrefix(sensorId: string, scan: number): string {
  return `${sensorId}@${scan}#`;
}

/** Covariance in east/north of a range/bearing measurement (first-order conversion). */
export function polarCov(range: number, bearing: number, sigmaRange: number, sigmaBearing: number): Cov2 {
  const s = Math.sin(bearing);
  const c = Math.cos(bearing);
  const rr = sigmaRange * sigmaRange;
  const tt = (range * sigmaBearing) ** 2;
  // Range along (sin b, cos b) in (east, north); cross-range along (cos b, -sin b).
  return { ee: rr * s * s + tt * c * c, en: (rr - tt) * s * c, nn: rr * c * c + tt * s * s };
}

/**
 * An external feed replayed from recorded observations (validated by `parseScenario` when it
 * comes in a scenario file; CoT later), behind the same interface as the simulated sensors.
 * One scan per whole second.
 */
export class RecordedFeed implements Sensor {
  readonly kind = 'external' as const;
  private readonly bySecond = new Map<number, RecordedObservation[]>();

  constructor(
    readonly id: string,
    records: readonly RecordedObservation[],
  ) {
    for (const r of records) {
      const k = Math.ceil(r.time - 1e-9);
      const list = this.bySecond.get(k) ?? [];
      list.push(r);
      this.bySecond.set(k, list);
    }
  }

  scansIn(from: number, to: number): number[] {
    return [...this.bySecond.keys()].filter((k) => k > from + 1e-9 && k <= to + 1e-9).sort((a, b) => a - b);
  }

  scanTime(scan: number): number {
    return scan;
  }

  /** A feed reports what it holds; its silence about a track is no evidence of absence. */
  covers(): boolean {
    return false;
  }

  observe(scan: number): Observation[] {
    return (this.bySecond.get(scan) ?? []).map((r, i) => ({
      id: `${this.id}@${scan}#${i}`,
      sensorId: this.id,
      sensorType: 'external' as const,
      sourceRef: `${this.id}.${r.ref}`,
      time: scan,
      position: { lat: r.lat, lon: r.lon, alt: 0 },
      positionCov: { ee: r.noiseM ** 2, en: 0, nn: r.noiseM ** 2 },
      velocity: r.ve === undefined || r.vn === undefined ? undefined : { ve: r.ve, vn: r.vn },
      velocityCov: r.ve === undefined ? undefined : { ee: 4, en: 0, nn: 4 },
      truthId: undefined,
    }));
  }
}
