/**
 * What peers send is applied in time slices, fairly between peers, each within its share, so a
 * peer that floods cannot freeze the page or starve the others:
 * - a slice runs for at most `sliceMs` (well under the 50 ms a person notices), then yields to
 *   the page (a MessageChannel task: unlike timers, not throttled in background tabs);
 * - peers take turns within a slice (round robin), so honest traffic keeps flowing;
 * - each peer has a share per second (bytes and messages, a token bucket with one second of
 *   burst); past it, its messages wait and the peer is reported as slowed, by name;
 * - each peer's waiting messages are bounded, in bytes (each counted with what keeping it costs
 *   beyond its bytes) and in number (ten seconds of its share); past that they are dropped and
 *   counted (anti-entropy repairs what an honest peer loses this way).
 * With nothing waiting and tokens to spare, a message is applied at once (no added latency).
 */

export interface InboundOptions {
  readonly sliceMs?: number;
  readonly shareBytesPerSecond?: number;
  readonly shareMessagesPerSecond?: number;
  readonly maxQueuedBytes?: number;
  /** Default: ten seconds of the message share. */
  readonly maxQueuedMessages?: number;
  readonly now?: () => number;
}

interface PeerQueue {
  readonly items: Array<{ readonly bytes: number; readonly run: () => void }>;
  head: number;
  queuedBytes: number;
  tokensBytes: number;
  tokensMessages: number;
  refilledAt: number;
  /** When the peer last ran out of its share (0: it has not, lately). */
  slowedAt: number;
  dropped: number;
}

export const DEFAULT_SHARE_BYTES_PER_SECOND = 4 * 1024 * 1024;
export const DEFAULT_SHARE_MESSAGES_PER_SECOND = 400;
const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;
/** What a waiting message costs beyond its bytes (its buffer, closure and slot), counted against the bound. */
export const QUEUED_OVERHEAD_BYTES = 256;
/** A peer counts as slowed for this long after it last exceeded its share. */
const SLOWED_HOLD_MS = 5_000;

export class InboundScheduler<K> {
  private readonly queues = new Map<K, PeerQueue>();
  private readonly sliceMs: number;
  private readonly shareBytes: number;
  private readonly shareMessages: number;
  private readonly maxQueuedBytes: number;
  private readonly maxQueuedMessages: number;
  private readonly now: () => number;
  private scheduled = false;
  private refillTimer: ReturnType<typeof setTimeout> | undefined;
  private sliceStart = -Infinity;
  private readonly channel: MessageChannel | undefined;
  private destroyed = false;

  constructor(options: InboundOptions = {}) {
    this.sliceMs = options.sliceMs ?? 15;
    this.shareBytes = options.shareBytesPerSecond ?? DEFAULT_SHARE_BYTES_PER_SECOND;
    this.shareMessages = options.shareMessagesPerSecond ?? DEFAULT_SHARE_MESSAGES_PER_SECOND;
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.maxQueuedMessages = options.maxQueuedMessages ?? this.shareMessages * 10;
    this.now = options.now ?? (() => performance.now());
    if (typeof MessageChannel !== 'undefined') {
      this.channel = new MessageChannel();
      this.channel.port1.onmessage = () => this.run();
    }
  }

  /**
   * Applies `run` for a message of `bytes` from `peer` now, or later in its turn. Returns false
   * when the peer's waiting messages are over their bound and this one was dropped.
   */
  submit(peer: K, bytes: number, run: () => void): boolean {
    if (this.destroyed) return false;
    const q = this.queue(peer);
    this.refill(q);
    const idle = q.head === q.items.length;
    // The fast path: nothing of this peer waits, it has tokens, and the slice has time left.
    if (idle && !this.scheduled && q.tokensMessages >= 1 && q.tokensBytes >= Math.min(bytes, this.shareBytes)) {
      const now = this.now();
      if (now - this.sliceStart >= this.sliceMs * 4) this.sliceStart = now;
      if (now - this.sliceStart < this.sliceMs) {
        this.take(q, bytes);
        run();
        return true;
      }
    }
    if (q.queuedBytes + bytes + QUEUED_OVERHEAD_BYTES > this.maxQueuedBytes || q.items.length - q.head >= this.maxQueuedMessages) {
      q.dropped++;
      q.slowedAt = this.now();
      return false;
    }
    q.items.push({ bytes, run });
    q.queuedBytes += bytes + QUEUED_OVERHEAD_BYTES;
    this.schedule();
    return true;
  }

