/**
 * `ui.frame_p95_ms_10000`: p95 main-thread time per frame of the operator app with 10,000
 * tracks, each updated once a second by another node, measured as `ui.frame_p95_ms_2000` is
 * (see ui.bench.ts: same page size, same traffic generator, same zoom steps). Baseline: the
 * same app with 2,000 tracks, in the same run, so the ratio is what five times the tracks
 * cost on this machine today.
 */
import { runApp } from './ui.bench.js';
import type { BenchFigure } from '../types.js';

const GOAL_MS = 16;

export default async function uiScale(): Promise<BenchFigure[]> {
  const base = await runApp(2000);
  const large = await runApp(10_000);
  console.info(
    `ui-scale bench: 2,000 tracks p50 ${base.p50.toFixed(2)} ms p95 ${base.p95.toFixed(2)} ms, dropped ${(base.dropped * 100).toFixed(1)} %; ` +
      `10,000 tracks p50 ${large.p50.toFixed(2)} ms p95 ${large.p95.toFixed(2)} ms, dropped ${(large.dropped * 100).toFixed(1)} %; ` +
      `zoom step ${base.zoomP50.toFixed(1)} ms vs ${large.zoomP50.toFixed(1)} ms`,
  );
  return [
    {
      key: 'ui.frame_p95_ms_10000',
      value: large.p95,
      unit: 'ms',
      goal: `≤ ${GOAL_MS}`,
      ok: large.p95 <= GOAL_MS,
      baseline: { key: 'ui.frame_p95_ms_2000_same_run', value: base.p95 },
    },
    {
      key: 'ui.zoom_step_ms_10000',
      value: large.zoomP50,
      unit: 'ms',
      baseline: { key: 'ui.zoom_step_ms_2000_same_run', value: base.zoomP50 },
    },
  ];
}
