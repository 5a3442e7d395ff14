/**
 * One seeded run of a scenario: the ground truth and the sensors observing it, stepped scan by
 * scan in time order. Everything is a pure function of (scenario, seed, time), so a node that
 * takes the run over mid-way regenerates the same observations as the node it replaces.
 */
import { GroundTruth, type TruthState } from './GroundTruth.js';
import { EoSensor, RadarSensor, RecordedFeed, type Observation, type Sensor } from './sensors.js';
import type { Scenario } from './scenario.js';

/** All observations of one scan of one sensor. */
export interface Scan {
  readonly sensor: Sensor;
  readonly scan: number;
  readonly time: number;
  readonly observations: readonly Observation[];
  /** The truth at the scan time, for scoring. */
  readonly truth: readonly TruthState[];
}

export function sensorsOf(scenario: Scenario): Sensor[] {
  return scenario.sensors.map((s) => {
    switch (s.kind) {
      case 'eo':
        return new EoSensor(s);
      case 'radar':
        return new RadarSensor(s);
      case 'external':
        return new RecordedFeed(s.id, s.records);
    }
  });
}

export class ScenarioRun {
  readonly truth: GroundTruth;
  readonly sensors: readonly Sensor[];
  private time = 0;

  /**
   * @param seed overrides the scenario's own seed (a reproducible variation of the same run).
   * @param extraSensors external feeds that join the simulated sensors.
   */
  constructor(
    readonly scenario: Scenario,
    readonly seed: number = scenario.seed,
    extraSensors: readonly Sensor[] = [],
  ) {
    this.truth = new GroundTruth(scenario);
    this.sensors = [...sensorsOf(scenario), ...extraSensors];
  }

  /** Run time reached so far, s. */
  get now(): number {
    return this.time;
  }

  get finished(): boolean {
    return this.time >= this.scenario.durationS;
  }

  /**
   * Every scan in (now, t], in time order (ties by sensor order), and moves `now` to t.
   * `observe` is false to skip scans cheaply when catching up over a long gap.
   */
  advanceTo(t: number, observe = true): Scan[] {
    const until = Math.min(t, this.scenario.durationS);
    if (until <= this.time) return [];
    if (!observe) {
      // Skipping needs only the truth: listing every scan of a long gap (10 Hz × 16 sensors ×
      // a day) allocated millions of objects and crashed the worker on every takeover.
      this.truth.advanceTo(until);
      this.time = until;
      return [];
    }
    const due: { sensor: Sensor; scan: number; time: number; order: number }[] = [];
    this.sensors.forEach((sensor, order) => {
      for (const scan of sensor.scansIn(this.time, until)) due.push({ sensor, scan, time: sensor.scanTime(scan), order });
    });
    due.sort((a, b) => a.time - b.time || a.order - b.order);
    const out: Scan[] = [];
    let truth: readonly TruthState[] = [];
    let truthTime = NaN;
    for (const d of due) {
      this.truth.advanceTo(d.time);
      // Sensors scanning at the same instant see the same (read-only) truth: built once.
      if (d.time !== truthTime) {
        truth = this.truth.states(d.time);
        truthTime = d.time;
      }
      out.push({ sensor: d.sensor, scan: d.scan, time: d.time, observations: d.sensor.observe(d.scan, truth, this.seed), truth });
    }
    this.truth.advanceTo(until);
    this.time = until;
    return out;
  }
}
