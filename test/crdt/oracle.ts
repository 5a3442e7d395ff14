/**
 * An independent oracle of the merge rules, for convergence tests: it resolves every write ever
 * made (greatest HLC per component, tombstones, add-wins tasks, the journal as a set) without
 * EntityIndex, so a replica that equals it lost nothing and resurrected nothing.
 */
import type * as Y from 'yjs';
import type { EntityStore, EntityView } from '../../src/crdt/index.js';
import { decodeBatch, type RawBatch } from '../../src/crdt/batch.js';

/** Every batch any replica ever wrote (by stamp + content), for the oracle. */
export function recordBatches(doc: Y.Doc, into: Map<string, RawBatch>): void {
  doc.getArray<RawBatch>('lattice.log').observe((event) => {
    for (const item of event.changes.added) {
      for (const raw of item.content.getContent() as RawBatch[]) into.set(JSON.stringify(raw), raw);
    }
  });
}

export interface OracleEntity {
  type: string;
  components: Record<string, unknown>;
  stamps: Record<string, string>;
  journal: string[];
}

/** Resolves the whole history by the documented rules, independently of EntityIndex. */
export function oracle(batches: Iterable<RawBatch>): Map<string, OracleEntity> {
  type W = { stamp: string; order: string; value?: unknown; type?: string; task?: string; tags?: readonly string[] };
  const byId = new Map<string, { creates: W[]; deletes: W[]; regs: Map<string, W[]>; adds: W[]; removes: W[]; journal: W[] }>();
  for (const raw of batches) {
    const batch = decodeBatch(raw);
    for (const w of batch.writes) {
      let e = byId.get(w.id);
      if (!e) byId.set(w.id, (e = { creates: [], deletes: [], regs: new Map(), adds: [], removes: [], journal: [] }));
      const base = { stamp: batch.stamp, order: JSON.stringify(w.raw) };
      if (w.kind === 'create') e.creates.push({ ...base, type: w.type });
      else if (w.kind === 'delete') e.deletes.push(base);
      else if (w.kind === 'register') e.regs.set(w.name, [...(e.regs.get(w.name) ?? []), { ...base, value: w.value }]);
      else if (w.kind === 'taskAdd') e.adds.push({ ...base, task: w.task });
      else if (w.kind === 'taskRemove') e.removes.push({ ...base, task: w.task, tags: w.tags });
      else e.journal.push({ ...base, value: w.entry });
    }
  }
  const max = (ws: W[]) => ws.reduce<W | undefined>((m, w) => (!m || w.stamp > m.stamp || (w.stamp === m.stamp && w.order > m.order) ? w : m), undefined);
  const out = new Map<string, OracleEntity>();
  for (const [id, e] of byId) {
    const created = max(e.creates);
    const deleted = max(e.deletes)?.stamp ?? '';
    const components: Record<string, unknown> = {};
    const stamps: Record<string, string> = {};
    for (const [name, ws] of e.regs) {
      const w = max(ws.filter((x) => x.stamp > deleted));
      if (w) {
        components[name] = w.value;
        stamps[name] = w.stamp;
      }
    }
    const removed = new Set(e.removes.flatMap((r) => r.tags!.map((t) => `${r.task}@${t}`)));
    const adds = e.adds.filter((a) => a.stamp > deleted && !removed.has(`${a.task}@${a.stamp}`));
    if (adds.length > 0) {
      components.taskCatalog = [...new Set(adds.map((a) => a.task!))].sort();
      stamps.taskCatalog = adds.map((a) => a.stamp).sort().at(-1)!;
    }
    const visible = created && (!deleted || created.stamp > deleted || Object.keys(components).length > 0);
    const journal = [...new Map(e.journal.filter((j) => j.stamp > deleted).map((j) => [`${j.stamp}|${j.order}`, j])).values()]
      .sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.order < b.order ? -1 : 1))
      .map((j) => `${j.stamp}:${JSON.stringify(j.value)}`);
    if (visible) out.set(id, { type: created.type!, components, stamps, journal });
  }
  return out;
}

export function resolved(store: EntityStore): Map<string, OracleEntity> {
  const out = new Map<string, OracleEntity>();
  const enc = (h: { wall: number; counter: number; node: string }) => h.wall.toString(36).padStart(9, '0') + h.counter.toString(36).padStart(4, '0') + h.node;
  for (const v of store.list() as EntityView[]) {
    const stamps: Record<string, string> = {};
    for (const [k, h] of Object.entries(v.stamps)) stamps[k] = enc(h!);
    const journal = store.journal(v.id).map((j) => `${enc(j.at)}:${JSON.stringify(j.entry)}`);
    out.set(v.id, { type: v.type, components: { ...v.components }, stamps, journal });
  }
  return out;
}

