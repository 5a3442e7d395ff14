/**
 * The entity store: the common operating picture over one Y.Doc.
 *
 * Layout: the document holds one Y.Array, the log, of batches (see `batch.ts`). A write
 * appends a batch and, in the same transaction, deletes the batches it made useless. Yjs merges
 * runs of deleted array items into one small record, so a node updating 1,000 tracks every
 * second for hours keeps a document the size of its live state. (Overwriting Y.Map keys instead
 * keeps one record per overwrite: an hour of that was measured at 37.6 MB.)
 *
 * Merge order is the HLC, imposed by `EntityIndex`; Yjs only carries the log. Providers
 * (WebRTC, IndexedDB, the worker link) attach to the Y.Doc; this store never knows about them.
 */
import * as Y from 'yjs';
import { ObservableV2 } from 'lib0/observable';
import { HybridClock, decodeHlc, encodeHlc, type Hlc } from './Hlc.js';
import { LOG_NAME } from './docLayout.js';
import { HeldBatches, MAX_HELD_BATCHES, type HeldSummary } from './HeldBatches.js';
import { ClockFencedError, ClockSkewError, EntityExistsError, EntityNotFoundError, LatticeError, StateError, ValidationError } from './errors.js';
import { assertBatchSize, decodeBatch, decodeWrite, rawWrite, type DecodedBatch, type DecodedWrite, type RawBatch, type RawWrite } from './batch.js';
import { StagedWrites } from './StagedWrites.js';
import { batchesHolding, batchesTheyNeed, heldSummary, keysWeNeed } from './writeKeys.js';
import { EntityIndex, type BatchInfo, type EntityChange, type EntityView, type Slot, type StampConflict } from './EntityIndex.js';
import { combineHashes, fnv1a64 } from './digest.js';
import { CODE_JOURNAL, encodeJournalEntry, validateJournalEntry, type JournalEntry, type StampedEntry } from './journal.js';
import {
  CODE_CREATE,
  CODE_DELETE,
  CODE_TASK_ADD,
  CODE_TASK_REMOVE,
  ENTITY_TYPES,
  REGISTERS,
  validateComponents,
  validateEntityId,
  validateEntityType,
  type ComponentName,
  type ComponentValues,
  type Components,
  type EntityType,
  type RegisterName,
  type RegisterSpec,
} from './components.js';

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

/** Own batches smaller than this are left alone even when mostly dead: rewriting costs more. */
const REWRITE_MIN_SIZE = 8;
const MAX_PROBLEMS = 20;
export const DEFAULT_TOMBSTONE_GRACE_MS = 24 * 3600 * 1000;
export const DEFAULT_PUT_BACK_AFTER_MS = 10_000;

interface PendingBatch {
  /** Staged writes (a later write to the same thing replaces the earlier one). */
  readonly writes: StagedWrites;
  /** Journal entries are encoded at commit, when the stamp (and so relative times) is known. */
  readonly journal: Array<[string, JournalEntry]>;
  readonly created: Set<string>;
  readonly deleted: Set<string>;
}

