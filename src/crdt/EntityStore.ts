/**
 * The entity store: the common operating picture over one Y.Doc.
 *
 * Layout: the document holds one Y.Array, the log, of batches (see `batch.ts`). A write
 * appends a batch and, in the same transaction, deletes the batches it made useless. Yjs merges
 * runs of deleted array items into one small record, so a node updating 1,000 tracks every
 * second for hours keeps a document the size of its live state. (Overwriting Y.Map keys instead
 * keeps one record per overwrite: an hour of that was measured at 37.6 MB.)
 *
 * Merge order is the HLC, imposed by `EntityMerge` within `EntityIndex`; Yjs only carries the
 * log. Providers (WebRTC, IndexedDB, the worker link) attach to the Y.Doc; this store never
 * knows about them.
 *
 * The store is the layer's public API and composes its parts: the open batch (`OpenBatch`),
 * the resolved picture (`EntityIndex`), what enters from elsewhere (`LogIngest`) and the log's
 * upkeep (`LogCompactor`). It runs past 400 lines because that API is wide (writes, reads,
 * repair keys, health, upkeep) and documented method by method; each method is a few lines.
 */
import * as Y from 'yjs';
import { ObservableV2 } from 'lib0/observable';
import { HybridClock, decodeHlc, type Hlc } from './Hlc.js';
import { LOG_NAME } from './docLayout.js';
import type { HeldSummary } from './HeldBatches.js';
import { LogCompactor, type CompactResult } from './LogCompactor.js';
import { LogIngest } from './LogIngest.js';
import { OpenBatch } from './OpenBatch.js';
import { ClockFencedError, EntityExistsError, EntityNotFoundError, StateError, ValidationError } from './errors.js';
import { decodeBatch, type DecodedBatch, type RawBatch, type RawWrite } from './batch.js';
import { batchesHolding, batchesTheyNeed, heldSummary, keysWeNeed } from './writeKeys.js';
import { EntityIndex, type EntityChange, type EntityView, type StampConflict } from './EntityIndex.js';
import { combineHashes, fnv1a64 } from './digest.js';
import { validateJournalEntry, type JournalEntry, type StampedEntry } from './journal.js';
import { validateComponents, validateEntityId, validateEntityType, type ComponentName, type ComponentValues, type Components, type EntityType } from './components.js';

export type { EntityView, EntityChange } from './EntityIndex.js';

export type ChangeOrigin = EntityChange["origin"];

/** One entity change, with its origin. */
export type EntityEvent = EntityChange;

export interface StoreEvents {
  /** Entities created, updated or deleted by one transaction. */
  change: (events: readonly EntityEvent[]) => void;
  /** Writes or batches from the document that were skipped because they are invalid. */
  rejected: (reasons: readonly string[]) => void;
  /**
   * Batches that entered the log: written here (`local`), brought in by `importBatches`
   * (`import`), or found in the document (`document`: another replica of it, storage).
   * Rewrites of batches already present are not reported.
   */
  appended: (batches: readonly DecodedBatch[], source: AppendSource) => void;
  /**
   * Two different writes to one place of an entity carry one stamp (see `EntityIndex.onConflict`);
   * may repeat when the index is rebuilt. Listeners must not write.
   */
  conflict: (conflict: StampConflict) => void;
}

export type AppendSource = 'local' | 'import' | 'document';

export interface StoreHealth {
  readonly entities: number;
  readonly batches: number;
  /** Writes from peers skipped as invalid. */
  readonly rejectedWrites: number;
  /** Log entries from peers that were not batches at all. */
  readonly rejectedBatches: number;
  /** Remote timestamps too far ahead to adopt into our clock. */
  readonly clockSkews: number;
  /** Batches stamped too far ahead, held until our clock reaches them. */
  readonly held: HeldSummary;
  /** Batches a peer removed although they held live writes, put back. */
  readonly restoredBatches: number;
  /** The latest problems, newest last, for a person to read. */
  readonly recentProblems: readonly string[];
}

