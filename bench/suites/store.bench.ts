/**
 * Entity store figures (issue 2), each beside a baseline measured in the same run:
 * the naive layout (one Y.Map per entity, overwritten every tick) and plain Y.Map writes.
 */
import * as Y from 'yjs';
import { EntityStore } from '../../src/crdt/index.js';
import type { BenchFigure } from '../types.js';

const TRACKS = 1_000;
const HOUR_TICKS = 3_600;
const ids = Array.from({ length: TRACKS }, (_, i) => `trk-${String(i).padStart(4, '0')}`);

/** Tracks flying at a few hundred knots: the position moves a little every second. */
function positionAt(i: number, tick: number) {
  const heading = (i * 37) % 360;
  const step = 0.0012 + (i % 7) * 0.0001; // degrees per second ≈ 130–210 m/s
  return {
    lat: 30 + (i % 40) * 0.5 + Math.cos((heading * Math.PI) / 180) * step * tick * 0.01,
    lon: -10 + Math.floor(i / 40) * 0.5 + Math.sin((heading * Math.PI) / 180) * step * tick * 0.01,
    alt: 3_000 + (i % 10) * 500,
  };
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapMb = (): number => {
  gc();
  gc();
  return ((performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize) / 2 ** 20;
};
const yieldToBrowser = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

async function writesPerSecond(): Promise<{ store: number; raw: number }> {
  const TICKS = 300;
  const doc = new Y.Doc();
  const store = new EntityStore(doc, { node: 'bench' });
  store.transact(() => ids.forEach((id, i) => store.create(id, 'track', { position: positionAt(i, 0) })));
  let t0 = performance.now();
  for (let tick = 1; tick <= TICKS; tick++) {
    store.transact(() => {
      for (let i = 0; i < TRACKS; i++) store.update(ids[i]!, { position: positionAt(i, tick) });
    });
  }
  const storeRate = (TICKS * TRACKS) / ((performance.now() - t0) / 1000);

  const rawDoc = new Y.Doc();
  const maps = ids.map((id) => rawDoc.getMap(id));
  t0 = performance.now();
  for (let tick = 1; tick <= TICKS; tick++) {
    rawDoc.transact(() => {
      for (let i = 0; i < TRACKS; i++) maps[i]!.set('position', positionAt(i, tick));
    });
  }
  const rawRate = (TICKS * TRACKS) / ((performance.now() - t0) / 1000);
  return { store: storeRate, raw: rawRate };
}

interface HourFigures {
  heapGrowthMb: number;
  stateKb: number;
  coldLoadMs: number;
  bytesPerUpdate: number;
}

/** One hour of 1 Hz updates to 1,000 tracks, through `write`, then a cold load with `load`. */
async function hour(
  setup: (doc: Y.Doc) => (tick: number) => void,
  load: (state: Uint8Array) => void,
): Promise<HourFigures> {
  let doc: Y.Doc | undefined = new Y.Doc();
  const tickFn = setup(doc);
  tickFn(0);
  let bytes = 0;
  let writes = 0;
  const onUpdate = (u: Uint8Array): void => {
    bytes += u.length;
  };
  doc.on('update', onUpdate);
  tickFn(1);
  writes += TRACKS;
  const heapBefore = heapMb();
  for (let tick = 2; tick <= HOUR_TICKS; tick++) {
    tickFn(tick);
    if (tick <= 60) writes += TRACKS;
    if (tick === 60) doc.off('update', onUpdate);
    if (tick % 200 === 0) await yieldToBrowser();
  }
  const heapAfter = heapMb();
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  doc = undefined;
  const t0 = performance.now();
  load(state);
  const coldLoadMs = performance.now() - t0;
  return { heapGrowthMb: heapAfter - heapBefore, stateKb: state.length / 1024, coldLoadMs, bytesPerUpdate: bytes / writes };
}

export default async function run(): Promise<BenchFigure[]> {
  const rates = await writesPerSecond();
  await yieldToBrowser();

  const ours = await hour(
    (doc) => {
      const store = new EntityStore(doc, { node: 'bench' });
      return (tick) =>
        tick === 0
          ? store.transact(() => ids.forEach((id, i) => store.create(id, 'track', { position: positionAt(i, 0) })))
          : store.transact(() => ids.forEach((id, i) => store.update(id, { position: positionAt(i, tick) })));
    },
    (state) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, state);
      const store = new EntityStore(doc, { node: 'reader' });
      if (store.size !== TRACKS) throw new Error(`cold load found ${store.size} tracks`);
    },
  );
  await yieldToBrowser();
  const naive = await hour(
    (doc) => {
      const maps = ids.map((id) => doc.getMap(id));
      return (tick) => doc.transact(() => maps.forEach((m, i) => m.set('position', positionAt(i, tick))));
    },
    (state) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, state);
      if (doc.share.size !== TRACKS) throw new Error('naive cold load lost maps');
    },
  );

  return [
    { key: 'store.writes_per_s', value: rates.store, unit: 'writes/s', goal: '≥ 50000', ok: rates.store >= 50_000, baseline: { key: 'yjs.raw_map_writes_per_s', value: rates.raw } },
    { key: 'store.heap_growth_mb_1h', value: ours.heapGrowthMb, unit: 'MB', goal: '≤ 20', ok: ours.heapGrowthMb <= 20, baseline: { key: 'naive.heap_growth_mb_1h', value: naive.heapGrowthMb } },
    { key: 'store.state_kb_1h', value: ours.stateKb, unit: 'KB', goal: '≤ 1000', ok: ours.stateKb <= 1_000, baseline: { key: 'naive.state_kb_1h', value: naive.stateKb } },
    { key: 'store.cold_load_ms_1h', value: ours.coldLoadMs, unit: 'ms', goal: '≤ 200', ok: ours.coldLoadMs <= 200, baseline: { key: 'naive.cold_load_ms_1h', value: naive.coldLoadMs } },
    { key: 'store.bytes_per_position_update', value: ours.bytesPerUpdate, unit: 'B', goal: '≤ 40', ok: ours.bytesPerUpdate <= 40, baseline: { key: 'naive.bytes_per_position_update', value: naive.bytesPerUpdate } },
  ];
}
