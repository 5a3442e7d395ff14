/**
 * The resolved picture, computed from the batches present in the document.
 *
 * Merge rules (identical on every replica, whatever the delivery order):
 * - each register component: the write with the greatest HLC stamp wins;
 * - an entity's type: the create with the greatest stamp;
 * - a delete is a tombstone: writes stamped before it are dead, writes after it live, so an
 *   update concurrent with a delete survives if it is newer;
 * - the task catalog is an observed-remove set: an add survives unless a remove names its tag
 *   (the add's stamp), so a concurrent add beats a remove (add-wins).
 *
 * Liveness drives garbage collection: every batch tracks which of its writes still matter.
 * A write that stops mattering never matters again (stamps only grow), so a batch whose live
 * set is empty can be deleted from the document without changing anything any node resolves.
 */
import type { Hlc } from './Hlc.js';
import { CODE_JOURNAL, type JournalEntry, type StampedEntry } from './journal.js';
import { LiveSlots, type LiveMember } from './LiveSlots.js';
import { decodeBatch, type DecodedBatch, type DecodedWrite, type RawBatch, type RawWrite } from './batch.js';
import { CODE_CREATE, CODE_DELETE, CODE_TASK_ADD, CODE_TASK_REMOVE, registerByCode, type ComponentName, type ComponentValues, type Components, type EntityType, type RegisterName } from './components.js';

export interface BatchInfo {
  readonly raw: RawBatch;
  readonly stamp: string;
  readonly hlc: Hlc;
  readonly size: number;
  /** A batch with writes we could not read is never collected: a newer peer may understand them. */
  readonly pinned: boolean;
  readonly live: LiveSlots<Slot>;
  /** Entities this batch holds a create for, live or not: a tombstone is collectable only once all are gone. */
  readonly createIds: readonly string[];
}

/** One write that still matters, held by the batch it came in. */
export interface Slot extends LiveMember {
  readonly stamp: string;
  readonly raw: RawWrite;
  batch: BatchInfo;
}
interface CreateSlot extends Slot { readonly type: EntityType }
interface RegisterSlot extends Slot {
  readonly name: RegisterName;
  /** The decoded value, once read (see `valueOf`). */
  value: unknown;
}
interface TaskSlot extends Slot { readonly task: string }
interface RemoveSlot extends Slot { readonly task: string; readonly tags: readonly string[] }
interface JournalSlot extends Slot { readonly key: string; readonly entry: JournalEntry }

/** A resolved entity as every converged replica sees it. */
export interface EntityView {
  readonly id: string;
  readonly type: EntityType;
  readonly components: Components;
  /** The HLC stamp of the winning write of each component. */
  readonly stamps: Partial<Record<ComponentName, Hlc>>;
  /** Stamp of the create that gave the entity its type. */
  readonly created: Hlc;
}

export type ChangeKind = 'created' | 'updated' | 'deleted';

/** What an `updated` change touched: a component, or the entity's journal. */
export type ChangedPart = ComponentName | 'journal';

export interface EntityChange {
  readonly id: string;
  readonly kind: ChangeKind;
  /** Components whose winning write changed, and `journal` if entries were added (empty for `deleted`). */
  readonly components: readonly ChangedPart[];
  /** Whether this node wrote it or it came from the document (a peer, storage, the worker). */
  readonly origin: 'local' | 'remote';
}

function note(names: ChangedPart[], part: ChangedPart): void {
  if (!names.includes(part)) names.push(part);
}

class EntityRecord {
  created: CreateSlot | undefined;
  deleted: Slot | undefined;
  readonly registers = new Map<RegisterName, RegisterSlot>();
  /** Live task adds by `task@stamp`. */
  readonly adds = new Map<string, TaskSlot>();
  readonly removes = new Set<RemoveSlot>();
  /** Every `task@tag` some remove has named. */
  readonly removed = new Set<string>();
  /** The journal (audit trail), by stamp and content. */
  readonly journal = new Map<string, JournalSlot>();
  /** Every batch holding a create of this entity, winning or not. */
  readonly createdIn = new Set<BatchInfo>();
  view: EntityView | undefined;
  hash: string | undefined;
  /**
   * While touched by the open transaction: the parts changed so far (a short list), and whether
   * the entity was visible before. Kept on the record rather than in a map of notes: a tick
   * touches every track.
   */
  changed: ChangedPart[] | undefined;
  wasVisible = false;

  constructor(readonly id: string) {}