export interface EntityStoreOptions {
  /** This node's id; also the HLC tie-break. */
  readonly node: string;
  readonly clock?: HybridClock;
  /** Physical clock for the HLC and tombstone ages (ms). */
  readonly physicalNow?: () => number;
  readonly maxOffsetMs?: number;
  /** How long a tombstone is kept before `compact` may forget it. Default 24 h. */
  readonly tombstoneGraceMs?: number;
  /** Name of the log in the document. */
  readonly logName?: string;
  /**
   * Rewrite own mostly-dead batches (default true). Off for a replica that must only ever
   * add what it is given (the mesh side of a budgeted node: a rewrite would be unpaced traffic).
   */
  readonly rewriteOwn?: boolean;
  /**
   * A batch a peer removed while it still held live writes is put back if, this long after, no
   * write has arrived that justifies the removal. Default 10 s.
   */
  readonly putBackAfterMs?: number;
  /**
   * Whether a peer's batch counts (an owned room's revocations, `peer/trust/RoomAuthority.ts`).
   * One that does not is kept in the log, out of the picture, until `recount` finds it counts.
   */
  readonly counts?: (batch: DecodedBatch) => boolean;
}

export const DEFAULT_TOMBSTONE_GRACE_MS = 24 * 3600 * 1000;
export const DEFAULT_PUT_BACK_AFTER_MS = 10_000;

export class EntityStore extends ObservableV2<StoreEvents> {
  readonly doc: Y.Doc;
  readonly node: string;
  readonly clock: HybridClock;
  private readonly log: Y.Array<RawBatch>;
  private readonly index = new EntityIndex();
  private readonly physicalNow: () => number;
  private pending: OpenBatch | undefined;
  /** When set, this node's clock disagrees with its peers' by this many ms and it writes nothing. */
  private fence: number | undefined;
  private readonly compactor: LogCompactor;
  private readonly ingest: LogIngest;
  private destroyed = false;

  constructor(doc: Y.Doc, options: EntityStoreOptions) {
    super();
    this.index.onConflict = (conflict) => this.emit('conflict', [conflict]);
    this.doc = doc;
    this.node = options.node;
    this.physicalNow = options.physicalNow ?? (() => Date.now());
    this.clock =
      options.clock ??
      new HybridClock(options.node, {
        physicalNow: this.physicalNow,
        ...(options.maxOffsetMs === undefined ? {} : { maxOffsetMs: options.maxOffsetMs }),
      });
    const tombstoneGraceMs = options.tombstoneGraceMs ?? DEFAULT_TOMBSTONE_GRACE_MS;
    this.log = doc.getArray<RawBatch>(options.logName ?? LOG_NAME);
    this.compactor = new LogCompactor(this.log, this.index, { node: this.node, rewriteOwn: options.rewriteOwn ?? true, tombstoneGraceMs, physicalNow: this.physicalNow });
    this.ingest = new LogIngest({
      doc,
      log: this.log,
      index: this.index,
      compactor: this.compactor,
      clock: this.clock,
      physicalNow: this.physicalNow,
      tombstoneGraceMs,
      putBackAfterMs: options.putBackAfterMs ?? DEFAULT_PUT_BACK_AFTER_MS,
      counts: options.counts,
      origin: (tag) => (tag === undefined ? this : new ImportOrigin(this, tag)),
      changed: (changes) => this.emitChanges(changes),
      appended: (batches, source) => this.emit('appended', [batches, source]),
      rejected: (problems) => this.emit('rejected', [problems]),
    });
    this.ingest.fromDocument(this.log.toArray() as unknown[], [], true);
    this.index.endChanges('remote');
    this.log.observe(this.onLogEvent);
  }

  // ---------------------------------------------------------------- writes

