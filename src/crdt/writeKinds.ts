/**
 * The kinds of write a batch carries, and each kind's rules in one table: how it is read from
 * the document, and when a write of that kind would change nothing at a replica. Decoding
 * (`decodeWrite`), the sender's skip test (`EntityIndex.covers`) and the check that a removed
 * batch's writes came back elsewhere (`EntityIndex.unreplaced`) all read the same row.
 *
 *   write = [entityId, code, …payload]
 */
import { decodeHlc, type Hlc } from './Hlc.js';
import { CODE_JOURNAL, decodeJournalEntry, type JournalEntry } from './journal.js';
import { ValidationError } from './errors.js';
import {
  CODE_CREATE,
  CODE_DELETE,
  CODE_TASK_ADD,
  CODE_TASK_REMOVE,
  ENTITY_TYPES,
  TASK_NAME_PATTERN,
  registerByCode,
  type EntityType,
  type RegisterName,
  type WireValue,
} from './components.js';

/** A raw write as stored in the document. */
export type RawWrite = [string, number, ...WireValue[]];

export type DecodedWrite =
  | { readonly kind: 'create'; readonly id: string; readonly type: EntityType; readonly raw: RawWrite }
  | { readonly kind: 'delete'; readonly id: string; readonly raw: RawWrite }
  | {
      readonly kind: 'register';
      readonly id: string;
      readonly name: RegisterName;
      /**
       * The value as every node reads it; `undefined` for a write this node made, which the
       * index decodes from `raw` when it is first read (most writes of a busy node are replaced
       * before anyone reads them).
       */
      readonly value: unknown;
      readonly raw: RawWrite;
    }
  | { readonly kind: 'taskAdd'; readonly id: string; readonly task: string; readonly raw: RawWrite }
  | { readonly kind: 'taskRemove'; readonly id: string; readonly task: string; readonly tags: readonly string[]; readonly raw: RawWrite }
  | { readonly kind: 'journal'; readonly id: string; readonly entry: JournalEntry; readonly raw: RawWrite };

export type WriteKind = DecodedWrite['kind'];

/**
 * What a replica holds of one entity, as the rules below read it (`EntityRecord` is one): the
 * winning create, tombstone and registers by stamp, and the members of its sets by key.
 */
export interface HeldWrites {
  readonly created: { readonly stamp: string } | undefined;
  readonly deleted: { readonly stamp: string } | undefined;
  readonly registers: ReadonlyMap<RegisterName, { readonly stamp: string }>;
  /** Live task adds by `taskKey`. */
  readonly adds: ReadonlyMap<string, unknown>;
  /** Every `taskKey` some remove has named. */
  readonly removed: ReadonlySet<string>;
  readonly removes: Iterable<{ readonly stamp: string; readonly task: string }>;
  /** Journal entries by `journalKey`. */
  readonly journal: ReadonlyMap<string, unknown>;
}

interface WriteRule {
  /** Reads a write of this kind (`raw` is an array of at least two elements); throws `ValidationError` on garbage. */
  decode(raw: unknown[], id: string, stamp: Hlc): DecodedWrite;
  /** An equal or newer write to the same place is held: this one would not win. */
  held(record: HeldWrites, raw: RawWrite, stamp: string): boolean;
  /**
   * This write would change nothing: it is `held`, or a tombstone (or, for a task add, a
   * remove) kills it on arrival. One function per kind: a sender asks this of every write.
   */
  covers(record: HeldWrites, raw: RawWrite, stamp: string): boolean;
}

const MAX_TAGS = 64;

/** The key of a task add in an entity's set: the task and its tag (the add's stamp). */
export function taskKey(task: string, stamp: string): string {
  return `${task}@${stamp}`;
}

/** The key of a journal entry: its stamp and content (two entries of one batch differ in content). */
export function journalKey(stamp: string, raw: RawWrite): string {
  return `${stamp}|${JSON.stringify(raw)}`;
}

/** A remove still matters after a tombstone if it is newer, or names an add that is newer. */
export function removeMatters(stamp: string, tags: readonly string[], tombstone: string): boolean {
  return stamp > tombstone || tags.some((tag) => tag > tombstone);
}

/** Writes stamped at or before the tombstone are dead. */
function beforeTombstone(record: HeldWrites, stamp: string): boolean {
  const tombstone = record.deleted?.stamp;
  return tombstone !== undefined && stamp <= tombstone;
}

function taskName(value: unknown): string {
  if (typeof value !== 'string' || !TASK_NAME_PATTERN.test(value)) {
    throw new ValidationError('taskCatalog', `${JSON.stringify(value)} is not a task name.`);
  }
  return value;
}

