/**
 * Values derived from one part of an entity (a component, or its journal), kept until that part
 * changes. Tasking reads the catalog and the approval outcome of every track on every tick, and
 * rebuilding them (a sorted copy of the catalog, a sorted journal) cost more than the rest of
 * tasking at 1,000 tracks; they change on a handful of tracks a tick.
 *
 * A value is dropped on any store event that touches the part, from this node or a peer, and
 * when the entity is created or deleted; the store reports every change of a resolved part.
 */
import type { ChangedPart, EntityStore } from '../../crdt/index.js';

export class PartCache<T> {
  private readonly values = new Map<string, T>();
  private readonly unwatch: () => void;

  constructor(store: EntityStore, part: ChangedPart) {
    this.unwatch = store.watch((events) => {
      for (const e of events) if (e.kind !== 'updated' || e.components.includes(part)) this.values.delete(e.id);
    });
  }

  /** The value kept for `id`, if any (`undefined` values are not kept). */
  get(id: string): T | undefined {
    return this.values.get(id);
  }

  set(id: string, value: T): void {
    this.values.set(id, value);
  }

  delete(id: string): void {
    this.values.delete(id);
  }

  destroy(): void {
    this.unwatch();
    this.values.clear();
  }
}