  /**
   * Creates an entity. Throws `EntityExistsError` if a live entity has this id, and
   * `ValidationError` for a bad id, type or component; nothing is written then.
   */
  create(id: string, type: EntityType, components: Components = {}): void {
    const entityId = validateEntityId(id);
    const entityType = validateEntityType(type);
    const values = validateComponents(components);
    this.batch((p) => {
      if (this.isAlive(entityId)) throw new EntityExistsError(entityId);
      // A delete stamped ahead of our clock (held, or a peer's fast clock) would hide this create.
      const tombstone = [this.index.tombstone(entityId), this.ingest.heldTombstone(entityId)].reduce<string | undefined>((a, b) => (b !== undefined && (a === undefined || b > a) ? b : a), undefined);
      const deleted = tombstone === undefined ? undefined : decodeHlc(tombstone);
      if (deleted !== undefined && deleted.wall > this.wallNow()) {
        const ahead = Math.max(1, Math.round((deleted.wall - this.wallNow()) / 1000));
        throw new StateError(`"${entityId}" cannot be created yet: node ${deleted.node} deleted it with a stamp ${ahead} s ahead of this node's clock, and a delete hides every older write. Use another id, or create it once that time has passed.`);
      }
      if (p.wasDeleted(entityId)) {
        throw new ValidationError('entity-id', `"${entityId}" was deleted in this batch; create it again in a later one.`);
      }
      p.create(entityId, entityType, values, this.index);
    });
  }

  /** Writes only the components given. Throws `EntityNotFoundError` if the entity is not live. */
  update(id: string, components: Components): void {
    // An id the index holds was validated when it was written: skip the pattern test.
    const entityId = this.index.has(id) ? id : validateEntityId(id);
    const values = validateComponents(components);
    this.batch((p) => {
      if (!this.isAlive(entityId)) throw new EntityNotFoundError(entityId);
      p.stage(entityId, values, this.index);
    });
  }

  /**
   * Appends an entry to an entity's journal (audit trail). Entries are a set: every node keeps
   * every entry, stamped with who wrote it and when (the batch's stamp).
   */
  record(id: string, entry: JournalEntry): void {
    const entityId = validateEntityId(id);
    const valid = validateJournalEntry(entry);
    this.batch((p) => {
      if (!this.isAlive(entityId)) throw new EntityNotFoundError(entityId);
      p.record(entityId, valid);
    });
  }

  /** The journal of an entity, oldest first (empty if there is no such live entity). */
  journal(id: string): StampedEntry[] {
    return this.index.journal(id);
  }

  /** Deletes an entity with a tombstone: older writes anywhere in the mesh lose to it. */
  delete(id: string): void {
    const entityId = validateEntityId(id);
    this.batch((p) => {
      if (!this.isAlive(entityId)) throw new EntityNotFoundError(entityId);
      p.delete(entityId);
    });
  }

  /**
   * Groups writes into one batch: one HLC stamp, one Yjs transaction, one update on the wire.
   * If `fn` throws, nothing it wrote is kept. Nested calls join the outer batch.
   */
  transact<T>(fn: () => T): T {
    let result!: T;
    this.batch(() => {
      result = fn();
    });
    return result;
  }

  /**
   * Runs one operation against the open batch, or opens one and commits it. Operations check
   * everything before they stage anything, so a throw leaves the batch as it was.
   */
  private batch(fn: (pending: OpenBatch) => void): void {
    this.assertUsable();
    if (this.fence !== undefined) throw new ClockFencedError(this.fence, this.clock.maxOffsetMs);
    if (this.pending) {
      fn(this.pending);
      return;
    }
    const pending = new OpenBatch();
    this.pending = pending;
    try {
      fn(pending);
    } finally {
      this.pending = undefined;
    }
    this.commit(pending);
  }

  private isAlive(id: string): boolean {
    return this.pending?.decides(id) ?? this.index.has(id);
  }

