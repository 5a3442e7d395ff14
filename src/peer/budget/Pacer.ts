/**
 * Paces everything a node sends through one token bucket (see `UplinkBudget`): transports hand
 * each message to `submit` as parts no larger than `partBytes`, and the pacer delivers them when
 * the budget allows, counting the bytes per traffic class.
 *
 * Two lanes, each first in first out: the node's own traffic (its changes, the resync a new link
 * starts, presence) and, only when that lane is empty, what it forwards for others (`relay`).
 * The parts of one message leave together, in order, with nothing between them (a data channel
 * reassembles them by order). With no budget (`bytesPerSecond: 0`) every part leaves at once.
 */
import { ObservableV2 } from 'lib0/observable';
import { TRAFFIC_CLASSES, type TrafficClass, type UplinkBudget } from '../LatticeNode.js';
import { TokenBucket } from './TokenBucket.js';
import { UNLIMITED } from './uplinkBudget.js';

/** What a session says a message is (its traffic class). */
export type MessageKind = TrafficClass;

/** The largest part a transport sends when there is no budget (data channels take up to 256 KiB). */
export const MAX_PART_BYTES = 64 * 1024;
/** The window of the bytes-per-second figures. */
export const TRAFFIC_WINDOW_MS = 5_000;
const SLOT_MS = 250;

export interface PacerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: PacerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Unit {
  readonly kind: TrafficClass;
  readonly lane: 0 | 1;
  readonly parts: readonly Uint8Array[];
  readonly deliver: (part: Uint8Array) => void;
  next: number;
}

export interface PacerEvents {
  /** The own lane emptied: the gateway may release more changes. */
  idle: () => void;
}

export class Pacer extends ObservableV2<PacerEvents> {
  private settings: UplinkBudget = UNLIMITED;
  private readonly bucket: TokenBucket;
  private readonly lanes: [Unit[], Unit[]] = [[], []];
  private current: Unit | undefined;
  private pending = 0;
  private draining = false;
  private timer: unknown;
  private timerDue = Infinity;
  private readonly totals = zeroes();
  /** Bytes per class in slots of SLOT_MS, keyed by slot number. */
  private readonly slots = new Map<number, number[]>();
  /** Tokens the relay lane must leave for the own lane (the gateway's next release). */
  relayReserve: () => number = () => 0;

  constructor(private readonly clock: PacerClock = realClock) {
    super();
    this.bucket = new TokenBucket(0, 0, clock.now());
  }

  get budget(): UplinkBudget {
    return this.settings;
  }

  get limited(): boolean {
    return this.settings.bytesPerSecond > 0;
  }

  /** Parts must not be larger than this: with a budget, no message may be larger than the burst. */
  get partBytes(): number {
    return this.limited ? Math.min(MAX_PART_BYTES, this.settings.burstBytes) : MAX_PART_BYTES;
  }

  /** Bytes made into messages and not yet sent. */
  get pendingBytes(): number {
    return this.pending;
  }

  /** Whether the own lane has nothing waiting. */
  get idle(): boolean {
    return this.lanes[0].length === 0 && this.current?.lane !== 0;
  }

  setBudget(budget: UplinkBudget): void {
    this.settings = budget;
    this.bucket.configure(budget.bytesPerSecond, budget.burstBytes, this.clock.now());
    this.cancelTimer();
    this.drain();
  }

  /** Tokens available now (Infinity without a budget). */
  available(): number {
    return this.limited ? this.bucket.available(this.clock.now()) : Infinity;
  }

  /** Milliseconds until `bytes` tokens are there (0 without a budget). */
  msUntil(bytes: number): number {
    return this.limited ? this.bucket.msUntil(bytes, this.clock.now()) : 0;
  }

  /**
   * Queues one message as parts (each at most `partBytes`); `deliver` is called for each part
   * in order when the budget allows (synchronously, when nothing waits and tokens are there).
   */
  submit(kind: MessageKind, parts: readonly Uint8Array[], deliver: (part: Uint8Array) => void): void {
    if (parts.length === 0) return;
    const resolved = kind;
    const lane = resolved === 'relay' ? 1 : 0;
    for (const part of parts) this.pending += part.byteLength;
    this.lanes[lane].push({ kind: resolved, lane, parts, deliver, next: 0 });
    this.drain();
  }

