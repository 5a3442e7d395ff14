/**
 * Keeps the log the size of the live state: deletes batches none of whose writes matter any
 * more, rewrites this node's mostly-dead batches with only their live writes (same stamp, so
 * every node resolves exactly as before), and forgets tombstones older than the grace period.
 * Every method must run inside a transaction on the log's document.
 */
import type * as Y from 'yjs';
import { encodeHlc } from './Hlc.js';
import type { RawBatch } from './batch.js';
import type { BatchInfo, EntityIndex } from './EntityIndex.js';

/** Own batches smaller than this are left alone even when mostly dead: rewriting costs more. */
const REWRITE_MIN_SIZE = 8;

export interface CompactorOptions {
  /** This node: only its own batches are rewritten (others' are signed by their writers). */
  readonly node: string;
  /** Rewrite own mostly-dead batches (see `EntityStoreOptions.rewriteOwn`). */
  readonly rewriteOwn: boolean;
  /** How long a tombstone is kept before it may be forgotten (ms). */
  readonly tombstoneGraceMs: number;
  readonly physicalNow: () => number;
}

export interface CompactResult {
  readonly deletedBatches: number;
  readonly rewrittenBatches: number;
  readonly collectedTombstones: number;
}

export class LogCompactor {
  constructor(
    private readonly log: Y.Array<RawBatch>,
    private readonly index: EntityIndex,
    private readonly options: CompactorOptions,
  ) {}

  /** Collects the whole log, forgetting tombstones older than the grace period first. */
  compact(): CompactResult {
    const { node, tombstoneGraceMs, physicalNow } = this.options;
    const horizon = encodeHlc({ wall: Math.max(0, Math.floor(physicalNow()) - tombstoneGraceMs), counter: 0, node: '_' });
    const forced = new Set<BatchInfo>();
    let collected = 0;
    for (const id of this.index.collectableTombstones(horizon)) {
      const rewrite = this.index.collect(id, (batch) => batch.hlc.node === node);
      if (!rewrite) continue; // another node's batch still holds its create: that node collects it
      collected++;
      for (const batch of rewrite) forced.add(batch);
    }
    this.index.endChanges('local');
    return { ...this.collect([...this.index.allBatches()], forced), collectedTombstones: collected };
  }

  /**
   * Deletes dead batches and rewrites own mostly-dead ones (and those in `forced`, which must
   * lose a collected entity's writes).
   */
  collect(candidates: Iterable<BatchInfo>, forced: ReadonlySet<BatchInfo> = new Set()): { deletedBatches: number; rewrittenBatches: number } {
    const { node, rewriteOwn } = this.options;
    const remove = new Set<RawBatch>();
    const rewrites: BatchInfo[] = [];
    for (const info of candidates) {
      if (info.pinned || !this.index.batchInfo(info.raw)) continue;
      if (info.live.size === 0) remove.add(info.raw);
      else if (forced.has(info) || (rewriteOwn && info.hlc.node === node && info.size >= REWRITE_MIN_SIZE && info.live.size * 2 < info.size)) rewrites.push(info);
    }
    if (remove.size === 0 && rewrites.length === 0) return { deletedBatches: 0, rewrittenBatches: 0 };
    for (const info of rewrites) remove.add(info.raw);
    this.deleteFromLog(remove);
    for (const info of rewrites) {
      // Same stamp, only the writes that still matter: every node resolves exactly as before.
      const raw: RawBatch = [info.stamp];
      for (const slot of info.live) raw.push(slot.raw);
      this.log.push([raw]);
      this.index.transfer(info, raw);
    }
    for (const raw of remove) if (!rewrites.some((r) => r.raw === raw)) this.index.removeBatch(raw);
    return { deletedBatches: remove.size - rewrites.length, rewrittenBatches: rewrites.length };
  }

  /** Deletes the given batches from the log. */
  deleteFromLog(targets: ReadonlySet<RawBatch>): void {
    const positions: number[] = [];
    this.log.toArray().forEach((raw, i) => {
      if (targets.has(raw)) positions.push(i);
    });
    // Delete from the end, merging neighbours into one range each.
    for (let end = positions.length - 1; end >= 0; ) {
      let start = end;
      while (start > 0 && positions[start - 1] === positions[start]! - 1) start--;
      this.log.delete(positions[start]!, end - start + 1);
      end = start - 1;
    }
  }
}
