/**
 * The merge rules, identical on every replica whatever the delivery order:
 * - each register component: the write with the greatest HLC stamp wins;
 * - an entity's type: the create with the greatest stamp;
 * - a delete is a tombstone: writes stamped before it are dead, writes after it live, so an
 *   update concurrent with a delete survives if it is newer;
 * - the task catalog is an observed-remove set: an add survives unless a remove names its tag
 *   (the add's stamp), so a concurrent add beats a remove (add-wins);
 * - the journal is a set of entries, by stamp and content.
 * Equal stamps (one writer wrote two things under one stamp) are broken by content.
 *
 * Applying a write keeps each batch's live set (`BatchInfo.live`) and notes what the open
 * transaction changed, which `endChanges` reports.
 */
import type { RawBatch } from './batch.js';
import { CODE_JOURNAL } from './journal.js';
import { note, type BatchInfo, type ChangedPart, type CreateSlot, type JournalSlot, type RegisterSlot, type RemoveSlot, type Slot, type TaskSlot, EntityRecord } from './EntityRecord.js';
import { journalKey, removeMatters, taskKey, type DecodedWrite } from './writeKinds.js';

export type ChangeKind = 'created' | 'updated' | 'deleted';

export interface EntityChange {
  readonly id: string;
  readonly kind: ChangeKind;
  /** Components whose winning write changed, and `journal` if entries were added (empty for `deleted`). */
  readonly components: readonly ChangedPart[];
  /** Whether this node wrote it or it came from the document (a peer, storage, the worker). */
  readonly origin: 'local' | 'remote';
}

/** Two different writes to one place of an entity under one stamp, and the batches holding them. */
export interface StampConflict {
  readonly id: string;
  readonly stamp: string;
  readonly batches: readonly [RawBatch, RawBatch];
}

export class EntityMerge {
  readonly records = new Map<string, EntityRecord>();
  /** Per-transaction bookkeeping, cleared by `endChanges`. */
  private readonly touched: EntityRecord[] = [];
  private readonly affectedBatches = new Set<BatchInfo>();

  /**
   * @param onConflict told when two different writes to one place carry the same stamp (see
   *   `EntityIndex.onConflict`).
   */
  constructor(private readonly onConflict: (conflict: StampConflict) => void) {}

  /** Entities and component names changed since the last call, and batches whose liveness changed. */
  endChanges(origin: 'local' | 'remote'): { changes: EntityChange[]; affected: BatchInfo[] } {
    const changes: EntityChange[] = [];
    for (const record of this.touched) {
      const names = record.changed;
      if (!names) continue; // forgotten (collected) after it was touched, or listed twice
      record.changed = undefined;
      const wasVisible = record.wasVisible;
      const isVisible = record.visible;
      if (!wasVisible && isVisible) changes.push({ id: record.id, kind: 'created', components: names, origin });
      else if (wasVisible && !isVisible) changes.push({ id: record.id, kind: 'deleted', components: [], origin });
      else if (isVisible && names.length > 0) changes.push({ id: record.id, kind: 'updated', components: names, origin });
      if (record.empty) this.records.delete(record.id);
    }
    this.touched.length = 0;
    const affected = [...this.affectedBatches];
    this.affectedBatches.clear();
    return { changes, affected };
  }

  /** Notes that `batch`'s live set changed in the open transaction. */
  affected(batch: BatchInfo): void {
    this.affectedBatches.add(batch);
  }

  /** Deterministic order of two writes: stamp first, then (for equal stamps) content. */
  private beats(a: Slot, b: Slot, id: string): boolean {
    if (a.stamp !== b.stamp) return a.stamp > b.stamp;
    const [ja, jb] = [JSON.stringify(a.raw), JSON.stringify(b.raw)];
    if (ja !== jb) this.onConflict({ id, stamp: a.stamp, batches: [b.batch.raw, a.batch.raw] });
    return ja > jb;
  }

