// Fusion figures (issue 4): GOSPA of the fused picture on the hard scenario against plain
// nearest-neighbour association on the same seeded run, and the worker time per tick for
// 1,000 targets seen by two sensors.
import type { BenchFigure } from '../types.js';
import { fetchBuiltinScenario } from '../../src/workers/builtinScenarios.js';
import { parseScenario } from '../../src/workers/scenario.js';
import { scoreScenario } from '../../src/workers/score.js';

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function loadProbe(): Promise<{ pipeline: number[]; fusionOnly: number[] }> {
  const worker = new Worker(new URL('./fusion-load.worker.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise((resolve, reject) => {
      worker.onmessage = (e: MessageEvent) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data));
      worker.onerror = (e) => reject(new Error(e.message || 'The load probe worker failed.'));
    });
  } finally {
    worker.terminate();
  }
}

export default async function fusion(): Promise<BenchFigure[]> {
  const hard = parseScenario(await fetchBuiltinScenario('hard'));
  const gnn = scoreScenario(hard, { association: 'global' });
  const nn = scoreScenario(hard, { association: 'nearest' });
  const load = await loadProbe();
  const perTick = mean(load.pipeline);
  return [
    { key: 'fusion.gospa', value: gnn.gospa, unit: 'm', goal: '≤ 0.5 × fusion.gospa_nn', ok: gnn.gospa <= 0.5 * nn.gospa, baseline: { key: 'fusion.gospa_nn', value: nn.gospa } },
    { key: 'fusion.gospa_nn', value: nn.gospa, unit: 'm' },
    { key: 'fusion.gospa_localisation', value: gnn.localisationM, unit: 'm', baseline: { key: 'fusion.gospa_nn_localisation', value: nn.localisationM } },
    { key: 'fusion.gospa_missed', value: gnn.missed, unit: 'targets', baseline: { key: 'fusion.gospa_nn_missed', value: nn.missed } },
    { key: 'fusion.gospa_false', value: gnn.false, unit: 'tracks', baseline: { key: 'fusion.gospa_nn_false', value: nn.false } },
    { key: 'fusion.ms_per_tick_1000', value: perTick, unit: 'ms', goal: '≤ 10', ok: perTick <= 10, baseline: { key: 'fusion.ms_per_tick_1000_fusion_only', value: mean(load.fusionOnly) } },
    { key: 'fusion.ms_per_tick_1000_p95', value: percentile(load.pipeline, 0.95), unit: 'ms' },
    { key: 'fusion.ms_per_tick_1000_fusion_only', value: mean(load.fusionOnly), unit: 'ms' },
  ];
}
