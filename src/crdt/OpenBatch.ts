/**
 * The batch a store's writes go into until it commits: staged writes by entity, journal
 * entries (encoded at the end, when the stamp, and so relative times, is known), and which
 * entities it creates and deletes, so that later operations in it see them.
 */
import { decodeHlc, encodeHlc, type Hlc } from './Hlc.js';
import { assertBatchSize, decodeWrite, rawWrite, type DecodedBatch, type DecodedWrite, type RawBatch, type RawWrite } from './batch.js';
import { StagedWrites } from './StagedWrites.js';
import { CODE_JOURNAL, encodeJournalEntry, type JournalEntry } from './journal.js';
import {
  CODE_CREATE,
  CODE_DELETE,
  CODE_TASK_ADD,
  CODE_TASK_REMOVE,
  ENTITY_TYPES,
  REGISTERS,
  type ComponentName,
  type ComponentValues,
  type Components,
  type EntityType,
  type RegisterName,
  type RegisterSpec,
} from './components.js';

/** What staging a task catalog needs to know of the resolved picture. */
export interface TaskReader {
  component(id: string, name: Extract<ComponentName, 'taskCatalog'>): readonly string[] | undefined;
  /** Stamps of the live adds of one task: what a remove must name. */
  taskTags(id: string, task: string): string[];
}

export class OpenBatch {
  /** Staged writes (a later write to the same thing replaces the earlier one). */
  private readonly writes = new StagedWrites();
  private readonly journal: Array<[string, JournalEntry]> = [];
  private readonly created = new Set<string>();
  private readonly deleted = new Set<string>();

  /** Whether the entity is live once this batch commits, as far as the batch decides it. */
  decides(id: string): boolean | undefined {
    if (this.deleted.has(id)) return false;
    if (this.created.has(id)) return true;
    return undefined;
  }

  wasDeleted(id: string): boolean {
    return this.deleted.has(id);
  }

  create(id: string, type: EntityType, values: Components, picture: TaskReader): void {
    this.created.add(id);
    this.writes.put({ kind: 'create', id, type, raw: [id, CODE_CREATE, ENTITY_TYPES.indexOf(type)] });
    this.stage(id, values, picture);
  }

  delete(id: string): void {
    this.writes.dropEntity(id);
    for (let i = this.journal.length - 1; i >= 0; i--) if (this.journal[i]![0] === id) this.journal.splice(i, 1);
    this.created.delete(id);
    this.deleted.add(id);
    this.writes.put({ kind: 'delete', id, raw: [id, CODE_DELETE] });
  }

  record(id: string, entry: JournalEntry): void {
    this.journal.push([id, entry]);
  }

  stage(id: string, values: Components, picture: TaskReader): void {
    for (const name of Object.keys(values) as (keyof Components)[]) {
      if (name === 'taskCatalog') {
        this.stageTasks(id, values.taskCatalog!, picture);
        continue;
      }
      const spec = REGISTERS[name] as unknown as RegisterSpec<RegisterName>;
      const payload = spec.encode(values[name] as ComponentValues[RegisterName]);
      // Not decoded here: the index decodes a value when it is first read. A valid value always
      // encodes to a payload every node decodes (a property the codec tests check).
      this.writes.put({ kind: 'register', id, name: spec.name, value: undefined, raw: rawWrite(id, spec.code, payload) });
    }
  }

  /**
   * The batch, stamped by `now` (called only when there is something to stamp, and after the
   * size check), or undefined when nothing was staged. Throws `ValidationError` when too large.
   */
  seal(now: () => Hlc): DecodedBatch | undefined {
    const writes: DecodedWrite[] = [];
    this.writes.appendTo(writes);
    if (writes.length === 0 && this.journal.length === 0) return undefined;
    assertBatchSize(writes.length + this.journal.length);
    const stamp = now();
    const encoded = encodeHlc(stamp);
    // Read back as a peer will: also refuses a node id that peers could not parse.
    const hlc = decodeHlc(encoded);
    for (const [id, entry] of this.journal) writes.push(localJournalWrite([id, CODE_JOURNAL, ...encodeJournalEntry(entry, stamp.wall)], hlc));
    const raw: RawBatch = [encoded];
    for (const write of writes) raw.push(write.raw);
    return { raw, stamp: encoded, hlc, writes, rejected: [] };
  }

  /** Turns "the catalog is now X" into adds and observed removes (add-wins set operations). */
  private stageTasks(id: string, desired: readonly string[], picture: TaskReader): void {
    this.writes.dropTasks(id);
    const current = new Set(picture.component(id, 'taskCatalog') ?? []);
    for (const task of desired) {
      if (!current.has(task)) this.writes.put({ kind: 'taskAdd', id, task, raw: [id, CODE_TASK_ADD, task] });
    }
    for (const task of current) {
      if (desired.includes(task)) continue;
      const tags = picture.taskTags(id, task);
      if (tags.length > 0) this.writes.put({ kind: 'taskRemove', id, task, tags, raw: [id, CODE_TASK_REMOVE, task, ...tags] });
    }
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