  get visible(): boolean {
    if (!this.created) return false;
    if (!this.deleted) return true;
    return this.created.stamp > this.deleted.stamp || this.registers.size > 0 || this.adds.size > 0;
  }

  get empty(): boolean {
    return !this.created && !this.deleted && this.registers.size === 0 && this.adds.size === 0 && this.removes.size === 0 && this.journal.size === 0;
  }
}

/** Two different writes to one place of an entity under one stamp, and the batches holding them. */
export interface StampConflict {
  readonly id: string;
  readonly stamp: string;
  readonly batches: readonly [RawBatch, RawBatch];
}

export class EntityIndex {
  /**
   * Told when two different writes to one place carry the same stamp: one writer wrote both
   * (its clock or its code is broken, or it equivocates), or two writers claim one node id.
   * Resolution does not depend on it (content breaks the tie), but a person should know.
   */
  onConflict: ((conflict: StampConflict) => void) | undefined;
  private readonly records = new Map<string, EntityRecord>();
  private readonly batches = new Map<RawBatch, BatchInfo>();
  /** Per-transaction bookkeeping, cleared by `endChanges`. */
  private readonly touched: EntityRecord[] = [];
  private readonly affectedBatches = new Set<BatchInfo>();

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
    this.affectedBatches.add(info);
    for (const write of decoded.writes) this.apply(write, info);
    return info;
  }

  /**
   * Removes a batch the document no longer holds. Returns the winning writes it took with it
   * (`lost`); pass those without an equal replacement to `rebuild` once the transaction's
   * inserts are in.
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
      this.touch(record);
      this.detach(record, slot);
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
      if (!record || !this.hasEqual(record, slot)) ids.add(idOf(slot));
    }
    return ids;
  }

  /** Recomputes the given entities from every batch present. The rare path: O(document). */
  rebuild(ids: ReadonlySet<string>): void {
    if (ids.size === 0) return;
    for (const id of ids) {
      const record = this.records.get(id);
      if (!record) continue;
      this.touch(record);
      for (const slot of slotsOf(record)) this.kill(slot);
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
      for (const write of decoded.writes) if (ids.has(write.id)) this.apply(write, info);
    }
  }

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
    this.touch(record);
    for (const slot of slotsOf(record)) this.kill(slot);
    this.records.delete(id);
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
    const tombstone = record.deleted?.stamp;
    const code = raw[1];
    switch (code) {
      case CODE_CREATE:
        // An old create still gives a resurrected entity its type: only a create covers it.
        return record.created !== undefined && record.created.stamp >= stamp;
      case CODE_DELETE:
        return tombstone !== undefined && tombstone >= stamp;
      case CODE_TASK_ADD: {
        if (tombstone !== undefined && stamp <= tombstone) return true;
        const key = `${String(raw[2])}@${stamp}`;
        return record.adds.has(key) || record.removed.has(key);
      }
      case CODE_TASK_REMOVE: {
        const tags = raw.slice(3) as string[];
        if (tombstone !== undefined && !removeMatters(stamp, tags, tombstone)) return true;
        for (const remove of record.removes) if (remove.stamp === stamp && remove.task === raw[2]) return true;
        return false;
      }
      case CODE_JOURNAL:
        return (tombstone !== undefined && stamp <= tombstone) || record.journal.has(`${stamp}|${JSON.stringify(raw)}`);
      default: {
        if (tombstone !== undefined && stamp <= tombstone) return true;
        const spec = typeof code === 'number' ? registerByCode(code) : undefined;
        const current = spec ? record.registers.get(spec.name) : undefined;
        return current !== undefined && current.stamp >= stamp;
      }
    }
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

  /** Deterministic order of two writes: stamp first, then (for equal stamps) content. */
  private beats(a: Slot, b: Slot, id: string): boolean {
    if (a.stamp !== b.stamp) return a.stamp > b.stamp;
    const [ja, jb] = [JSON.stringify(a.raw), JSON.stringify(b.raw)];
    if (ja !== jb) this.onConflict?.({ id, stamp: a.stamp, batches: [b.batch.raw, a.batch.raw] });
    return ja > jb;
  }

  private apply(write: DecodedWrite, batch: BatchInfo): void {
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
        const key = `${write.task}@${stamp}`;
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
          const key = `${write.task}@${tag}`;
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
    const key = `${batch.stamp}|${JSON.stringify(write.raw)}`;
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

  private detach(record: EntityRecord, slot: Slot): void {
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
      record.adds.delete(`${task.task}@${task.stamp}`);
      note(touch, 'taskCatalog');
    }
  }

  private hasEqual(record: EntityRecord, slot: Slot): boolean {
    switch (slot.raw[1]) {
      case CODE_CREATE:
        return record.created !== undefined && record.created.stamp >= slot.stamp;
      case CODE_DELETE:
        return record.deleted !== undefined && record.deleted.stamp >= slot.stamp;
      case CODE_TASK_ADD:
        return record.adds.has(`${(slot as TaskSlot).task}@${slot.stamp}`);
      case CODE_JOURNAL:
        return record.journal.has((slot as JournalSlot).key);
      case CODE_TASK_REMOVE:
        for (const remove of record.removes) if (remove.stamp === slot.stamp && remove.task === (slot as RemoveSlot).task) return true;
        return false;
      default: {
        const current = record.registers.get((slot as RegisterSlot).name);
        return current !== undefined && current.stamp >= slot.stamp;
      }
    }
  }

  private recordFor(id: string): EntityRecord {
    let record = this.records.get(id);
    if (!record) {
      record = new EntityRecord(id);
      this.records.set(id, record);
    }
    return record;
  }

  /** Notes that the open transaction changes `record`; returns its list of changed parts. */
  private touch(record: EntityRecord): ChangedPart[] {
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

  private live(slot: Slot): void {
    slot.batch.live.add(slot);
    this.affectedBatches.add(slot.batch);
  }

  private kill(slot: Slot): void {
    slot.batch.live.delete(slot);
    this.affectedBatches.add(slot.batch);
  }
}