const createHeld = (record: HeldWrites, _raw: RawWrite, stamp: string): boolean => record.created !== undefined && record.created.stamp >= stamp;
const deleteHeld = (record: HeldWrites, _raw: RawWrite, stamp: string): boolean => record.deleted !== undefined && record.deleted.stamp >= stamp;

function registerHeld(record: HeldWrites, raw: RawWrite, stamp: string): boolean {
  const code = raw[1];
  const spec = typeof code === 'number' ? registerByCode(code) : undefined;
  const current = spec ? record.registers.get(spec.name) : undefined;
  return current !== undefined && current.stamp >= stamp;
}

function removeHeld(record: HeldWrites, raw: RawWrite, stamp: string): boolean {
  for (const remove of record.removes) if (remove.stamp === stamp && remove.task === raw[2]) return true;
  return false;
}

const journalHeld = (record: HeldWrites, raw: RawWrite, stamp: string): boolean => record.journal.has(journalKey(stamp, raw));

const WRITE_RULES: { readonly [K in WriteKind]: WriteRule } = {
  create: {
    decode(raw, id) {
      const typeIndex = raw[2];
      const type = typeof typeIndex === 'number' ? ENTITY_TYPES[typeIndex] : undefined;
      if (raw.length !== 3 || type === undefined) throw new ValidationError('entity type', `Create of "${id}" names no known entity type.`);
      return { kind: 'create', id, type, raw: raw as RawWrite };
    },
    held: createHeld,
    // An old create still gives a resurrected entity its type: only a create covers it.
    covers: createHeld,
  },
  delete: {
    decode(raw, id) {
      if (raw.length !== 2) throw new ValidationError('write', `Delete of "${id}" carries unexpected fields.`);
      return { kind: 'delete', id, raw: raw as RawWrite };
    },
    held: deleteHeld,
    covers: deleteHeld,
  },
  register: {
    decode(raw, id) {
      const code = raw[1];
      const spec = typeof code === 'number' ? registerByCode(code) : undefined;
      if (!spec) throw new ValidationError('component', `Write to "${id}" uses unknown component code ${String(code).slice(0, 20)}.`);
      return { kind: 'register', id, name: spec.name, value: spec.decode(raw.slice(2)), raw: raw as RawWrite };
    },
    held: registerHeld,
    covers: (record, raw, stamp) => beforeTombstone(record, stamp) || registerHeld(record, raw, stamp),
  },
  taskAdd: {
    decode(raw, id) {
      if (raw.length !== 3) throw new ValidationError('taskCatalog', `Task add on "${id}" has the wrong shape.`);
      return { kind: 'taskAdd', id, task: taskName(raw[2]), raw: raw as RawWrite };
    },
    held: (record, raw, stamp) => record.adds.has(taskKey(String(raw[2]), stamp)),
    covers(record, raw, stamp) {
      if (beforeTombstone(record, stamp)) return true;
      const key = taskKey(String(raw[2]), stamp);
      return record.adds.has(key) || record.removed.has(key);
    },
  },
  taskRemove: {
    decode(raw, id) {
      const tags = raw.slice(3);
      if (tags.length === 0 || tags.length > MAX_TAGS) throw new ValidationError('taskCatalog', `Task removal on "${id}" names no add to remove.`);
      for (const tag of tags) decodeHlc(tag);
      return { kind: 'taskRemove', id, task: taskName(raw[2]), tags: tags as string[], raw: raw as RawWrite };
    },
    held: removeHeld,
    covers(record, raw, stamp) {
      const tombstone = record.deleted?.stamp;
      if (tombstone !== undefined && !removeMatters(stamp, raw.slice(3) as string[], tombstone)) return true;
      return removeHeld(record, raw, stamp);
    },
  },
  journal: {
    decode: (raw, id, stamp) => ({ kind: 'journal', id, entry: decodeJournalEntry(raw.slice(2), stamp.wall), raw: raw as RawWrite }),
    held: journalHeld,
    covers: (record, raw, stamp) => beforeTombstone(record, stamp) || journalHeld(record, raw, stamp),
  },
};

/** The rule of a write by its code (a register's for every code that names no other kind). */
export function ruleOf(code: unknown): WriteRule {
  return WRITE_RULES[kindOfCode(code)];
}

/** The kind of a write by its code; every code that names no other kind is read as a register. */
function kindOfCode(code: unknown): WriteKind {
  switch (code) {
    case CODE_CREATE:
      return 'create';
    case CODE_DELETE:
      return 'delete';
    case CODE_TASK_ADD:
      return 'taskAdd';
    case CODE_TASK_REMOVE:
      return 'taskRemove';
    case CODE_JOURNAL:
      return 'journal';
    default:
      return 'register';
  }
}
