/**
 * What the running checks cost (issue 17 §2): the main-thread time `MeshMonitor` takes per second
 * on a node holding 1,000 tracks that all move every second (each second's batch checked for its
 * stamp, the changed entities' journals judged, the uplink read), with ten approval requests
 * decided among them; beside the time the same second's writes take the store. And the store
 * rule's sampled check, once a minute: the picture rebuilt from a copy of that document (the
 * longest single pause the checks make), beside one second's writes.
 */
import * as Y from 'yjs';
import type { BenchFigure } from '../types.js';
import { EntityStore } from '../../src/crdt/index.js';
import { MeshMonitor } from '../../src/peer/monitors/MeshMonitor.js';
import type { TrafficReport } from '../../src/peer/LatticeNode.js';

const TRACKS = 1_000;
const SECONDS = 20;

export default async function monitor(): Promise<BenchFigure[]> {
  let now = Date.now();
  const store = new EntityStore(new Y.Doc(), { node: 'bench', physicalNow: () => now });
  store.transact(() => {
    for (let i = 0; i < TRACKS; i++) store.create(`t${i}`, 'track', { position: { lat: i / 100, lon: 0, alt: 0 } });
  });
  const traffic = { budget: { bytesPerSecond: 4_000, burstBytes: 4_096 }, totalBytes: { alert: 0, track: 0, bulk: 0, control: 0 } } as unknown as TrafficReport;
  const rebuildDigest = () => {
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(store.doc));
    const rebuilt = new EntityStore(copy, { node: 'bench', physicalNow: () => now, rewriteOwn: false });
    try {
      return rebuilt.digest();
    } finally {
      rebuilt.destroy();
      copy.destroy();
    }
  };
  const m = new MeshMonitor({ store, physicalNow: () => now, traffic: () => traffic, checkEveryMs: 3_600_000, rebuildDigest, rebuildEveryMs: 3_600_000 });
  let writeMs = 0;
  try {
    for (let s = 0; s < SECONDS; s++) {
      now += 1000;
      const t0 = performance.now();
      store.transact(() => {
        for (let i = 0; i < TRACKS; i++) store.update(`t${i}`, { position: { lat: i / 100, lon: s / 1000, alt: 0 } });
      });
      if (s < 10) {
        store.record(`t${s}`, { kind: 'request', requestId: `r${s}`, deadline: store.wallNow() + 30_000, tasks: ['intercept'], auto: false });
        store.record(`t${s}`, { kind: 'decision', requestId: `r${s}`, verdict: s % 2 ? 'approve' : 'deny', operator: 'Bench' });
      }
      writeMs += performance.now() - t0;
      m.check();
      await new Promise((r) => setTimeout(r, 0));
    }
    const perSecond = m.busyMs / SECONDS;
    const rebuilds: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = m.busyMs;
      m.checkRebuild(true);
      rebuilds.push(m.busyMs - before);
    }
    if (m.report().violations !== 0) throw new Error(`monitor bench: ${m.report().violations} rules broken on an honest store`);
    const rebuildMs = rebuilds.sort((a, b) => a - b)[2]!;
    return [
      { key: 'monitor.ms_per_s', value: perSecond, unit: 'ms', goal: '≤ 5', ok: perSecond <= 5, baseline: { key: 'monitor.store_write_ms_per_s_1000', value: writeMs / SECONDS } },
      { key: 'monitor.rebuild_ms_1000', value: rebuildMs, unit: 'ms', baseline: { key: 'monitor.store_write_ms_per_s_1000', value: writeMs / SECONDS } },
    ];
  } finally {
    m.destroy();
  }
}
