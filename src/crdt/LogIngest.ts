/**
 * Everything that enters the log from elsewhere: batches a peer's document brought (or took
 * away), and batches imported from another document. Both are read by one path (`sort`): each
 * entry is decoded and then refused (not a batch), held until its time (stamped too far ahead),
 * kept out of the picture (it does not count: `EntityStoreOptions.counts`), or applied; what
 * was wrong with it is counted and reported for a person to read.
 *
 * A peer that removes batches still holding live writes is not obeyed blindly: unless a write
 * present justifies the loss, the batches are put back after a while (`putBackAfterMs`).
 */
import type * as Y from 'yjs';
import { ClockSkewError, LatticeError } from './errors.js';
import { decodeHlc, type HybridClock } from './Hlc.js';
import { HeldBatches, MAX_HELD_BATCHES, type HeldSummary } from './HeldBatches.js';
import { decodeBatch, type DecodedBatch, type RawBatch } from './batch.js';
import { CODE_DELETE } from './components.js';
import type { EntityChange, EntityIndex, Slot } from './EntityIndex.js';
import type { LogCompactor } from './LogCompactor.js';

const MAX_PROBLEMS = 20;

export interface IngestOptions {
  readonly doc: Y.Doc;
  readonly log: Y.Array<RawBatch>;
  readonly index: EntityIndex;
  readonly compactor: LogCompactor;
  readonly clock: HybridClock;
  readonly physicalNow: () => number;
  readonly tombstoneGraceMs: number;
  readonly putBackAfterMs: number;
  readonly counts: ((batch: DecodedBatch) => boolean) | undefined;
  /** The origin of a transaction that imports batches: the store, or an `ImportOrigin` carrying `tag`. */
  readonly origin: (tag: unknown) => unknown;
  /** Tells the store's listeners (see `StoreEvents`). */
  readonly changed: (changes: readonly EntityChange[]) => void;
  readonly appended: (batches: readonly DecodedBatch[], source: 'import' | 'document') => void;
  readonly rejected: (problems: readonly string[]) => void;
}

/** What `sort` made of a list of log entries, besides the batches it accepted. */
interface Sorted {
  /** Entries from a peer's document that nobody can read: to be deleted from the log. */
  readonly garbage: Set<RawBatch>;
  /** Batches newly kept out of the picture (held or not counting): stored, not applied. */
  readonly waiting: DecodedBatch[];
  /** Whether some batch had to wait for its time. */
  held: boolean;
}

export class LogIngest {
  private rejectedWrites = 0;
  private rejectedBatches = 0;
  private clockSkews = 0;
  private restoredBatches = 0;
  private readonly putBackTimers = new Set<ReturnType<typeof setTimeout>>();
  private readonly held: HeldBatches;
  private heldTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly problems: string[] = [];
  /** Peers' batches in the log that do not count (see `counts`). */
  private readonly uncounted = new Map<RawBatch, DecodedBatch>();
  private destroyed = false;

  constructor(private readonly o: IngestOptions) {
    this.held = new HeldBatches(o.clock.maxOffsetMs, o.physicalNow);
  }

  /** The stamp of the newest held delete of `id` (see `HeldBatches.tombstone`). */
  heldTombstone(id: string): string | undefined {
    return this.held.tombstone(id);
  }

  /** Peers' batches in the log that do not count. */
  get uncountedBatches(): number {
    return this.uncounted.size;
  }

  health(): { rejectedWrites: number; rejectedBatches: number; clockSkews: number; held: HeldSummary; restoredBatches: number; recentProblems: string[] } {
    return {
      rejectedWrites: this.rejectedWrites,
      rejectedBatches: this.rejectedBatches,
      clockSkews: this.clockSkews,
      held: this.held.summary(),
      restoredBatches: this.restoredBatches,
      recentProblems: [...this.problems],
    };
  }

  /** A peer put something other than JSON-like content (a Y type, bytes) into the log. */
  refuseContent(kind: string): void {
    this.rejectedBatches++;
    this.report([`A peer put a ${kind} into the log; it was ignored.`]);
  }

  /** See `EntityStore.importBatches`. */
  importBatches(raws: readonly unknown[], report: boolean, tag: unknown): number {
    const { doc, log, index } = this.o;
    const problems: string[] = [];
    const batches: DecodedBatch[] = [];
    const { waiting } = this.sort(raws, 'import', report, problems, (decoded) => batches.push(decoded));
    if (waiting.length > 0) {
      // Stored (so they travel on) but not applied: until their time, or until they count.
      doc.transact(() => log.push(waiting.map((b) => b.raw)), this.o.origin(tag));
      this.scheduleRelease();
    }
    if (batches.length === 0) {
      if (report && problems.length > 0) this.report(problems);
      return 0;
    }
    let changes: EntityChange[] = [];
    doc.transact(() => {
      log.push(batches.map((b) => b.raw));
      for (const decoded of batches) {
        index.addBatch(decoded);
        const skew = this.observeStamp(decoded);
        if (skew && report) problems.push(skew);
      }
      const ended = index.endChanges('remote');
      changes = ended.changes;
      this.o.compactor.collect(ended.affected);
    }, this.o.origin(tag));
    if (report && problems.length > 0) this.report(problems);
    this.o.changed(changes);
    this.o.appended(batches, 'import');
    return batches.length;
  }