  apply(write: DecodedWrite, batch: BatchInfo): void {
    const record = this.recordFor(write.id);
    const stamp = batch.stamp;
    const deadBefore = record.deleted?.stamp;
    switch (write.kind) {
      case 'create': {
        record.createdIn.add(batch);
        const slot: CreateSlot = { stamp, raw: write.raw, batch, liveIn: undefined, type: write.type };
        if (record.created && !this.beats(slot, record.created, write.id)) return;
        this.touch(record);
        if (record.created) this.kill(record.created);
        record.created = slot;
        this.live(slot);
        return;
      }
      case 'delete': {
        const slot: Slot = { stamp, raw: write.raw, batch, liveIn: undefined };
        if (record.deleted && !this.beats(slot, record.deleted, write.id)) return;
        this.touch(record);
        if (record.deleted) this.kill(record.deleted);
        record.deleted = slot;
        this.live(slot);
        this.purge(record, stamp);
        return;
      }
      case 'register': {
        if (deadBefore !== undefined && stamp <= deadBefore) return;
        const slot: RegisterSlot = { stamp, raw: write.raw, batch, liveIn: undefined, name: write.name, value: write.value };
        const current = record.registers.get(write.name);
        if (current && !this.beats(slot, current, write.id)) return;
        note(this.touch(record), write.name);
        if (current) this.kill(current);
        record.registers.set(write.name, slot);
        this.live(slot);
        return;
      }
      case 'taskAdd': {
        if (deadBefore !== undefined && stamp <= deadBefore) return;
        const key = taskKey(write.task, stamp);
        if (record.removed.has(key) || record.adds.has(key)) return;
        const slot: TaskSlot = { stamp, raw: write.raw, batch, liveIn: undefined, task: write.task };
        note(this.touch(record), 'taskCatalog');
        record.adds.set(key, slot);
        this.live(slot);
        return;
      }
      case 'journal':
        this.applyJournal(record, write, batch);
        return;
      case 'taskRemove': {
        if (deadBefore !== undefined && !removeMatters(stamp, write.tags, deadBefore)) return;
        const slot: RemoveSlot = { stamp, raw: write.raw, batch, liveIn: undefined, task: write.task, tags: write.tags };
        this.touch(record);
        record.removes.add(slot);
        this.live(slot);
        for (const tag of write.tags) {
          const key = taskKey(write.task, tag);
          record.removed.add(key);
          const add = record.adds.get(key);
          if (add) {
            record.adds.delete(key);
            this.kill(add);
            note(this.touch(record), 'taskCatalog');
          }
        }
        return;
      }
    }
  }

  private applyJournal(record: EntityRecord, write: Extract<DecodedWrite, { kind: 'journal' }>, batch: BatchInfo): void {
    const deadBefore = record.deleted?.stamp;
    if (deadBefore !== undefined && batch.stamp <= deadBefore) return;
    const key = journalKey(batch.stamp, write.raw);
    if (record.journal.has(key)) return;
    const slot: JournalSlot = { stamp: batch.stamp, raw: write.raw, batch, liveIn: undefined, key, entry: write.entry };
    note(this.touch(record), 'journal');
    record.journal.set(key, slot);
    this.live(slot);
  }

  /** A tombstone at `stamp` kills every older write of the entity. */
  private purge(record: EntityRecord, stamp: string): void {
    const touch = this.touch(record);
    for (const [name, slot] of record.registers) {
      if (slot.stamp <= stamp) {
        record.registers.delete(name);
        this.kill(slot);
        note(touch, name);
      }
    }
    for (const [key, slot] of record.adds) {
      if (slot.stamp <= stamp) {
        record.adds.delete(key);
        this.kill(slot);
        note(touch, 'taskCatalog');
      }
    }
    for (const [key, slot] of record.journal) {
      if (slot.stamp <= stamp) {
        record.journal.delete(key);
        this.kill(slot);
        note(touch, 'journal');
      }
    }
    for (const slot of record.removes) {
      if (!removeMatters(slot.stamp, slot.tags, stamp)) {
        record.removes.delete(slot);
        this.kill(slot);
      }
    }
  }

  detach(record: EntityRecord, slot: Slot): void {
    const touch = this.touch(record);
    if (record.created === slot) record.created = undefined;
    else if (record.deleted === slot) record.deleted = undefined;
    else if (slot.raw[1] === CODE_JOURNAL) {
      record.journal.delete((slot as JournalSlot).key);
      note(touch, 'journal');
    }
    else if ('name' in slot) {
      const register = slot as RegisterSlot;
      if (record.registers.get(register.name) === register) {
        record.registers.delete(register.name);
        note(touch, register.name);
      }
    } else if ('tags' in slot) {
      record.removes.delete(slot as RemoveSlot);
    } else if ('task' in slot) {
      const task = slot as TaskSlot;
      record.adds.delete(taskKey(task.task, task.stamp));
      note(touch, 'taskCatalog');
    }
  }

  recordFor(id: string): EntityRecord {
    let record = this.records.get(id);
    if (!record) {
      record = new EntityRecord(id);
      this.records.set(id, record);
    }
    return record;
  }

  /** Notes that the open transaction changes `record`; returns its list of changed parts. */
  touch(record: EntityRecord): ChangedPart[] {
    let names = record.changed;
    if (!names) {
      record.wasVisible = record.visible;
      record.changed = names = [];
      this.touched.push(record);
    }
    record.view = undefined;
    record.hash = undefined;
    return names;
  }

  live(slot: Slot): void {
    slot.batch.live.add(slot);
    this.affectedBatches.add(slot.batch);
  }

  kill(slot: Slot): void {
    slot.batch.live.delete(slot);
    this.affectedBatches.add(slot.batch);
  }
}
