// Uplink budget figures (issue 7), on two real MeshNodes over the in-memory transport (no
// propagation delay: the figures are what the budget adds). Node A runs at 8,000 B/s (a 64 kbps
// link) with 500 tracks moving at 1 Hz (a quarter of them every 250 ms), and every 400 ms one
// track's threat turns high. Measured: how long each high-threat change takes to show on B (p99),
// the bytes A handed to its link over the run divided by the budget, and how old B's view of the
// ordinary tracks' positions is (median, sampled every second). Baselines: the same load with
// no budget.
import type { BenchFigure } from '../types.js';
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { encodeHlc } from '../../src/crdt/index.js';

const TRACKS = 500;
const RUN_MS = 40_000;
const WARMUP_MS = 5_000;
const RATE = 8_000;

interface RunFigures {
  highP99Ms: number;
  highP50Ms: number;
  egressRatio: number;
  stalenessP50S: number;
  samples: number;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(budget: number): Promise<RunFigures> {
  const network = new MemoryNetwork();
  const node = (name: string) => MeshNode.create({ identity: { nodeId: `${name}-${Math.random().toString(36).slice(2, 8)}`, name, role: 'operator' }, room: 'bench', transport: memoryTransport(network), persist: false });
  const a = await node('A');
  const b = await node('B');
  try {
    a.store.transact(() => {
      for (let i = 0; i < TRACKS; i++) a.store.create(`t${i}`, 'track', { position: { lat: 50, lon: i / 100, alt: 3000 }, threat: { level: 'low' }, classification: { label: 'aircraft', confidence: 0.9 } });
    });
    while (b.store.size < TRACKS) await sleep(20);
    a.setBudget({ bytesPerSecond: budget });

    let sent = 0;
    let measuring = false;
    const transportA = a.transport;
    network.onPart = (from, bytes) => {
      if (measuring && from === transportA.peerId) sent += bytes;
    };
    const latencies: number[] = [];
    const ages: number[] = [];
    /** Per track: when its threat turned high on A, and the stamp of that write. */
    const waiting = new Map<string, { at: number; stamp: string }>();
    b.store.watch((events) => {
      for (const e of events) {
        const change = waiting.get(e.id);
        if (!change || !e.components.includes('threat')) continue;
        const seen = b.store.get(e.id)?.stamps.threat;
        if (seen && encodeHlc(seen) >= change.stamp) {
          if (measuring) latencies.push(performance.now() - change.at);
          waiting.delete(e.id);
        }
      }
    });

    let step = 0;
    const mover = setInterval(() => {
      step++;
      const quarter = step % 4;
      a.store.transact(() => {
        for (let i = quarter; i < TRACKS; i += 4) a.store.update(`t${i}`, { position: { lat: 50 + step / 1e4, lon: i / 100, alt: 3000 } });
      });
    }, 250);
    let next = 0;
    const threats = setInterval(() => {
      // Tracks 0–99 turn high in turn (back to low first if they were): the rest stay ordinary.
      const id = `t${next++ % 100}`;
      if (a.store.component(id, 'threat')?.level === 'high') a.store.update(id, { threat: { level: 'low' } });
      const at = performance.now();
      a.store.update(id, { threat: { level: 'high' } });
      waiting.set(id, { at, stamp: encodeHlc(a.store.get(id)!.stamps.threat!) });
    }, 400);
    const sampler = setInterval(() => {
      if (!measuring) return;
      const now = a.store.wallNow();
      for (let i = 100; i < TRACKS; i++) {
        const stamp = b.store.get(`t${i}`)?.stamps.position;
        if (stamp) ages.push((now - stamp.wall) / 1000);
      }
    }, 1000);
    await sleep(WARMUP_MS);
    measuring = true;
    const t0 = performance.now();
    await sleep(RUN_MS);
    measuring = false;
    const elapsedS = (performance.now() - t0) / 1000;
    clearInterval(mover);
    clearInterval(threats);
    clearInterval(sampler);
    return {
      highP99Ms: percentile(latencies, 0.99),
      highP50Ms: percentile(latencies, 0.5),
      egressRatio: budget > 0 ? sent / (budget * elapsedS) : NaN,
      stalenessP50S: percentile(ages, 0.5),
      samples: latencies.length,
    };
  } finally {
    await Promise.all([a.destroy(), b.destroy()]);
  }
}

export default async function budget(): Promise<BenchFigure[]> {
  const limited = await run(RATE);
  const open = await run(0);
  return [
    { key: 'budget.high_p99_ms', value: limited.highP99Ms, unit: 'ms', goal: '≤ 1000', ok: limited.highP99Ms <= 1000, baseline: { key: 'budget.high_p99_ms_unlimited', value: open.highP99Ms } },
    { key: 'budget.high_p50_ms', value: limited.highP50Ms, unit: 'ms', baseline: { key: 'budget.high_p50_ms_unlimited', value: open.highP50Ms } },
    { key: 'budget.high_samples', value: limited.samples, unit: 'changes' },
    { key: 'budget.egress_ratio', value: limited.egressRatio, unit: '×', goal: '≤ 1.05', ok: limited.egressRatio <= 1.05 },
    { key: 'budget.position_staleness_p50_s', value: limited.stalenessP50S, unit: 's', baseline: { key: 'budget.position_staleness_p50_s_unlimited', value: open.stalenessP50S } },
    { key: 'budget.high_p99_ms_unlimited', value: open.highP99Ms, unit: 'ms' },
    { key: 'budget.position_staleness_p50_s_unlimited', value: open.stalenessP50S, unit: 's' },
  ];
}