export class EntityStore extends ObservableV2<StoreEvents> {
  readonly doc: Y.Doc;
  readonly node: string;
  readonly clock: HybridClock;
  private readonly log: Y.Array<RawBatch>;
  private readonly index = new EntityIndex();
  private readonly physicalNow: () => number;
  private readonly tombstoneGraceMs: number;
  private readonly rewriteOwn: boolean;
  private pending: PendingBatch | undefined;
  private rejectedWrites = 0;
  private rejectedBatches = 0;
  private clockSkews = 0;
  private restoredBatches = 0;
  /** When set, this node's clock disagrees with its peers' by this many ms and it writes nothing. */
  private fence: number | undefined;
  private readonly putBackAfterMs: number;
  private readonly putBackTimers = new Set<ReturnType<typeof setTimeout>>();
  private readonly held: HeldBatches;
  private heldTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly problems: string[] = [];
  private destroyed = false;
  private readonly counts: ((batch: DecodedBatch) => boolean) | undefined;
  /** Peers' batches in the log that do not count (see `counts`). */
  private readonly uncounted = new Map<RawBatch, DecodedBatch>();

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
    this.tombstoneGraceMs = options.tombstoneGraceMs ?? DEFAULT_TOMBSTONE_GRACE_MS;
    this.rewriteOwn = options.rewriteOwn ?? true;
    this.putBackAfterMs = options.putBackAfterMs ?? DEFAULT_PUT_BACK_AFTER_MS;
    this.held = new HeldBatches(this.clock.maxOffsetMs, this.physicalNow);
    this.counts = options.counts;
    this.log = doc.getArray<RawBatch>(options.logName ?? LOG_NAME);
    this.ingestRemote(this.log.toArray() as unknown[], [], true);
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
      const tombstone = [this.index.tombstone(entityId), this.held.tombstone(entityId)].reduce<string | undefined>((a, b) => (b !== undefined && (a === undefined || b > a) ? b : a), undefined);
      const deleted = tombstone === undefined ? undefined : decodeHlc(tombstone);
      if (deleted !== undefined && deleted.wall > this.wallNow()) {
        const ahead = Math.max(1, Math.round((deleted.wall - this.wallNow()) / 1000));
        throw new StateError(`"${entityId}" cannot be created yet: node ${deleted.node} deleted it with a stamp ${ahead} s ahead of this node's clock, and a delete hides every older write. Use another id, or create it once that time has passed.`);
      }
      if (p.deleted.has(entityId)) {
        throw new ValidationError('entity-id', `"${entityId}" was deleted in this batch; create it again in a later one.`);
      }
      p.created.add(entityId);
      p.writes.put({ kind: 'create', id: entityId, type: entityType, raw: [entityId, CODE_CREATE, ENTITY_TYPES.indexOf(entityType)] });
      this.stage(p, entityId, values);
    });
  }

  /** Writes only the components given. Throws `EntityNotFoundError` if the entity is not live. */
  update(id: string, components: Components): void {
    // An id the index holds was validated when it was written: skip the pattern test.
    const entityId = this.index.has(id) ? id : validateEntityId(id);
    const values = validateComponents(components);
    this.batch((p) => {
      if (!this.isAlive(entityId)) throw new EntityNotFoundError(entityId);
      this.stage(p, entityId, values);
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
      p.journal.push([entityId, valid]);
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
      p.writes.dropEntity(entityId);
      for (let i = p.journal.length - 1; i >= 0; i--) if (p.journal[i]![0] === entityId) p.journal.splice(i, 1);
      p.created.delete(entityId);
      p.deleted.add(entityId);
      p.writes.put({ kind: 'delete', id: entityId, raw: [entityId, CODE_DELETE] });
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
  private batch(fn: (pending: PendingBatch) => void): void {
    this.assertUsable();
    if (this.fence !== undefined) throw new ClockFencedError(this.fence, this.clock.maxOffsetMs);
    if (this.pending) {
      fn(this.pending);
      return;
    }
    const pending: PendingBatch = { writes: new StagedWrites(), journal: [], created: new Set(), deleted: new Set() };
    this.pending = pending;
    try {
      fn(pending);
    } finally {
      this.pending = undefined;
    }
    this.commit(pending);
  }

  private stage(p: PendingBatch, id: string, values: Components): void {
    for (const name of Object.keys(values) as (keyof Components)[]) {
      if (name === 'taskCatalog') {
        this.stageTasks(p, id, values.taskCatalog!);
        continue;
      }
      const spec = REGISTERS[name] as unknown as RegisterSpec<RegisterName>;
      const payload = spec.encode(values[name] as ComponentValues[RegisterName]);
      // Not decoded here: the index decodes a value when it is first read. A valid value always
      // encodes to a payload every node decodes (a property the codec tests check).
      p.writes.put({ kind: 'register', id, name: spec.name, value: undefined, raw: rawWrite(id, spec.code, payload) });
    }
  }

  /** Turns "the catalog is now X" into adds and observed removes (add-wins set operations). */
  private stageTasks(p: PendingBatch, id: string, desired: readonly string[]): void {
    p.writes.dropTasks(id);
    const current = new Set(this.index.component(id, 'taskCatalog') ?? []);
    for (const task of desired) {
      if (!current.has(task)) p.writes.put({ kind: 'taskAdd', id, task, raw: [id, CODE_TASK_ADD, task] });
    }
    for (const task of current) {
      if (desired.includes(task)) continue;
      const tags = this.index.taskTags(id, task);
      if (tags.length > 0) p.writes.put({ kind: 'taskRemove', id, task, tags, raw: [id, CODE_TASK_REMOVE, task, ...tags] });
    }
  }

  private isAlive(id: string): boolean {
    const p = this.pending;
    if (p?.deleted.has(id)) return false;
    if (p?.created.has(id)) return true;
    return this.index.has(id);
  }

  private commit(p: PendingBatch): void {
    const writes: DecodedWrite[] = [];
    p.writes.appendTo(writes);
    if (writes.length === 0 && p.journal.length === 0) return;
    assertBatchSize(writes.length + p.journal.length);
    const stamp = this.clock.now();
    const encoded = encodeHlc(stamp);
    // Read back as a peer will: also refuses a node id that peers could not parse.
    const hlc = decodeHlc(encoded);
    for (const [id, entry] of p.journal) writes.push(localJournalWrite([id, CODE_JOURNAL, ...encodeJournalEntry(entry, stamp.wall)], hlc));
    const raw: RawBatch = [encoded];
    for (const write of writes) raw.push(write.raw);
    const decoded: DecodedBatch = { raw, stamp: encoded, hlc, writes, rejected: [] };
    let changes: EntityChange[] = [];
    this.doc.transact(() => {
      this.log.push([raw]);
      this.index.addBatch(decoded);
      const ended = this.index.endChanges('local');
      changes = ended.changes;
      this.collect(ended.affected);
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
    const batches: DecodedBatch[] = [];
    const waiting: DecodedBatch[] = [];
    const problems: string[] = [];
    for (const raw of raws) {
      let decoded: DecodedBatch;
      try {
        decoded = decodeBatch(raw);
      } catch (error) {
        if (!(error instanceof LatticeError)) throw error;
        if (report) this.rejectedBatches++;
        problems.push(`Ignored a log entry: ${error.message}`);
        continue;
      }
      if (this.index.batchInfo(decoded.raw) || this.held.has(decoded.raw) || this.uncounted.has(decoded.raw)) continue;
      if (this.held.mustWait(decoded)) {
        // Stored (so it travels on) but not applied until its time.
        if (this.held.hold(decoded)) waiting.push(decoded);
        this.clockSkews++;
        problems.push(`Node ${decoded.hlc.node}: a change stamped ${Math.round((decoded.hlc.wall - this.physicalNow()) / 1000)} s ahead of this node's clock is held until then.`);
        continue;
      }
      if (this.counts && !this.counts(decoded)) {
        // Stored (so it travels on) and kept out of the picture, as a held batch is.
        if (!this.uncounted.has(decoded.raw)) waiting.push(decoded);
        this.uncounted.set(decoded.raw, decoded);
        continue;
      }
      batches.push(decoded);
      if (report && decoded.rejected.length > 0) {
        this.rejectedWrites += decoded.rejected.length;
        problems.push(...decoded.rejected.map((r) => `Ignored a write: ${r}`));
      }
    }
    if (waiting.length > 0) {
      this.doc.transact(() => this.log.push(waiting.map((b) => b.raw)), tag === undefined ? this : new ImportOrigin(this, tag));
      this.scheduleRelease();
    }
    if (batches.length === 0) {
      if (report && problems.length > 0) this.report(problems);
      return 0;
    }
    let changes: EntityChange[] = [];
    this.doc.transact(() => {
      this.log.push(batches.map((b) => b.raw));
      for (const decoded of batches) {
        this.index.addBatch(decoded);
        const skew = this.observeStamp(decoded);
        if (skew && report) problems.push(skew);
      }
      const ended = this.index.endChanges('remote');
      changes = ended.changes;
      this.collect(ended.affected);
    }, tag === undefined ? this : new ImportOrigin(this, tag));
    if (report && problems.length > 0) this.report(problems);
    this.emitChanges(changes);
    this.emit('appended', [batches, 'import']);
    return batches.length;
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
      rejectedWrites: this.rejectedWrites,
      rejectedBatches: this.rejectedBatches,
      clockSkews: this.clockSkews,
      held: this.held.summary(),
      restoredBatches: this.restoredBatches,
      recentProblems: [...this.problems],
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
  compact(): { deletedBatches: number; rewrittenBatches: number; collectedTombstones: number } {
    this.assertUsable();
    const horizon = encodeHlc({ wall: Math.max(0, Math.floor(this.physicalNow()) - this.tombstoneGraceMs), counter: 0, node: '_' });
    let result = { deletedBatches: 0, rewrittenBatches: 0, collectedTombstones: 0 };
    this.doc.transact(() => {
      const forced = new Set<BatchInfo>();
      let collected = 0;
      for (const id of this.index.collectableTombstones(horizon)) {
        const rewrite = this.index.collect(id, (batch) => batch.hlc.node === this.node);
        if (!rewrite) continue; // another node's batch still holds its create: that node collects it
        collected++;
        for (const batch of rewrite) forced.add(batch);
      }
      this.index.endChanges('local');
      result = { ...this.collect([...this.index.allBatches()], forced), collectedTombstones: collected };
    }, this);
    return result;
  }

  override destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.heldTimer);
    for (const t of this.putBackTimers) clearTimeout(t);
    this.log.unobserve(this.onLogEvent);
    super.destroy();
  }

  private assertUsable(): void {
    if (this.destroyed) throw new Error('This entity store was destroyed.');
  }

  /**
   * Deletes dead batches and rewrites own mostly-dead ones (and those in `forced`, which must
   * lose a collected entity's writes); must run inside a transaction.
   */
  private collect(candidates: Iterable<BatchInfo>, forced: ReadonlySet<BatchInfo> = new Set()): { deletedBatches: number; rewrittenBatches: number } {
    const remove = new Set<RawBatch>();
    const rewrites: BatchInfo[] = [];
    for (const info of candidates) {
      if (info.pinned || !this.index.batchInfo(info.raw)) continue;
      if (info.live.size === 0) remove.add(info.raw);
      else if (forced.has(info) || (this.rewriteOwn && info.hlc.node === this.node && info.size >= REWRITE_MIN_SIZE && info.live.size * 2 < info.size)) rewrites.push(info);
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

  private deleteFromLog(targets: ReadonlySet<RawBatch>): void {
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

  // ---------------------------------------------------------------- remote

  private readonly onLogEvent = (event: Y.YArrayEvent<RawBatch>, transaction: Y.Transaction): void => {
    if (transaction.origin === this || (transaction.origin instanceof ImportOrigin && transaction.origin.store === this)) return;
    const added: unknown[] = [];
    const removed: unknown[] = [];
    for (const item of event.changes.added) {
      if (item.content instanceof Y.ContentAny) {
        added.push(...item.content.getContent());
      } else {
        this.rejectedBatches++;
        this.report([`A peer put a ${item.content.constructor.name} into the log; it was ignored.`]);
      }
    }
    for (const item of event.changes.deleted) if (item.content instanceof Y.ContentAny) removed.push(...item.content.getContent());
    const batches = this.ingestRemote(added, removed, false);
    const { changes } = this.index.endChanges('remote');
    this.emitChanges(changes);
    if (batches.length > 0) this.emit('appended', [batches, 'document']);
  };

  private ingestRemote(added: readonly unknown[], removed: readonly unknown[], initial: boolean): DecodedBatch[] {
    const lost: Slot[] = [];
    const removedLive: Array<[RawBatch, readonly Slot[]]> = [];
    for (const raw of removed) {
      if (this.held.remove(raw) || this.uncounted.delete(raw as RawBatch)) continue;
      const slots = this.index.removeBatch(raw as RawBatch).lost;
      if (slots.length > 0) removedLive.push([raw as RawBatch, slots]);
      lost.push(...slots);
    }
    const problems: string[] = [];
    const batches: DecodedBatch[] = [];
    const garbage = new Set<RawBatch>();
    let holding = false;
    for (const raw of added) {
      let decoded: DecodedBatch;
      try {
        decoded = decodeBatch(raw);
      } catch (error) {
        if (!(error instanceof LatticeError)) throw error;
        this.rejectedBatches++;
        garbage.add(raw as RawBatch);
        problems.push(`Removed a log entry from a peer: ${error.message}`);
        continue;
      }
      if (decoded.writes.length === 0) {
        this.rejectedBatches++;
        garbage.add(decoded.raw);
        problems.push(`Removed a log entry from a peer without one readable write (${decoded.rejected[0] ?? 'it is empty'}).`);
        continue;
      }
      if (this.held.mustWait(decoded)) {
        this.holdBatch(decoded, problems);
        holding = true;
        continue;
      }
      if (this.counts && !this.counts(decoded)) {
        this.uncounted.set(decoded.raw, decoded);
        continue;
      }
      this.index.addBatch(decoded);
      if (!initial) batches.push(decoded);
      if (decoded.rejected.length > 0) {
        this.rejectedWrites += decoded.rejected.length;
        problems.push(...decoded.rejected.map((r) => `Ignored a write from a peer: ${r}`));
      }
      const skew = this.observeStamp(decoded);
      if (skew) problems.push(skew);
    }
    this.index.rebuild(this.index.unreplaced(lost));
    // Nobody can read them, so nothing depends on them: kept, they would cost every node that
    // joins. (Peers' admission refuses them; one can still land after what it followed arrives.)
    if (garbage.size > 0) this.doc.transact(() => this.deleteFromLog(garbage), this);
    if (problems.length > 0) this.report(problems);
    if (holding) this.scheduleRelease();
    const suspect = removedLive.filter(([, slots]) => slots.some((slot) => !this.lossJustified(slot, lost)));
    if (suspect.length > 0) {
      // The write that justifies a removal may still be on its way (from a third node, or
      // reordered): judge again after a while, and put back only what is still uncovered.
      const timer = setTimeout(() => {
        this.putBackTimers.delete(timer);
        this.putBack(suspect.filter(([, slots]) => slots.some((slot) => !this.index.covers(slot.raw, slot.stamp))).map(([raw]) => raw));
      }, this.putBackAfterMs);
      this.putBackTimers.add(timer);
    }
    return batches;
  }

  /**
   * Whether the merge rules justify losing `slot` with its batch: a write present covers it (an
   * equal or newer one, or a tombstone), or it belongs to an entity whose tombstone, removed in
   * the same transaction, is older than the grace period (collection; our clock may be behind the
   * collector's by up to the maximum offset).
   */
  private lossJustified(slot: Slot, removedWith: readonly Slot[]): boolean {
    if (this.index.covers(slot.raw, slot.stamp)) return true;
    const id = slot.raw[0];
    const horizon = this.physicalNow() - this.tombstoneGraceMs + this.clock.maxOffsetMs;
    return removedWith.some((t) => t.raw[0] === id && t.raw[1] === CODE_DELETE && t.stamp >= slot.stamp && decodeHlc(t.stamp).wall < horizon);
  }

  /**
   * Puts back batches a peer removed although they held live writes (the shared document is the
   * wire, not the truth): as new items with the same content, so the picture stays whole here
   * and reaches nodes that join later.
   */
  private putBack(raws: readonly RawBatch[]): void {
    if (this.destroyed || raws.length === 0) return;
    const added = this.importBatches(raws, false);
    if (added === 0) return;
    this.restoredBatches += added;
    this.report([`A peer removed ${added} batch${added === 1 ? '' : 'es'} that still held live writes; ${added === 1 ? 'it was' : 'they were'} put back.`]);
  }

  private holdBatch(decoded: DecodedBatch, problems: string[]): void {
    this.clockSkews++;
    const ahead = Math.round((decoded.hlc.wall - this.physicalNow()) / 1000);
    if (this.held.hold(decoded)) problems.push(`Node ${decoded.hlc.node}: a change stamped ${ahead} s ahead of this node's clock is held until then.`);
    else problems.push(`Node ${decoded.hlc.node}: a change stamped ${ahead} s ahead was not even held (${MAX_HELD_BATCHES} are waiting already); a reload reads it again.`);
  }

  /**
   * Judges every peer's batch again by `counts` (after it changed: a revocation arrived), takes
   * out of the picture those that no longer count and puts back those that do. O(document).
   * Returns how many batches moved.
   */
  recount(): number {
    if (!this.counts || this.destroyed) return 0;
    const lost: Slot[] = [];
    let moved = 0;
    for (const decoded of this.batches()) {
      if (!decoded.seal || this.counts(decoded)) continue;
      lost.push(...this.index.removeBatch(decoded.raw).lost);
      this.uncounted.set(decoded.raw, decoded);
      moved++;
    }
    for (const [raw, decoded] of this.uncounted) {
      if (!this.counts(decoded)) continue;
      this.uncounted.delete(raw);
      this.index.addBatch(decoded);
      moved++;
    }
    this.index.rebuild(this.index.unreplaced(lost));
    const { changes } = this.index.endChanges('remote');
    this.emitChanges(changes);
    return moved;
  }

  /** Peers' batches in the log that do not count. */
  get uncountedBatches(): number {
    return this.uncounted.size;
  }

  /**
   * Applies the held batches whose time has come (a timer calls this; tests with a fake clock
   * may call it). Returns how many were applied.
   */
  releaseHeld(): number {
    if (this.destroyed) return 0;
    const due = this.held.due();
    if (due.length > 0) {
      const problems: string[] = [];
      for (const decoded of due) {
        if (this.counts && !this.counts(decoded)) {
          this.uncounted.set(decoded.raw, decoded);
          continue;
        }
        this.index.addBatch(decoded);
        const skew = this.observeStamp(decoded);
        if (skew) problems.push(skew);
      }
      const { changes } = this.index.endChanges('remote');
      if (problems.length > 0) this.report(problems);
      this.emitChanges(changes);
      this.emit('appended', [due, 'document']);
    }
    this.scheduleRelease();
    return due.length;
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
      this.clock.update(decoded.hlc);
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
    this.emit('rejected', [problems]);
  }

  private emitChanges(changes: readonly EntityChange[]): void {
    if (changes.length > 0) this.emit('change', [changes]);
  }
}

/** A journal write of this node, decoded; entries were validated when recorded. */
function localJournalWrite(raw: RawWrite, hlc: Hlc): DecodedWrite {
  try {
    return decodeWrite(raw, hlc);
  } catch (error) {
    // Reaching this is a bug, and the document is untouched.
    throw new Error(`Internal error: a local journal entry failed to decode: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The origin of an `importBatches` transaction that carries its caller's tag. */
export class ImportOrigin {
  constructor(
    readonly store: EntityStore,
    readonly tag: unknown,
  ) {}
}