  /**
   * Takes in what a change of the document brought and took away (or, `initial`, what the
   * document held when the store opened it). Returns the batches applied (none when `initial`);
   * the caller ends the index's changes.
   */
  fromDocument(added: readonly unknown[], removed: readonly unknown[], initial: boolean): DecodedBatch[] {
    const { doc, index } = this.o;
    const lost: Slot[] = [];
    const removedLive: Array<[RawBatch, readonly Slot[]]> = [];
    for (const raw of removed) {
      if (this.held.remove(raw) || this.uncounted.delete(raw as RawBatch)) continue;
      const slots = index.removeBatch(raw as RawBatch).lost;
      if (slots.length > 0) removedLive.push([raw as RawBatch, slots]);
      lost.push(...slots);
    }
    const problems: string[] = [];
    const batches: DecodedBatch[] = [];
    const { garbage, held } = this.sort(added, 'document', true, problems, (decoded) => {
      index.addBatch(decoded);
      if (!initial) batches.push(decoded);
      const skew = this.observeStamp(decoded);
      if (skew) problems.push(skew);
    });
    index.rebuild(index.unreplaced(lost));
    // Nobody can read them, so nothing depends on them: kept, they would cost every node that
    // joins. (Peers' admission refuses them; one can still land after what it followed arrives.)
    if (garbage.size > 0) doc.transact(() => this.o.compactor.deleteFromLog(garbage), this.o.origin(undefined));
    if (problems.length > 0) this.report(problems);
    if (held) this.scheduleRelease();
    const suspect = removedLive.filter(([, slots]) => slots.some((slot) => !this.lossJustified(slot, lost)));
    if (suspect.length > 0) {
      // The write that justifies a removal may still be on its way (from a third node, or
      // reordered): judge again after a while, and put back only what is still uncovered.
      const timer = setTimeout(() => {
        this.putBackTimers.delete(timer);
        this.putBack(suspect.filter(([, slots]) => slots.some((slot) => !index.covers(slot.raw, slot.stamp))).map(([raw]) => raw));
      }, this.o.putBackAfterMs);
      this.putBackTimers.add(timer);
    }
    return batches;
  }

  /**
   * Judges every peer's batch again by `counts` (after it changed: a revocation arrived), takes
   * out of the picture those that no longer count and puts back those that do. O(document).
   * Returns how many batches moved.
   */
  recount(): number {
    const { index, counts } = this.o;
    if (!counts || this.destroyed) return 0;
    const lost: Slot[] = [];
    let moved = 0;
    for (const info of [...index.allBatches()]) {
      const decoded = decodeBatch(info.raw);
      if (!decoded.seal || counts(decoded)) continue;
      lost.push(...index.removeBatch(decoded.raw).lost);
      this.uncounted.set(decoded.raw, decoded);
      moved++;
    }
    for (const [raw, decoded] of this.uncounted) {
      if (!counts(decoded)) continue;
      this.uncounted.delete(raw);
      index.addBatch(decoded);
      moved++;
    }
    index.rebuild(index.unreplaced(lost));
    const { changes } = index.endChanges('remote');
    this.o.changed(changes);
    return moved;
  }

