/**
 * Simulated interceptors: each step moves every asset with an active intercept toward its
 * target and walks the task through its life cycle (sent → acknowledged → executing →
 * done_ok when within `captureRadiusM`, done_not_ok when the target is gone).
 */
import { TaskBoard, haversineM, isTerminal, type EntityStore, type Position, type Task } from '../../crdt/index.js';
import { SetAside } from '../SetAside.js';

export interface InterceptOptions {
  /** Tasks whose step threw are set aside here, and the others go on. */
  readonly setAside?: SetAside;
  /** Interceptor ground speed, m/s (≈ 490 kn by default). */
  readonly speedMps?: number;
  readonly captureRadiusM?: number;
}

const DEG = Math.PI / 180;

/** Initial great-circle bearing from a to b, degrees [0, 360). */
export function bearingDeg(a: Position, b: Position): number {
  const y = Math.sin((b.lon - a.lon) * DEG) * Math.cos(b.lat * DEG);
  const x = Math.cos(a.lat * DEG) * Math.sin(b.lat * DEG) - Math.sin(a.lat * DEG) * Math.cos(b.lat * DEG) * Math.cos((b.lon - a.lon) * DEG);
  return ((Math.atan2(y, x) / DEG) % 360 + 360) % 360;
}

/** Moves `distanceM` from `from` along `bearing` (local flat-Earth step, good to metres per second of flight). */
export function moveToward(from: Position, bearing: number, distanceM: number): Position {
  const metresPerDegLat = 111_320;
  const dLat = (Math.cos(bearing * DEG) * distanceM) / metresPerDegLat;
  const dLon = (Math.sin(bearing * DEG) * distanceM) / (metresPerDegLat * Math.max(0.01, Math.cos(from.lat * DEG)));
  return { lat: Math.max(-90, Math.min(90, from.lat + dLat)), lon: ((from.lon + dLon + 540) % 360) - 180, alt: from.alt };
}

export class InterceptExecutor {
  private readonly speed: number;
  private readonly capture: number;
  private readonly setAside: SetAside;

  constructor(
    private readonly store: EntityStore,
    private readonly board: TaskBoard,
    options: InterceptOptions = {},
  ) {
    this.speed = options.speedMps ?? 250;
    this.capture = options.captureRadiusM ?? 500;
    this.setAside = options.setAside ?? new SetAside();
  }

  /** Advances every active intercept by `dtSeconds`. */
  step(dtSeconds: number): void {
    this.store.transact(() => {
      for (const task of this.board.list()) {
        if (task.kind !== 'intercept' || isTerminal(task.status)) continue;
        this.setAside.attempt('intercept', task.id, () => this.stepTask(task, dtSeconds));
      }
    });
  }

  private stepTask(task: Task & { id: string }, dtSeconds: number): void {
    const target = this.store.get(task.targetId);
    const asset = this.store.get(task.assetId);
    if (!asset?.components.position) {
      this.board.advance(task.id, 'done_not_ok', `asset ${task.assetId} is gone`);
      return;
    }
    if (!target?.components.position) {
      this.board.advance(task.id, 'done_not_ok', `target ${task.targetId} lost`);
      return;
    }
    switch (task.status) {
      case 'created':
        this.board.advance(task.id, 'sent');
        break;
      case 'sent':
        this.board.advance(task.id, 'acknowledged', `${task.assetId} acknowledged`);
        break;
      case 'acknowledged':
        this.board.advance(task.id, 'executing', `${task.assetId} en route`);
        break;
      case 'executing': {
        const from = asset.components.position;
        const to = target.components.position;
        const distance = haversineM(from, to);
        const heading = bearingDeg(from, to);
        const travel = Math.min(distance, this.speed * dtSeconds);
        const position = moveToward(from, heading, travel);
        this.store.update(task.assetId, { position, velocity: { speed: this.speed, heading } });
        if (distance - travel <= this.capture) this.board.advance(task.id, 'done_ok', `intercepted ${task.targetId}`);
        break;
      }
      default:
        break;
    }
  }
}
