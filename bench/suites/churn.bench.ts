// Request churn (issue 15 §2): approval requests opened and withdrawn within 30 s, per hour of
// run time. Each run is the whole scenario through the pipeline on one node at accelerated
// time (a tick every 250 ms of HLC time, as the app's worker ticks), over the scenario's seed
// and the next five: the default scenario lasts 30 minutes, so six runs make three hours, and
// the figure is the count divided by the hours run. The baseline is the same runs with
// hysteresis off (`NO_THREAT_HYSTERESIS`: the level follows every estimate, a request opens
// and is withdrawn at once, as before issue 15). The hard scenario (20 targets, most of them
// near the 350 kn edge, ten minutes) is reported beside it: there the churn is plain to see.
import type { BenchFigure } from '../types.js';
import { fetchBuiltinScenario, type BuiltinScenarioName } from '../../src/workers/builtinScenarios.js';
import { churnOfScenario } from '../../src/workers/requestChurn.js';
import { parseScenario } from '../../src/workers/scenario.js';
import { NO_THREAT_HYSTERESIS } from '../../src/workers/threatHysteresis.js';

const SEEDS = 6;

async function perHour(name: BuiltinScenarioName): Promise<{ after: number; before: number; requestsAfter: number; requestsBefore: number }> {
  const scenario = parseScenario(await fetchBuiltinScenario(name));
  let hours = 0;
  const sum = { after: 0, before: 0, requestsAfter: 0, requestsBefore: 0 };
  for (let k = 0; k < SEEDS; k++) {
    const after = churnOfScenario(scenario, {}, scenario.seed + k);
    const before = churnOfScenario(scenario, { threatHysteresis: NO_THREAT_HYSTERESIS }, scenario.seed + k);
    hours += after.runS / 3600;
    sum.after += after.churned;
    sum.before += before.churned;
    sum.requestsAfter += after.requests;
    sum.requestsBefore += before.requests;
  }
  console.info(`${name}: ${SEEDS} runs, ${hours.toFixed(2)} h; churned ${sum.after} of ${sum.requestsAfter} requests with hysteresis, ${sum.before} of ${sum.requestsBefore} without`);
  return { after: sum.after / hours, before: sum.before / hours, requestsAfter: sum.requestsAfter / hours, requestsBefore: sum.requestsBefore / hours };
}

export default async function churn(): Promise<BenchFigure[]> {
  const normal = await perHour('default');
  const hard = await perHour('hard');
  return [
    {
      key: 'pipeline.request_churn_per_hour',
      value: normal.after,
      unit: '/h',
      goal: '≤ 5',
      ok: normal.after <= 5,
      baseline: { key: 'pipeline.request_churn_per_hour_no_hysteresis', value: normal.before },
    },
    { key: 'pipeline.requests_per_hour', value: normal.requestsAfter, unit: '/h', baseline: { key: 'pipeline.requests_per_hour_no_hysteresis', value: normal.requestsBefore } },
    { key: 'pipeline.request_churn_per_hour_hard', value: hard.after, unit: '/h', baseline: { key: 'pipeline.request_churn_per_hour_hard_no_hysteresis', value: hard.before } },
    { key: 'pipeline.requests_per_hour_hard', value: hard.requestsAfter, unit: '/h', baseline: { key: 'pipeline.requests_per_hour_hard_no_hysteresis', value: hard.requestsBefore } },
  ];
}
