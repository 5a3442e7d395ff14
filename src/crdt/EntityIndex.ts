/**
 * The resolved picture, computed from the batches present in the document: which batches are
 * in, what each entity resolves to (by the rules of `EntityMerge`), and the reads on it.
 *
 * Liveness drives garbage collection: every batch tracks which of its writes still matter.
 * A write that stops mattering never matters again (stamps only grow), so a batch whose live
 * set is empty can be deleted from the document without changing anything any node resolves.
 */
import type { StampedEntry } from './journal.js';
import { LiveSlots } from './LiveSlots.js';
import { decodeBatch, type DecodedBatch, type RawBatch, type RawWrite } from './batch.js';
import type { ComponentValues, ComponentName, EntityType, RegisterName } from './components.js';
import { buildView, canonical, createIdsOf, idOf, journalOrder, slotsOf, valueOf, type BatchInfo, type EntityRecord, type EntityView, type Slot } from './EntityRecord.js';
import { EntityMerge, type EntityChange, type StampConflict } from './EntityMerge.js';
import { ruleOf } from './writeKinds.js';

export type { BatchInfo, ChangedPart, EntityView, Slot } from './EntityRecord.js';
export type { ChangeKind, EntityChange, StampConflict } from './EntityMerge.js';

export class EntityIndex {
  /**
   * Told when two different writes to one place carry the same stamp: one writer wrote both
   * (its clock or its code is broken, or it equivocates), or two writers claim one node id.
   * Resolution does not depend on it (content breaks the tie), but a person should know.
   */
  onConflict: ((conflict: StampConflict) => void) | undefined;
  private readonly merge = new EntityMerge((conflict) => this.onConflict?.(conflict));
  private readonly records: ReadonlyMap<string, EntityRecord> = this.merge.records;
  private readonly batches = new Map<RawBatch, BatchInfo>();

  get batchCount(): number {
    return this.batches.size;
  }

  get entityCount(): number {
    let n = 0;
    for (const record of this.records.values()) if (record.visible) n++;
    return n;
  }

  /** Adds a decoded batch. Returns its bookkeeping. */
  addBatch(decoded: DecodedBatch): BatchInfo {
    const existing = this.batches.get(decoded.raw);
    if (existing) return existing;
    const info: BatchInfo = {
      raw: decoded.raw,
      stamp: decoded.stamp,
      hlc: decoded.hlc,
      size: decoded.writes.length + decoded.rejected.length,
      pinned: decoded.rejected.length > 0,
      live: new LiveSlots(),
      createIds: createIdsOf(decoded.writes),
    };
    this.batches.set(decoded.raw, info);
    this.merge.affected(info);
    for (const write of decoded.writes) this.merge.apply(write, info);
    return info;
  }

  /**
   * Removes a batch the document no longer holds. Returns the writes that still mattered in it
   * (`lost`): once the transaction's inserts are in, `unreplaced(lost)` names the entities to
   * `rebuild` (those whose lost writes no equal write replaced).
   */
  removeBatch(raw: RawBatch): { lost: Slot[] } {
    const info = this.batches.get(raw);
    if (!info) return { lost: [] };
    this.batches.delete(raw);
    for (const id of info.createIds) this.records.get(id)?.createdIn.delete(info);
    const lost: Slot[] = [];
    for (const slot of info.live) {
      const record = this.records.get(idOf(slot));
      if (!record) continue;
      this.merge.touch(record);
      this.merge.detach(record, slot);
      lost.push(slot);
    }
    info.live.clear();
    return { lost };
  }

  /** After inserts: which lost slots were not replaced by an equal write (author rewrites). */
  unreplaced(lost: readonly Slot[]): Set<string> {
    const ids = new Set<string>();
    for (const slot of lost) {
      const record = this.records.get(idOf(slot));
      if (!record || !ruleOf(slot.raw[1]).held(record, slot.raw, slot.stamp)) ids.add(idOf(slot));
    }
    return ids;
  }

