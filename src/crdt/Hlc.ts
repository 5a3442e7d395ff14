/**
 * Hybrid logical clock after Kulkarni, Demirbas et al., "Logical Physical Clocks and Consistent
 * Snapshots in Globally Distributed Databases" (2014).
 *
 * A timestamp is (wall, counter, node): `wall` tracks the greatest physical time seen in
 * milliseconds, `counter` orders events within one millisecond, `node` breaks the remaining ties
 * so that the order is total across the mesh.
 */
import { ClockSkewError, ValidationError } from './errors.js';

/** One HLC timestamp. Immutable by convention. */
export interface Hlc {
  readonly wall: number;
  readonly counter: number;
  readonly node: string;
}

/** Width of the base-36 wall field: 36^9 ms reaches past the year 5000. */
const WALL_WIDTH = 9;
/** Width of the base-36 counter field. */
const COUNTER_WIDTH = 4;
/** Largest counter value; beyond it the clock moves its wall forward by 1 ms (see `tick`). */
export const MAX_COUNTER = 36 ** COUNTER_WIDTH - 1;
const MAX_WALL = 36 ** WALL_WIDTH - 1;
/** Node ids: short, URL-safe and free of the separator used in encodings. */
const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Default maximum forward offset accepted from a remote clock (CockroachDB's default). */
export const DEFAULT_MAX_OFFSET_MS = 500;

export function isValidNodeId(node: unknown): node is string {
  return typeof node === 'string' && NODE_ID.test(node);
}

/**
 * The node id a node's pipeline worker stamps with: its own, marked. The worker writes under
 * the node's authority (its batches are signed with the node's key).
 */
export function pipelineNodeId(node: string): string {
  return `${node}${PIPELINE_SUFFIX}`;
}
const PIPELINE_SUFFIX = '-pl';

/** The node whose authority a stamp's node writes under: itself, or the node of a pipeline. */
export function authorNodeId(stamped: string): string {
  return stamped.endsWith(PIPELINE_SUFFIX) ? stamped.slice(0, -PIPELINE_SUFFIX.length) : stamped;
}

/** Whether `stamped` is `node` itself or its pipeline. */
export function isNodeOrPipeline(stamped: string, node: string): boolean {
  return stamped === node || stamped === pipelineNodeId(node);
}

export function assertNodeId(node: unknown): asserts node is string {
  if (!isValidNodeId(node)) {
    throw new ValidationError(
      'node-id',
      `Node id ${JSON.stringify(node)} is not valid: use 1–64 letters, digits, '-' or '_'.`,
    );
  }
}

/** Total order: wall, then counter, then node id. Returns a negative, zero or positive number. */
export function compareHlc(a: Hlc, b: Hlc): number {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  if (a.node === b.node) return 0;
  return a.node < b.node ? -1 : 1;
}

/**
 * Compact, order-preserving text form: 9 base-36 wall digits, 4 counter digits, then the node
 * id. Plain string comparison of two encodings gives the same answer as `compareHlc`.
 */
export function encodeHlc(t: Hlc): string {
  return (
    t.wall.toString(36).padStart(WALL_WIDTH, '0') +
    t.counter.toString(36).padStart(COUNTER_WIDTH, '0') +
    t.node
  );
}

const ENCODED = /^[0-9a-z]{13}[A-Za-z0-9_-]{1,64}$/;

/** Parses `encodeHlc` output; anything else is a `ValidationError` (it may come from a peer). */
export function decodeHlc(text: unknown): Hlc {
  if (typeof text !== 'string' || !ENCODED.test(text)) {
    throw new ValidationError('hlc', `${JSON.stringify(text)} is not an encoded HLC timestamp.`);
  }
  return {
    wall: parseInt(text.slice(0, WALL_WIDTH), 36),
    counter: parseInt(text.slice(WALL_WIDTH, WALL_WIDTH + COUNTER_WIDTH), 36),
    node: text.slice(WALL_WIDTH + COUNTER_WIDTH),
  };
}

export interface HybridClockOptions {
  /** Physical clock in ms since the epoch; injectable for tests. */
  readonly physicalNow?: () => number;
  /** Largest accepted lead of a remote timestamp over our physical time, in ms. */
  readonly maxOffsetMs?: number;
}

/** The clock of one node. */
export class HybridClock {
  readonly node: string;
  readonly maxOffsetMs: number;
  private readonly physicalNow: () => number;
  private wall = 0;
  private counter = 0;
  /** The last timestamp this node issued (not merely observed). */
  private issued: Hlc | undefined;

  constructor(node: string, options: HybridClockOptions = {}) {
    assertNodeId(node);
    this.node = node;
    this.physicalNow = options.physicalNow ?? (() => Date.now());
    this.maxOffsetMs = options.maxOffsetMs ?? DEFAULT_MAX_OFFSET_MS;
  }

  /** The last timestamp issued or observed, without advancing. */
  peek(): Hlc {
    return { wall: this.wall, counter: this.counter, node: this.node };
  }

  /** Timestamp for a local or send event. Strictly greater than every earlier one. */
  now(): Hlc {
    const pt = this.readPhysical();
    if (pt > this.wall) {
      this.wall = pt;
      this.counter = 0;
    } else {
      // Physical time stood still or stepped backwards: the wall is kept, which masks the step.
      this.tick(this.counter + 1);
    }
    this.issued = this.peek();
    return this.issued;
  }

  /**
   * After the physical clock was corrected backwards (it had run ahead of the mesh): the wall
   * returns to the later of physical time and the last timestamp this node issued, so its next
   * writes are stamped by the corrected time, yet still after every write it made before.
   */
  rewind(): void {
    const pt = this.readPhysical();
    const floor = this.issued;
    if (floor && (floor.wall > pt || (floor.wall === pt && floor.counter > 0))) {
      this.wall = floor.wall;
      this.counter = floor.counter;
    } else if (pt < this.wall) {
      this.wall = pt;
      this.counter = 0;
    }
  }

  /**
   * Merges a received timestamp (receive event) and returns the new local timestamp, which is
   * greater than both the remote one and every earlier local one. A remote timestamp more than
   * `maxOffsetMs` ahead of our physical time throws `ClockSkewError` and leaves the clock as it
   * was, so one bad clock in the mesh cannot drag every node into the future.
   */
  update(remote: Hlc): Hlc {
    const pt = this.readPhysical();
    if (remote.wall - pt > this.maxOffsetMs) {
      throw new ClockSkewError(remote.wall - pt, this.maxOffsetMs);
    }
    const wall = Math.max(this.wall, remote.wall, pt);
    let counter: number;
    if (wall === this.wall && wall === remote.wall) counter = Math.max(this.counter, remote.counter) + 1;
    else if (wall === this.wall) counter = this.counter + 1;
    else if (wall === remote.wall) counter = remote.counter + 1;
    else counter = 0;
    this.wall = wall;
    this.tick(counter);
    return this.peek();
  }

  /**
   * Keeps the counter bounded: at `MAX_COUNTER` the wall moves forward by one millisecond
   * instead. The order stays strict and the wall stays ≥ physical time; it may run ahead of
   * physical time by at most (events in a burst / MAX_COUNTER) ms.
   */
  private tick(counter: number): void {
    if (counter > MAX_COUNTER) {
      this.wall += 1;
      this.counter = 0;
    } else {
      this.counter = counter;
    }
  }

  private readPhysical(): number {
    const pt = Math.floor(this.physicalNow());
    if (!Number.isFinite(pt) || pt < 0 || pt > MAX_WALL) {
      throw new ValidationError('clock', `The physical clock returned ${pt}, which is not a usable time.`);
    }
    return pt;
  }
}
