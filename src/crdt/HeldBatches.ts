/**
 * Batches stamped too far in the future wait here. A batch whose wall time is more than the
 * maximum offset ahead of this node's physical clock is not applied and not adopted by the
 * clock: a node whose clock runs an hour fast would otherwise win every conflict for an hour
 * (and a tombstone from it would hide an entity for as long). It is applied once our clock
 * reaches it, so every honest replica ends up resolving the same set. The holding area is
 * bounded; past the bound a batch stays unread in the document (a reload reads it again).
 */
import type { DecodedBatch, RawBatch } from './batch.js';

export const MAX_HELD_BATCHES = 10_000;

export interface HeldSummary {
  readonly count: number;
  /** How far ahead of our clock the furthest held batch is (ms). */
  readonly aheadMs: number;
  /** The nodes whose batches are held (at most 5). */
  readonly nodes: readonly string[];
  /** Batches not even held because the holding area was full. */
  readonly refused: number;
}

export class HeldBatches {
  private readonly held = new Map<RawBatch, DecodedBatch>();
  private refusedCount = 0;
  /** The newest held delete of each entity (rebuilt after batches leave). */
  private deletes: Map<string, string> | undefined;

  constructor(
    private readonly maxOffsetMs: number,
    private readonly physicalNow: () => number,
    private readonly limit = MAX_HELD_BATCHES,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** Whether the batch must wait: stamped more than the maximum offset ahead of our clock. */
  mustWait(batch: DecodedBatch): boolean {
    return batch.hlc.wall - this.physicalNow() > this.maxOffsetMs;
  }

  /** Holds a batch; false (and counted) when the holding area is full. */
  hold(batch: DecodedBatch): boolean {
    if (this.held.size >= this.limit) {
      this.refusedCount++;
      return false;
    }
    this.held.set(batch.raw, batch);
    this.deletes = undefined;
    return true;
  }

  /** The stamp of the newest held delete of `id`: a create now would be hidden when it comes due. */
  tombstone(id: string): string | undefined {
    if (this.held.size === 0) return undefined;
    if (!this.deletes) {
      this.deletes = new Map();
      for (const batch of this.held.values()) {
        for (const write of batch.writes) {
          if (write.kind === 'delete' && (this.deletes.get(write.id) ?? '') < batch.stamp) this.deletes.set(write.id, batch.stamp);
        }
      }
    }
    return this.deletes.get(id);
  }

  has(raw: unknown): boolean {
    return this.held.has(raw as RawBatch);
  }

  /** Forgets a held batch that left the document. */
  remove(raw: unknown): boolean {
    const removed = this.held.delete(raw as RawBatch);
    if (removed) this.deletes = undefined;
    return removed;
  }

  /** Takes out the batches whose time has come. */
  due(): DecodedBatch[] {
    const out: DecodedBatch[] = [];
    for (const [raw, batch] of this.held) {
      if (!this.mustWait(batch)) {
        out.push(batch);
        this.held.delete(raw);
        this.deletes = undefined;
      }
    }
    return out;
  }

  /** Milliseconds until the next held batch is due (undefined when none is held). */
  nextDueMs(): number | undefined {
    let next: number | undefined;
    const now = this.physicalNow();
    for (const batch of this.held.values()) {
      const wait = batch.hlc.wall - this.maxOffsetMs - now;
      if (next === undefined || wait < next) next = wait;
    }
    return next === undefined ? undefined : Math.max(0, next);
  }

  summary(): HeldSummary {
    const now = this.physicalNow();
    let aheadMs = 0;
    const nodes = new Set<string>();
    for (const batch of this.held.values()) {
      aheadMs = Math.max(aheadMs, batch.hlc.wall - now);
      if (nodes.size < 5) nodes.add(batch.hlc.node);
    }
    return { count: this.held.size, aheadMs, nodes: [...nodes], refused: this.refusedCount };
  }
}