  /** Forgets everything waiting (the node left the mesh: its links are gone). */
  clear(): void {
    this.lanes[0].length = 0;
    this.lanes[1].length = 0;
    this.current = undefined;
    this.pending = 0;
    this.cancelTimer();
    this.emit('idle', []);
  }

  /** Bytes sent per class since the start. */
  totalBytes(): Record<TrafficClass, number> {
    return fromList(this.totals);
  }

  /** Bytes per second per class over the last TRAFFIC_WINDOW_MS. */
  rates(): Record<TrafficClass, number> {
    const now = this.clock.now();
    const first = Math.floor((now - TRAFFIC_WINDOW_MS) / SLOT_MS) + 1;
    const sums = zeroes();
    for (const [slot, bytes] of this.slots) {
      if (slot < first) {
        this.slots.delete(slot);
        continue;
      }
      for (let i = 0; i < sums.length; i++) sums[i]! += bytes[i]!;
    }
    return fromList(sums.map((b) => b / (TRAFFIC_WINDOW_MS / 1000)));
  }

  override destroy(): void {
    this.cancelTimer();
    this.lanes[0].length = 0;
    this.lanes[1].length = 0;
    super.destroy();
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    const wasBusy = !this.idle;
    try {
      for (;;) {
        const unit = this.current ?? this.lanes[0].shift() ?? this.lanes[1].shift();
        if (!unit) break;
        this.current = unit;
        const part = unit.parts[unit.next]!;
        if (this.limited) {
          const now = this.clock.now();
          // A relay part that has not started may not spend what the own lane is about to need.
          const need = part.byteLength + (unit.lane === 1 && unit.next === 0 ? this.relayReserve() : 0);
          if (!this.bucket.allows(need, now)) {
            this.schedule(this.bucket.msUntil(need, now));
            break;
          }
          this.bucket.take(part.byteLength, now);
        }
        unit.next++;
        if (unit.next === unit.parts.length) this.current = undefined;
        this.account(unit.kind, part.byteLength);
        try {
          unit.deliver(part);
        } catch (error) {
          // The link closed under us; the transport notices and reports it.
          console.warn(`lattice: a message part could not be sent (${error instanceof Error ? error.message : String(error)})`);
        }
      }
    } finally {
      this.draining = false;
    }
    if (wasBusy && this.idle) this.emit('idle', []);
  }

  private account(kind: TrafficClass, bytes: number): void {
    const index = TRAFFIC_CLASSES.indexOf(kind);
    this.pending -= bytes;
    this.totals[index]! += bytes;
    const slot = Math.floor(this.clock.now() / SLOT_MS);
    let row = this.slots.get(slot);
    if (!row) {
      row = zeroes();
      this.slots.set(slot, row);
      // Keep the map small even when nobody reads the rates.
      if (this.slots.size > (2 * TRAFFIC_WINDOW_MS) / SLOT_MS) this.rates();
    }
    row[index]! += bytes;
  }

  private schedule(ms: number): void {
    const due = this.clock.now() + ms;
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.cancelTimer();
    this.timerDue = due;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.drain();
    }, Math.max(1, ms));
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }
}

function zeroes(): number[] {
  return TRAFFIC_CLASSES.map(() => 0);
}

function fromList(values: readonly number[]): Record<TrafficClass, number> {
  return Object.fromEntries(TRAFFIC_CLASSES.map((c, i) => [c, values[i]!])) as Record<TrafficClass, number>;
}

/** Splits `message` into parts of at most `size` bytes (views, no copies). */
export function splitBytes(message: Uint8Array, size: number): Uint8Array[] {
  if (message.byteLength <= size) return [message];
  const parts: Uint8Array[] = [];
  for (let at = 0; at < message.byteLength; at += size) parts.push(message.subarray(at, Math.min(message.byteLength, at + size)));
  return parts;
}