  /** Recomputes the given entities from every batch present. The rare path: O(document). */
  rebuild(ids: ReadonlySet<string>): void {
    if (ids.size === 0) return;
    for (const id of ids) {
      const record = this.records.get(id);
      if (!record) continue;
      this.merge.touch(record);
      for (const slot of slotsOf(record)) this.merge.kill(slot);
      record.created = undefined;
      record.deleted = undefined;
      record.registers.clear();
      record.adds.clear();
      record.removes.clear();
      record.removed.clear();
      record.journal.clear();
      record.createdIn.clear();
    }
    for (const info of this.batches.values()) {
      const decoded = decodeBatch(info.raw);
      for (const write of decoded.writes) if (ids.has(write.id)) this.merge.apply(write, info);
    }
  }

  /** Entities and component names changed since the last call, and batches whose liveness changed. */
  endChanges(origin: 'local' | 'remote'): { changes: EntityChange[]; affected: BatchInfo[] } {
    return this.merge.endChanges(origin);
  }

  has(id: string): boolean {
    return this.records.get(id)?.visible ?? false;
  }

  typeOf(id: string): EntityType | undefined {
    const record = this.records.get(id);
    return record?.visible ? record.created!.type : undefined;
  }

  get(id: string): EntityView | undefined {
    const record = this.records.get(id);
    if (!record || !record.visible) return undefined;
    return (record.view ??= buildView(record));
  }

  /** Views of the visible entities, optionally of one type (filtered before any view is built). */
  *views(type?: EntityType): IterableIterator<EntityView> {
    for (const record of this.records.values()) {
      if (record.visible && (type === undefined || record.created!.type === type)) yield (record.view ??= buildView(record));
    }
  }

  /**
   * One component of a visible entity, without building its whole view: the cheap read for
   * code that scans many entities each tick.
   */
  component<N extends ComponentName>(id: string, name: N): ComponentValues[N] | undefined {
    const record = this.records.get(id);
    if (!record || !record.visible) return undefined;
    if (name === 'taskCatalog') {
      if (record.adds.size === 0) return undefined;
      const tasks = new Set<string>();
      for (const slot of record.adds.values()) tasks.add(slot.task);
      return [...tasks].sort() as ComponentValues[N];
    }
    const slot = record.registers.get(name as RegisterName);
    return slot && (valueOf(slot) as ComponentValues[N]);
  }

  /** Ids of the visible entities, optionally of one type. */
  *ids(type?: EntityType): IterableIterator<string> {
    for (const record of this.records.values()) {
      if (record.visible && (type === undefined || record.created!.type === type)) yield record.id;
    }
  }

  /** Stamps of the live adds of one task: what a remove must name to remove it. */
  taskTags(id: string, task: string): string[] {
    const record = this.records.get(id);
    if (!record) return [];
    const tags: string[] = [];
    for (const slot of record.adds.values()) if (slot.task === task) tags.push(slot.stamp);
    return tags;
  }

  /** The journal of a visible entity, oldest first. */
  journal(id: string): StampedEntry[] {
    const record = this.records.get(id);
    if (!record || !record.visible) return [];
    const slots = [...record.journal.values()];
    // Entries mostly arrive in stamp order (a node appends to its own journal in order): sort
    // only when they did not.
    for (let i = 1; i < slots.length; i++) {
      if (journalOrder(slots[i - 1]!, slots[i]!) > 0) {
        slots.sort(journalOrder);
        break;
      }
    }
    return slots.map((slot) => ({ entry: slot.entry, at: slot.batch.hlc }));
  }

  /** Canonical text of one visible entity, the input of its digest. */
  entityHash(id: string, hash: (text: string) => string): string | undefined {
    const record = this.records.get(id);
    if (!record || !record.visible) return undefined;
    if (record.hash === undefined) {
      const view = (record.view ??= buildView(record));
      record.hash = hash(canonical(record, view));
    }
    return record.hash;
  }

