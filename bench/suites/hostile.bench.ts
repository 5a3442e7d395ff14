// Hostile-peer figures of issue 13, on MeshNodes in this page joined by a MemoryNetwork (the
// production session code):
//  - hostile.flood_block_ms_p99: the p99 of the main thread's long tasks (PerformanceObserver
//    'longtask', which counts blocks over 50 ms; a window without any counts 0) while one peer
//    floods two honest nodes for 10 s with about 1,500 small valid Yjs updates a second, and
//    the honest nodes write 100 tracks a second between them. The flood is encoded before the
//    measurement, so the flooder's own work is not in the figure. Baseline: the same honest load
//    without the flood.
//  - hostile.flood_heap_growth_mb: the page's heap after the flood and a garbage collection,
//    less before it.
//  - hostile.flood_honest_p99_ms: during the flood, a write on one honest node until the other
//    has it. Baseline: the same without the flood.
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import type { BenchFigure } from '../types.js';
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { MeshNode } from '../../src/peer/MeshNode.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FLOOD_S = 10;
const FLOOD_PER_S = 1500;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 1e6;
}

/** Small valid Yjs updates, each a new item, framed as sync updates: what a flooder sends. */
function floodMessages(count: number): Uint8Array[] {
  const doc = new Y.Doc();
  const noise = doc.getArray<number>('lattice.noise');
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const before = Y.encodeStateVector(doc);
    noise.push([i]);
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint(encoder, 2);
    encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(doc, before));
    out.push(encoding.toUint8Array(encoder));
  }
  return out;
}

async function run(flood: boolean): Promise<{ blocks: number[]; honest: number[]; heapGrowth: number }> {
  const network = new MemoryNetwork();
  const open = (name: string) => MeshNode.create({ identity: { nodeId: `${name}-${Math.random().toString(36).slice(2, 8)}`, name, role: 'operator' }, room: 'hostile', transport: memoryTransport(network), persist: false });
  const [a, b, f] = await Promise.all([open('A'), open('B'), open('F')]);
  while (![a, b, f].every((n) => n.links().length === 2)) await sleep(20);
  const messages = flood ? floodMessages(FLOOD_S * FLOOD_PER_S) : [];
  await sleep(200);
  const heapBefore = heapMb();
  const blocks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) blocks.push(e.duration);
  });
  observer.observe({ type: 'longtask', buffered: false });
  const honest: number[] = [];
  const sentAt = new Map<string, number>();
  const stop = b.store.watch((events) => {
    for (const e of events) {
      const at = sentAt.get(e.id);
      if (at !== undefined) {
        honest.push(performance.now() - at);
        sentAt.delete(e.id);
      }
    }
  });
  const start = performance.now();
  let next = 0;
  let written = 0;
  while (performance.now() - start < FLOOD_S * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * FLOOD_PER_S);
    for (; next < Math.min(due, messages.length); next++) f.transport.injectRaw(messages[next]!);
    const id = `h${written++}`;
    sentAt.set(id, performance.now());
    a.store.create(id, 'track', { position: { lat: 1, lon: (written % 3000) / 100, alt: 0 } });
    await sleep(10);
  }
  await sleep(1000);
  observer.disconnect();
  stop();
  const heapGrowth = heapMb() - heapBefore;
  await Promise.all([a, b, f].map((n) => n.destroy()));
  return { blocks, honest, heapGrowth };
}

export default async function hostile(): Promise<BenchFigure[]> {
  const quiet = await run(false);
  const flooded = await run(true);
  const blockP99 = percentile(flooded.blocks, 0.99);
  const quietP99 = percentile(quiet.blocks, 0.99);
  return [
    { key: 'hostile.flood_block_ms_p99', value: blockP99, unit: 'ms', goal: '≤ 50', ok: blockP99 <= 50, baseline: { key: 'hostile.quiet_block_ms_p99', value: quietP99 } },
    { key: 'hostile.flood_long_tasks', value: flooded.blocks.length, unit: 'tasks over 50 ms', baseline: { key: 'hostile.quiet_long_tasks', value: quiet.blocks.length } },
    { key: 'hostile.flood_heap_growth_mb', value: flooded.heapGrowth, unit: 'MB', goal: '≤ 10', ok: flooded.heapGrowth <= 10, baseline: { key: 'hostile.quiet_heap_growth_mb', value: quiet.heapGrowth } },
    { key: 'hostile.flood_honest_p99_ms', value: percentile(flooded.honest, 0.99), unit: 'ms', baseline: { key: 'hostile.quiet_honest_p99_ms', value: percentile(quiet.honest, 0.99) } },
  ];
}