  private commit(p: OpenBatch): void {
    const decoded = p.seal(() => this.clock.now());
    if (!decoded) return;
    let changes: EntityChange[] = [];
    this.doc.transact(() => {
      this.log.push([decoded.raw]);
      this.index.addBatch(decoded);
      const ended = this.index.endChanges('local');
      changes = ended.changes;
      this.compactor.collect(ended.affected);
    }, this);
    this.emitChanges(changes);
    this.emit('appended', [[decoded], 'local']);
  }

  /**
   * Adds batches made elsewhere (another document's log) as they are, with their stamps, and
   * deletes in the same transaction what they make dead. Invalid entries are skipped: counted
   * and reported when `report` (default true), silently when the caller has reported them
   * already. Entries already present (the same objects) are skipped. Returns how many were added.
   * `tag` travels with the Yjs transaction as `new ImportOrigin(store, tag)`, so whoever sends
   * the document update on (the mesh's uplink) knows what it carries.
   */
  importBatches(raws: readonly unknown[], report = true, tag?: unknown): number {
    this.assertUsable();
    return this.ingest.importBatches(raws, report, tag);
  }

  /**
   * Whether `write`, stamped `stamp`, would change nothing here (an equal or newer write, or a
   * tombstone, is present): what a sender skips.
   */
  covers(write: RawWrite, stamp: string): boolean {
    return this.index.covers(write, stamp);
  }

  /** Every batch in the log, decoded (for a reader that starts late; O(document)). */
  batches(): DecodedBatch[] {
    return [...this.index.allBatches()].map((info) => decodeBatch(info.raw));
  }

  // ---------------------------------------------------------------- reads

  get(id: string): EntityView | undefined {
    return this.index.get(id);
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** The type of a live entity (undefined if there is none), without building its view. */
  typeOf(id: string): EntityType | undefined {
    return this.index.typeOf(id);
  }

  /** One component of a live entity, without building the whole view (cheap in hot loops). */
  component<N extends ComponentName>(id: string, name: N): ComponentValues[N] | undefined {
    return this.index.component(id, name);
  }

  /** Ids of the live entities, optionally of one type. */
  ids(type?: EntityType): string[] {
    return [...this.index.ids(type)];
  }

  /** Every live entity, optionally of one type. */
  list(type?: EntityType): EntityView[] {
    return [...this.index.views(type)];
  }

  get size(): number {
    return this.index.entityCount;
  }

  /** Subscribes to entity changes; returns the function that unsubscribes. */
  watch(listener: (events: readonly EntityEvent[]) => void): () => void {
    this.on('change', listener);
    return () => this.off('change', listener);
  }

  /**
   * Digest of the resolved state (entities, component values and their stamps). Two nodes
   * have converged iff their digests are equal. Of the form `count:hash`.
   */
  digest(): string {
    const hashes: string[] = [];
    for (const id of this.index.visibleIds()) hashes.push(this.index.entityHash(id, fnv1a64)!);
    return combineHashes(hashes);
  }

  /**
   * Each entity's hash, for replicas comparing by ranges of ids: visible entities as in `digest`,
   * deleted ones by their tombstone.
   */
  entityHashes(): IterableIterator<[string, string]> {
    return this.index.recordHashes(fnv1a64);
  }

  /**
   * Keys (`writeKeys.ts`) of the writes one entity's resolution rests on: what a replica tells
   * another so that a repair sends only what the other needs.
   */
  entityWriteKeys(id: string): string[] {
    return heldSummary(this.index.liveSlots(id));
  }

  /**
   * The batches, whole and signed, holding this replica's writes of one entity that would win
   * at a replica holding `theirKeys` (all of them when it holds none).
   */
  entityBatches(id: string, theirKeys: readonly string[] = []): RawBatch[] {
    return batchesTheyNeed(this.index.liveSlots(id), theirKeys);
  }

  /** Of `theirKeys` (another replica's, for one entity), those whose writes would win here. */
  entityKeysToFetch(id: string, theirKeys: readonly string[]): string[] {
    return keysWeNeed(this.index.liveSlots(id), theirKeys);
  }

  /** The batches holding this replica's writes of one entity named by `keys`. */
  entityBatchesHolding(id: string, keys: readonly string[]): RawBatch[] {
    return batchesHolding(this.index.liveSlots(id), keys);
  }

  health(): StoreHealth {
    return {
      entities: this.index.entityCount,
      batches: this.index.batchCount,
      ...this.ingest.health(),
    };
  }

  /** The latest HLC issued or seen by this node. */
  now(): Hlc {
    return this.clock.peek();
  }

  /** HLC wall time as of now, without issuing a timestamp: what deadlines are judged by. */
  wallNow(): number {
    return Math.max(this.clock.peek().wall, Math.floor(this.physicalNow()));
  }

  // ---------------------------------------------------------------- upkeep

  /**
   * Fences this node (its clock is `offsetMs` off its peers': every write then throws
   * `ClockFencedError`), or lifts the fence with `undefined`. The mesh layer measures it.
   */
  setClockFence(offsetMs: number | undefined): void {
    // Lifted because the clock was corrected: stamp by the corrected time from now on.
    if (this.fence !== undefined && offsetMs === undefined) this.clock.rewind();
    this.fence = offsetMs;
  }

  get clockFence(): number | undefined {
    return this.fence;
  }

  /**
   * Deletes batches nobody needs, rewrites own batches that are mostly dead, and forgets
   * tombstones older than the grace period. Safe to call at any time on any node.
   */
  compact(): CompactResult {
    this.assertUsable();
    let result!: CompactResult;
    this.doc.transact(() => {
      result = this.compactor.compact();
    }, this);
    return result;
  }

  override destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.ingest.destroy();
    this.log.unobserve(this.onLogEvent);
    super.destroy();
  }

