/**
 * The writes of an open batch, staged by entity until it commits.
 *
 * A later write to the same thing (the same component, or the same task's add or remove)
 * replaces the earlier one in place, so the batch holds distinct keys and keeps the order in
 * which each was first written. An entity's writes are a short array scanned linearly: a batch
 * of 1,000 track updates stages two or three writes per entity, and one small array each is far
 * cheaper to build than a map each.
 */
import { CODE_TASK_ADD, CODE_TASK_REMOVE } from './components.js';
import type { DecodedWrite } from './batch.js';

export class StagedWrites {
  private readonly byEntity = new Map<string, DecodedWrite[]>();

  /** Stages `write`, replacing a staged write to the same thing. */
  put(write: DecodedWrite): void {
    const writes = this.byEntity.get(write.id);
    if (!writes) {
      this.byEntity.set(write.id, [write]);
      return;
    }
    const i = writes.findIndex((w) => sameTarget(w, write));
    if (i >= 0) writes[i] = write;
    else writes.push(write);
  }

  /** Drops every staged write of an entity. */
  dropEntity(id: string): void {
    this.byEntity.delete(id);
  }

  /** Drops an entity's staged task adds and removes (its catalog is being restated). */
  dropTasks(id: string): void {
    const writes = this.byEntity.get(id);
    if (writes) this.byEntity.set(id, writes.filter((w) => w.kind !== 'taskAdd' && w.kind !== 'taskRemove'));
  }

  /** Every staged write, entity by entity in first-write order. */
  appendTo(out: DecodedWrite[]): void {
    for (const writes of this.byEntity.values()) for (const write of writes) out.push(write);
  }
}

/** Whether two writes of one entity write the same thing (so the later replaces the earlier). */
function sameTarget(a: DecodedWrite, b: DecodedWrite): boolean {
  const code = a.raw[1];
  if (code !== b.raw[1]) return false;
  return (code !== CODE_TASK_ADD && code !== CODE_TASK_REMOVE) || a.raw[2] === b.raw[2];
}