  /**
   * The writes the entity's resolution rests on (tombstone and journal included), with their
   * stamps and the batches holding them: what a replica compares with another to repair it.
   */
  liveSlots(id: string): Array<{ readonly stamp: string; readonly raw: RawWrite; readonly batch: RawBatch }> {
    const record = this.records.get(id);
    return record ? [...slotsOf(record)].map((slot) => ({ stamp: slot.stamp, raw: slot.raw, batch: slot.batch.raw })) : [];
  }

  /** The stamp of the entity's tombstone, if it has one. */
  tombstone(id: string): string | undefined {
    return this.records.get(id)?.deleted?.stamp;
  }

  /**
   * Each entity's hash for replicas comparing ranges of ids: visible entities by their canonical
   * hash, deleted ones by their tombstone (so a tombstone one side lacks shows as a difference).
   */
  *recordHashes(hash: (text: string) => string): IterableIterator<[string, string]> {
    for (const record of this.records.values()) {
      if (record.visible) yield [record.id, this.entityHash(record.id, hash)!];
      else if (record.deleted) yield [record.id, `x${record.deleted.stamp}`];
    }
  }

  *visibleIds(): IterableIterator<string> {
    for (const record of this.records.values()) if (record.visible) yield record.id;
  }

  batchInfo(raw: RawBatch): BatchInfo | undefined {
    return this.batches.get(raw);
  }

  allBatches(): IterableIterator<BatchInfo> {
    return this.batches.values();
  }

  /** Ids of deleted, invisible entities whose tombstone is older than `beforeStamp`. */
  collectableTombstones(beforeStamp: string): string[] {
    const ids: string[] = [];
    for (const record of this.records.values()) {
      if (record.deleted && !record.visible && record.deleted.stamp < beforeStamp) ids.push(record.id);
    }
    return ids;
  }

  /**
   * Forgets a dead entity entirely: all its writes become garbage. Every create of the entity
   * must leave the document with it, or a peer rebuilding from the document would bring the
   * entity back; so this refuses (returns undefined) while a create sits in a batch that still
   * holds other live writes and that `mayRewrite` does not allow us to rewrite. Otherwise it
   * returns the batches that must be rewritten without the entity.
   */
  collect(id: string, mayRewrite: (batch: BatchInfo) => boolean): Set<BatchInfo> | undefined {
    const record = this.records.get(id);
    if (!record || record.visible) return undefined;
    const rewrite = new Set<BatchInfo>();
    for (const batch of record.createdIn) {
      const othersLive = [...batch.live].some((slot) => idOf(slot) !== id);
      if (!othersLive) continue;
      if (batch.pinned || !mayRewrite(batch)) return undefined;
      rewrite.add(batch);
    }
    this.merge.touch(record);
    for (const slot of slotsOf(record)) this.merge.kill(slot);
    this.merge.records.delete(id);
    record.changed = undefined;
    return rewrite;
  }

  /**
   * Whether a write stamped `stamp` would change nothing here: an equal or newer write to the
   * same thing is present, or a tombstone that kills it. (A sender uses it to skip what the
   * other side has.) Unknown shapes answer false.
   */
  covers(raw: RawWrite, stamp: string): boolean {
    const record = this.records.get(raw[0]);
    if (!record) return false;
    return ruleOf(raw[1]).covers(record, raw, stamp);
  }

  /**
   * Moves the live writes of `from` to a rewritten batch `to` holding exactly those writes
   * (the same stamp; the writes were decoded when `from` came in, so they are not again).
   */
  transfer(from: BatchInfo, toRaw: RawBatch): BatchInfo {
    const to: BatchInfo = { ...from, raw: toRaw, size: toRaw.length - 1, live: new LiveSlots(), createIds: createIdsOf(from.live) };
    for (const id of from.createIds) this.records.get(id)?.createdIn.delete(from);
    for (const id of to.createIds) this.records.get(id)?.createdIn.add(to);
    for (const slot of from.live) {
      slot.batch = to;
      to.live.add(slot);
    }
    from.live.clear();
    this.batches.delete(from.raw);
    this.batches.set(to.raw, to);
    return to;
  }

}