  /** See `EntityStore.releaseHeld`. */
  releaseHeld(): number {
    if (this.destroyed) return 0;
    const due = this.held.due();
    if (due.length > 0) {
      const problems: string[] = [];
      for (const decoded of due) {
        if (!this.countsNow(decoded)) continue;
        this.o.index.addBatch(decoded);
        const skew = this.observeStamp(decoded);
        if (skew) problems.push(skew);
      }
      const { changes } = this.o.index.endChanges('remote');
      if (problems.length > 0) this.report(problems);
      this.o.changed(changes);
      this.o.appended(due, 'document');
    }
    this.scheduleRelease();
    return due.length;
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.heldTimer);
    for (const t of this.putBackTimers) clearTimeout(t);
  }

  /**
   * The one decode-and-report path. Each entry is decoded; one that is not a batch is refused
   * (from a peer's document: also one without a readable write, and both become `garbage`);
   * an imported one already present is skipped; a batch stamped too far ahead is held; one that
   * does not count is kept out; every other is passed to `accept`, after the reasons for its
   * invalid writes are reported. Counts only when `report`, except clock skews, always counted.
   */
  private sort(raws: readonly unknown[], source: 'document' | 'import', report: boolean, problems: string[], accept: (decoded: DecodedBatch) => void): Sorted {
    const fromPeer = source === 'document';
    const sorted: Sorted = { garbage: new Set(), waiting: [], held: false };
    const refuse = (raw: unknown, why: string): void => {
      if (report) this.rejectedBatches++;
      if (fromPeer) sorted.garbage.add(raw as RawBatch);
      problems.push(fromPeer ? `Removed a log entry from a peer${why}` : `Ignored a log entry${why}`);
    };
    for (const raw of raws) {
      let decoded: DecodedBatch;
      try {
        decoded = decodeBatch(raw);
      } catch (error) {
        if (!(error instanceof LatticeError)) throw error;
        refuse(raw, `: ${error.message}`);
        continue;
      }
      if (fromPeer && decoded.writes.length === 0) {
        refuse(decoded.raw, ` without one readable write (${decoded.rejected[0] ?? 'it is empty'}).`);
        continue;
      }
      if (!fromPeer && (this.o.index.batchInfo(decoded.raw) || this.held.has(decoded.raw) || this.uncounted.has(decoded.raw))) continue;
      if (this.held.mustWait(decoded)) {
        sorted.held = true;
        if (this.holdBatch(decoded, problems)) sorted.waiting.push(decoded);
        continue;
      }
      if (!this.countsNow(decoded)) {
        sorted.waiting.push(decoded);
        continue;
      }
      if (report && decoded.rejected.length > 0) {
        this.rejectedWrites += decoded.rejected.length;
        problems.push(...decoded.rejected.map((r) => `Ignored a write${fromPeer ? ' from a peer' : ''}: ${r}`));
      }
      accept(decoded);
    }
    return sorted;
  }

  /** Whether the batch counts; one that does not is kept in the log, out of the picture. */
  private countsNow(decoded: DecodedBatch): boolean {
    if (!this.o.counts || this.o.counts(decoded)) return true;
    this.uncounted.set(decoded.raw, decoded);
    return false;
  }

  /**
   * Whether the merge rules justify losing `slot` with its batch: a write present covers it (an
   * equal or newer one, or a tombstone), or it belongs to an entity whose tombstone, removed in
   * the same transaction, is older than the grace period (collection; our clock may be behind the
   * collector's by up to the maximum offset).
   */
  private lossJustified(slot: Slot, removedWith: readonly Slot[]): boolean {
    if (this.o.index.covers(slot.raw, slot.stamp)) return true;
    const id = slot.raw[0];
    const horizon = this.o.physicalNow() - this.o.tombstoneGraceMs + this.o.clock.maxOffsetMs;
    return removedWith.some((t) => t.raw[0] === id && t.raw[1] === CODE_DELETE && t.stamp >= slot.stamp && decodeHlc(t.stamp).wall < horizon);
  }

  /**
   * Puts back batches a peer removed although they held live writes (the shared document is the
   * wire, not the truth): as new items with the same content, so the picture stays whole here
   * and reaches nodes that join later.
   */
  private putBack(raws: readonly RawBatch[]): void {
    if (this.destroyed || raws.length === 0) return;
    const added = this.importBatches(raws, false, undefined);
    if (added === 0) return;
    this.restoredBatches += added;
    this.report([`A peer removed ${added} batch${added === 1 ? '' : 'es'} that still held live writes; ${added === 1 ? 'it was' : 'they were'} put back.`]);
  }

  /** Holds a batch stamped too far ahead; false when the holding area is full. */
  private holdBatch(decoded: DecodedBatch, problems: string[]): boolean {
    this.clockSkews++;
    const ahead = Math.round((decoded.hlc.wall - this.o.physicalNow()) / 1000);
    const held = this.held.hold(decoded);
    if (held) problems.push(`Node ${decoded.hlc.node}: a change stamped ${ahead} s ahead of this node's clock is held until then.`);
    else problems.push(`Node ${decoded.hlc.node}: a change stamped ${ahead} s ahead was not even held (${MAX_HELD_BATCHES} are waiting already); a reload reads it again.`);
    return held;
  }

  private scheduleRelease(): void {
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    const next = this.held.nextDueMs();
    // Checked at least once a minute: the physical clock may jump.
    if (next !== undefined) this.heldTimer = setTimeout(() => this.releaseHeld(), Math.min(60_000, next + 1));
  }

  /** Moves our clock past a batch's stamp; returns a problem if the stamp is too far ahead. */
  private observeStamp(decoded: DecodedBatch): string | undefined {
    try {
      this.o.clock.update(decoded.hlc);
      return undefined;
    } catch (error) {
      if (!(error instanceof ClockSkewError)) throw error;
      // The batch still counts (every replica must resolve the same), but our clock stays honest.
      this.clockSkews++;
      return `Node ${decoded.hlc.node}: ${error.message}`;
    }
  }

  private report(problems: string[]): void {
    this.problems.push(...problems);
    if (this.problems.length > MAX_PROBLEMS) this.problems.splice(0, this.problems.length - MAX_PROBLEMS);
    this.o.rejected(problems);
  }
}
