/**
 * Ground truth: where every target really is. Integrated in fixed steps from t = 0, so the
 * truth at a time is the same on every node and in every run, whatever order it is asked in.
 * Kept beside the pipeline so fusion can be scored against it.
 */
import type { Position } from '../crdt/index.js';
import { crossesPole, deadReckon, KNOT, radii } from './geo.js';
import type { Scenario, TargetSpec } from './scenario.js';

/**
 * The integration step, s. Manoeuvres start on a step; a scan between steps sees each target
 * dead-reckoned from the last step to the scan's exact time.
 */
export const TRUTH_STEP_S = 0.5;

export interface TruthState {
  readonly id: string;
  readonly position: Position;
  /** m/s */
  readonly speed: number;
  /** degrees */
  readonly heading: number;
  /** East and north velocity, m/s. */
  readonly ve: number;
  readonly vn: number;
}

interface Craft {
  readonly spec: TargetSpec;
  position: Position;
  speed: number;
  heading: number;
  targetSpeed: number;
  accel: number;
  targetHeading: number;
  turnRate: number;
  waypoint: { lat: number; lon: number } | undefined;
  next: number;
}

function wrap180(d: number): number {
  return ((((d + 180) % 360) + 360) % 360) - 180;
}

export class GroundTruth {
  private readonly crafts: Craft[];
  private stepIndex = 0;

  constructor(readonly scenario: Scenario) {
    this.crafts = scenario.targets.map((spec) => ({
      spec,
      position: { ...spec.start },
      speed: spec.speedKn * KNOT,
      heading: spec.headingDeg % 360,
      targetSpeed: spec.speedKn * KNOT,
      accel: 0,
      targetHeading: spec.headingDeg % 360,
      turnRate: 3,
      waypoint: undefined,
      next: 0,
    }));
  }

  /** Current time of the integration, s. */
  get time(): number {
    return this.stepIndex * TRUTH_STEP_S;
  }

  /** Integrates forward to `t` (never backwards: build a new truth for that). */
  advanceTo(t: number): void {
    const target = Math.floor(t / TRUTH_STEP_S + 1e-9);
    while (this.stepIndex < target) this.step();
  }

  /**
   * Targets present at `at` (default: the integration time), which must lie within one step
   * after it: each is carried from the last step on its current speed and heading.
   */
  states(at = this.time): TruthState[] {
    const t = this.time;
    const dt = Math.max(0, at - t);
    const out: TruthState[] = [];
    for (const c of this.crafts) {
      if (c.spec.appearS > at + 1e-9) continue;
      const h = (c.heading * Math.PI) / 180;
      const position = dt > 1e-9 ? deadReckon(c.position, c.speed, c.heading, dt) : c.position;
      out.push({ id: c.spec.id, position, speed: c.speed, heading: c.heading, ve: c.speed * Math.sin(h), vn: c.speed * Math.cos(h) });
    }
    return out;
  }

  private step(): void {
    const t = this.time;
    const dt = TRUTH_STEP_S;
    for (const c of this.crafts) {
      if (c.spec.appearS > t + 1e-9) continue;
      while (c.next < c.spec.manoeuvres.length && c.spec.manoeuvres[c.next]!.atS <= t + 1e-9) {
        const m = c.spec.manoeuvres[c.next++]!;
        if (m.kind === 'turn') {
          c.targetHeading = m.headingDeg % 360;
          c.turnRate = m.rateDegS;
          c.waypoint = undefined;
        } else if (m.kind === 'speed') {
          c.targetSpeed = m.speedKn * KNOT;
          c.accel = m.accelKnS * KNOT;
        } else {
          c.waypoint = { lat: m.lat, lon: m.lon };
          c.turnRate = m.rateDegS;
        }
      }
      if (c.waypoint) {
        const { m, n } = radii(c.position.lat);
        const north = (c.waypoint.lat - c.position.lat) * (Math.PI / 180) * m;
        const east = (c.waypoint.lon - c.position.lon) * (Math.PI / 180) * n * Math.cos((c.position.lat * Math.PI) / 180);
        if (Math.hypot(east, north) <= Math.max(c.speed * dt * 2, 1)) c.waypoint = undefined;
        else c.targetHeading = ((Math.atan2(east, north) * 180) / Math.PI + 360) % 360;
      }
      const dh = wrap180(c.targetHeading - c.heading);
      const maxTurn = c.turnRate * dt;
      c.heading = (((c.heading + Math.max(-maxTurn, Math.min(maxTurn, dh))) % 360) + 360) % 360;
      const ds = c.targetSpeed - c.speed;
      const maxDs = c.accel * dt;
      c.speed += Math.max(-maxDs, Math.min(maxDs, ds));
      const overPole = crossesPole(c.position.lat, c.speed * dt * Math.cos(c.heading * (Math.PI / 180)));
      c.position = deadReckon(c.position, c.speed, c.heading, dt);
      if (overPole) {
        // Flying on over a pole is flying south (or north) on the other side.
        c.heading = (c.heading + 180) % 360;
        c.targetHeading = (c.targetHeading + 180) % 360;
      }
    }
    this.stepIndex++;
  }
}
