/**
 * What the index holds of one entity: the writes its resolution rests on, each held as a slot
 * of the batch it came in, and the entity's view built from them. The rules that decide which
 * writes win are `EntityMerge`'s; this is the record they keep.
 */
import type { Hlc } from './Hlc.js';
import type { JournalEntry } from './journal.js';
import { LiveSlots, type LiveMember } from './LiveSlots.js';
import type { RawBatch } from './batch.js';
import { CODE_CREATE, registerByCode, type ComponentName, type Components, type EntityType, type RegisterName } from './components.js';
import type { RawWrite } from './writeKinds.js';

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
export interface CreateSlot extends Slot { readonly type: EntityType }
export interface RegisterSlot extends Slot {
  readonly name: RegisterName;
  /** The decoded value, once read (see `valueOf`). */
  value: unknown;
}
export interface TaskSlot extends Slot { readonly task: string }
export interface RemoveSlot extends Slot { readonly task: string; readonly tags: readonly string[] }
export interface JournalSlot extends Slot { readonly key: string; readonly entry: JournalEntry }

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

/** What an `updated` change touched: a component, or the entity's journal. */
export type ChangedPart = ComponentName | 'journal';

export function note(names: ChangedPart[], part: ChangedPart): void {
  if (!names.includes(part)) names.push(part);
}

export class EntityRecord {
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

/** Oldest first; entries of one batch (one stamp) by content. */
export function journalOrder(a: JournalSlot, b: JournalSlot): number {
  return a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.key < b.key ? -1 : 1;
}

/** A register's value, decoded from its write on first read (local writes come undecoded). */
export function valueOf(slot: RegisterSlot): unknown {
  if (slot.value === undefined) slot.value = registerByCode(slot.raw[1])!.decode(slot.raw.slice(2));
  return slot.value;
}

/**
 * Ids of the entities created by a batch's valid writes (decoded writes, or live slots), in one
 * pass: a filter and a map cost a tick two arrays.
 */
export function createIdsOf(writes: Iterable<{ readonly raw: RawWrite }>): string[] {
  const ids: string[] = [];
  for (const write of writes) if (write.raw[1] === CODE_CREATE) ids.push(write.raw[0]);
  return ids;
}

export function idOf(slot: Slot): string {
  return slot.raw[0];
}

export function* slotsOf(record: EntityRecord): IterableIterator<Slot> {
  if (record.created) yield record.created;
  if (record.deleted) yield record.deleted;
  yield* record.registers.values();
  yield* record.adds.values();
  yield* record.removes;
  yield* record.journal.values();
}

export function buildView(record: EntityRecord): EntityView {
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
export function canonical(record: EntityRecord, view: EntityView): string {
  const parts = [view.id, view.type, record.created!.stamp];
  const names = Object.keys(view.components).sort() as ComponentName[];
  for (const name of names) {
    const stamp = name === 'taskCatalog' ? [...record.adds.values()].map((s) => s.stamp).sort().join(',') : record.registers.get(name as RegisterName)!.stamp;
    parts.push(`${name}@${stamp}=${JSON.stringify(view.components[name])}`);
  }
  for (const key of [...record.journal.keys()].sort()) parts.push(`journal:${key}`);
  return parts.join('|');
}

