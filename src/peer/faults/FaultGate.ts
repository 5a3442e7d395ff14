/**
 * Applies a link's fault policy to the messages one session sends: drops, duplicates, delays
 * and reorders them before they reach the uplink and the link (whole messages, so a message
 * split into parts is never half lost). Randomness is seeded per link, so a run on memory links
 * replays. With a clean policy and nothing held, a message passes through synchronously.
 */
import { fnv1a32 } from '../../crdt/index.js';
import { CLEAN_LINK, isCleanPolicy, type LinkPolicy } from './LinkFaults.js';

export interface FaultCounts {
  /** Data messages not sent because the link is cut. */
  cut: number;
  lost: number;
  duplicated: number;
  reordered: number;
  delayed: number;
}

export class FaultGate {
  private policy: LinkPolicy = CLEAN_LINK;
  private clean = true;
  private readonly random: () => number;
  /** When the last message held for delivery is due (ms, performance.now). */
  private lastDue = 0;
  /** When the bandwidth cap frees the link again. */
  private busyUntil = 0;
  private held = 0;
  /** Messages held in order (no reordering): one timer, for the head. */
  private readonly fifo: Array<{ due: number; message: Uint8Array; deliver: (m: Uint8Array) => void }> = [];
  private fifoTimer: ReturnType<typeof setTimeout> | undefined;
  /** Messages held back on purpose to be overtaken: a timer each. */
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  readonly counts: FaultCounts = { cut: 0, lost: 0, duplicated: 0, reordered: 0, delayed: 0 };

  constructor(seed: string) {
    this.random = seededRandom(seed);
  }

  get current(): LinkPolicy {
    return this.policy;
  }

  setPolicy(policy: LinkPolicy): void {
    this.policy = policy;
    this.clean = isCleanPolicy(policy);
  }

  /** Whether the data plane is cut (incoming data is dropped too). */
  get cut(): boolean {
    return this.policy.cut;
  }

  /**
   * Sends `message` through the policy: `deliver` runs zero, one or two times, now or later.
   * Management messages (`data: false`) are delayed like all traffic but never cut, lost,
   * duplicated or reordered.
   */
  send(message: Uint8Array, data: boolean, deliver: (message: Uint8Array) => void): void {
    if (this.clean && this.held === 0) {
      deliver(message);
      return;
    }
    const p = this.policy;
    if (data && p.cut) {
      this.counts.cut++;
      return;
    }
    if (data && p.loss > 0 && this.random() < p.loss) {
      this.counts.lost++;
      return;
    }
    const copies = data && p.duplicate > 0 && this.random() < p.duplicate ? 2 : 1;
    if (copies === 2) this.counts.duplicated++;
    for (let i = 0; i < copies; i++) this.schedule(message, data, deliver);
  }

  /** Drops everything held (the link closed). */
  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    clearTimeout(this.fifoTimer);
    this.fifoTimer = undefined;
    this.fifo.length = 0;
    this.held = 0;
  }

  private schedule(message: Uint8Array, data: boolean, deliver: (message: Uint8Array) => void): void {
    const p = this.policy;
    const now = performance.now();
    let departs = now;
    if (p.bandwidthBps > 0) {
      departs = Math.max(now, this.busyUntil) + (message.byteLength * 1000) / p.bandwidthBps;
      this.busyUntil = departs;
    }
    let due = departs + p.latencyMs + (p.jitterMs > 0 ? this.random() * p.jitterMs : 0);
    const reorder = data && p.reorder > 0 && this.random() < p.reorder;
    if (reorder) {
      // Held back long enough for the next messages to overtake it.
      due += p.latencyMs + p.jitterMs + 20;
      this.counts.reordered++;
    } else {
      // A link delivers in order unless told to reorder.
      due = Math.max(due, this.lastDue);
      this.lastDue = due;
    }
    if (due <= now && this.held === 0) {
      deliver(message);
      return;
    }
    this.counts.delayed++;
    this.held++;
    if (reorder) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.held--;
        deliver(message);
      }, Math.max(0, due - now));
      this.timers.add(timer);
      return;
    }
    this.fifo.push({ due, message, deliver });
    if (this.fifo.length === 1) this.armFifo();
  }

  /** Delivers the held messages that are due, in order, and waits for the next. */
  private armFifo(): void {
    clearTimeout(this.fifoTimer);
    const head = this.fifo[0];
    if (!head) return;
    this.fifoTimer = setTimeout(() => {
      this.fifoTimer = undefined;
      const now = performance.now();
      while (this.fifo.length > 0 && this.fifo[0]!.due <= now + 1) {
        const item = this.fifo.shift()!;
        this.held--;
        item.deliver(item.message);
      }
      this.armFifo();
    }, Math.max(0, head.due - performance.now()));
  }
}

/** A small seeded generator (mulberry32 over an FNV-1a hash of the seed). */
export function seededRandom(seed: string): () => number {
  let a = fnv1a32(seed);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