/** Oldest first; entries of one batch (one stamp) by content. */
function journalOrder(a: JournalSlot, b: JournalSlot): number {
  return a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.key < b.key ? -1 : 1;
}

/** A remove still matters after a tombstone if it is newer, or names an add that is newer. */
function removeMatters(stamp: string, tags: readonly string[], tombstone: string): boolean {
  return stamp > tombstone || tags.some((tag) => tag > tombstone);
}

/** A register's value, decoded from its write on first read (local writes come undecoded). */
function valueOf(slot: RegisterSlot): unknown {
  if (slot.value === undefined) slot.value = registerByCode(slot.raw[1])!.decode(slot.raw.slice(2));
  return slot.value;
}

/**
 * Ids of the entities created by a batch's valid writes (decoded writes, or live slots), in one
 * pass: a filter and a map cost a tick two arrays.
 */
function createIdsOf(writes: Iterable<{ readonly raw: RawWrite }>): string[] {
  const ids: string[] = [];
  for (const write of writes) if (write.raw[1] === CODE_CREATE) ids.push(write.raw[0]);
  return ids;
}

function idOf(slot: Slot): string {
  return slot.raw[0];
}

function* slotsOf(record: EntityRecord): IterableIterator<Slot> {
  if (record.created) yield record.created;
  if (record.deleted) yield record.deleted;
  yield* record.registers.values();
  yield* record.adds.values();
  yield* record.removes;
  yield* record.journal.values();
}

function buildView(record: EntityRecord): EntityView {
  const components: Record<string, unknown> = {};
  const stamps: Partial<Record<ComponentName, Hlc>> = {};
  for (const [name, slot] of record.registers) {
    components[name] = valueOf(slot);
    stamps[name] = slot.batch.hlc;
  }
  if (record.adds.size > 0) {
    const tasks = new Set<string>();
    let newest: TaskSlot | undefined;
    for (const slot of record.adds.values()) {
      tasks.add(slot.task);
      if (!newest || slot.stamp > newest.stamp) newest = slot;
    }
    components.taskCatalog = [...tasks].sort();
    if (newest) stamps.taskCatalog = newest.batch.hlc;
  }
  const created = record.created!;
  return { id: record.id, type: created.type, components: components as Components, stamps, created: created.batch.hlc };
}

/** Text that two replicas produce identically iff they resolved the entity identically. */
function canonical(record: EntityRecord, view: EntityView): string {
  const parts = [view.id, view.type, record.created!.stamp];
  const names = Object.keys(view.components).sort() as ComponentName[];
  for (const name of names) {
    const stamp = name === 'taskCatalog' ? [...record.adds.values()].map((s) => s.stamp).sort().join(',') : record.registers.get(name as RegisterName)!.stamp;
    parts.push(`${name}@${stamp}=${JSON.stringify(view.components[name])}`);
  }
  for (const key of [...record.journal.keys()].sort()) parts.push(`journal:${key}`);
  return parts.join('|');
}