  private assertUsable(): void {
    if (this.destroyed) throw new Error('This entity store was destroyed.');
  }

  // ---------------------------------------------------------------- remote

  private readonly onLogEvent = (event: Y.YArrayEvent<RawBatch>, transaction: Y.Transaction): void => {
    if (transaction.origin === this || (transaction.origin instanceof ImportOrigin && transaction.origin.store === this)) return;
    const added: unknown[] = [];
    const removed: unknown[] = [];
    for (const item of event.changes.added) {
      if (item.content instanceof Y.ContentAny) {
        added.push(...item.content.getContent());
      } else {
        this.ingest.refuseContent(item.content.constructor.name);
      }
    }
    for (const item of event.changes.deleted) if (item.content instanceof Y.ContentAny) removed.push(...item.content.getContent());
    const batches = this.ingest.fromDocument(added, removed, false);
    const { changes } = this.index.endChanges('remote');
    this.emitChanges(changes);
    if (batches.length > 0) this.emit('appended', [batches, 'document']);
  };

  /**
   * Judges every peer's batch again by `counts` (after it changed: a revocation arrived), takes
   * out of the picture those that no longer count and puts back those that do. O(document).
   * Returns how many batches moved.
   */
  recount(): number {
    return this.ingest.recount();
  }

  /** Peers' batches in the log that do not count. */
  get uncountedBatches(): number {
    return this.ingest.uncountedBatches;
  }

  /**
   * Applies the held batches whose time has come (a timer calls this; tests with a fake clock
   * may call it). Returns how many were applied.
   */
  releaseHeld(): number {
    return this.ingest.releaseHeld();
  }

  private emitChanges(changes: readonly EntityChange[]): void {
    if (changes.length > 0) this.emit('change', [changes]);
  }
}

/** The origin of an `importBatches` transaction that carries its caller's tag. */
export class ImportOrigin {
  constructor(
    readonly store: EntityStore,
    readonly tag: unknown,
  ) {}
}