  /** Peers that exceeded their share lately, with what they had dropped. */
  slowed(): Array<{ peer: K; waiting: number; dropped: number }> {
    const now = this.now();
    const out: Array<{ peer: K; waiting: number; dropped: number }> = [];
    for (const [peer, q] of this.queues) if (q.slowedAt > 0 && now - q.slowedAt < SLOWED_HOLD_MS) out.push({ peer, waiting: q.items.length - q.head, dropped: q.dropped });
    return out;
  }

  /** Forgets a peer (its link closed): what it sent and is still waiting is dropped. */
  forget(peer: K): void {
    this.queues.delete(peer);
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.refillTimer);
    this.queues.clear();
    if (this.channel) {
      this.channel.port1.onmessage = null;
      this.channel.port1.close();
    }
  }

  private queue(peer: K): PeerQueue {
    let q = this.queues.get(peer);
    if (!q) {
      q = { items: [], head: 0, queuedBytes: 0, tokensBytes: this.shareBytes, tokensMessages: this.shareMessages, refilledAt: this.now(), slowedAt: 0, dropped: 0 };
      this.queues.set(peer, q);
    }
    return q;
  }

  private refill(q: PeerQueue): void {
    const now = this.now();
    const seconds = (now - q.refilledAt) / 1000;
    if (seconds <= 0) return;
    q.tokensBytes = Math.min(this.shareBytes, q.tokensBytes + seconds * this.shareBytes);
    q.tokensMessages = Math.min(this.shareMessages, q.tokensMessages + seconds * this.shareMessages);
    q.refilledAt = now;
  }

  private take(q: PeerQueue, bytes: number): void {
    q.tokensMessages -= 1;
    // A message larger than a whole share may pass when the bucket is full (it costs the lot).
    q.tokensBytes -= Math.min(bytes, this.shareBytes);
  }

  private schedule(): void {
    if (this.scheduled || this.destroyed) return;
    this.scheduled = true;
    if (this.channel) this.channel.port2.postMessage(0);
    else setTimeout(() => this.run(), 0);
  }

  private run(): void {
    this.scheduled = false;
    if (this.destroyed) return;
    const start = this.now();
    this.sliceStart = start;
    let waitMs = Infinity;
    let progressed = true;
    while (progressed && this.now() - start < this.sliceMs) {
      progressed = false;
      for (const q of this.queues.values()) {
        if (q.head === q.items.length) continue;
        this.refill(q);
        const item = q.items[q.head]!;
        if (q.tokensMessages < 1 || q.tokensBytes < Math.min(item.bytes, this.shareBytes)) {
          // Over its share: it waits for tokens, and is named.
          q.slowedAt = this.now();
          const need = Math.max((1 - q.tokensMessages) / this.shareMessages, (Math.min(item.bytes, this.shareBytes) - q.tokensBytes) / this.shareBytes) * 1000;
          waitMs = Math.min(waitMs, Math.max(1, need));
          continue;
        }
        this.take(q, item.bytes);
        q.items[q.head] = undefined as never;
        q.head++;
        q.queuedBytes -= item.bytes + QUEUED_OVERHEAD_BYTES;
        if (q.head === q.items.length) {
          q.items.length = 0;
          q.head = 0;
        } else if (q.head > 1024 && q.head * 2 > q.items.length) {
          q.items.splice(0, q.head);
          q.head = 0;
        }
        progressed = true;
        try {
          item.run();
        } catch (error) {
          // The session catches what a message does wrong; this is a bug, reported, not fatal.
          console.error('lattice: applying a peer message failed', error);
        }
        if (this.now() - start >= this.sliceMs) break;
      }
    }
    const more = [...this.queues.values()].some((q) => q.head < q.items.length && q.tokensMessages >= 1);
    if (more) this.schedule();
    else if (waitMs !== Infinity) {
      clearTimeout(this.refillTimer);
      this.refillTimer = setTimeout(() => this.schedule(), waitMs);
    }
  }
}
