/// <reference lib="webworker" />
// Load probe for `fusion.ms_per_tick_1000`, run inside a dedicated worker like the pipeline:
// 1,000 targets seen by an EO tracker and a radar, the full pipeline tick (sensors, fusion,
// classification, store writes) timed per second of run time.
import * as Y from 'yjs';
import { EntityStore } from '../../src/crdt/index.js';
import { Pipeline } from '../../src/workers/Pipeline.js';
import { writeRun } from '../../src/workers/RunConfig.js';
import { ScenarioRun } from '../../src/workers/ScenarioRun.js';
import { syntheticScenario } from '../../src/workers/syntheticScenario.js';
import { Tracker } from '../../src/workers/Tracker.js';
import { LocalFrame } from '../../src/workers/geo.js';

const WARMUP = 20;
const MEASURED = 60;

function pipelineTicks(): { total: number[]; writes: number[] } {
  let now = 1_800_000_000_000;
  const doc = new Y.Doc();
  const store = new EntityStore(doc, { node: 'bench-pl', physicalNow: () => now });
  const scenario = syntheticScenario(1_000, 7);
  writeRun(doc, scenario, scenario.seed, now);
  const pipeline = new Pipeline(store, { holder: 'bench' });
  const times: number[] = [];
  const writes: number[] = [];
  for (let i = 0; i < WARMUP + MEASURED; i++) {
    now += 1_000;
    const t0 = performance.now();
    const status = pipeline.tick();
    const dt = performance.now() - t0;
    if (status.role !== 'computing') throw new Error(`The pipeline is ${status.role}, not computing.`);
    if (i >= WARMUP) {
      times.push(dt);
      writes.push(status.timing!.writeMs);
    }
  }
  if (pipeline.status().confirmedTracks < 900) throw new Error(`Only ${pipeline.status().confirmedTracks} tracks confirmed.`);
  return { total: times, writes };
}

function fusionOnlyTicks(): number[] {
  const scenario = syntheticScenario(1_000, 7);
  const run = new ScenarioRun(scenario);
  const tracker = new Tracker(new LocalFrame(scenario.origin));
  const times: number[] = [];
  for (let t = 1; t <= WARMUP + MEASURED; t++) {
    const t0 = performance.now();
    for (const scan of run.advanceTo(t)) tracker.processScan(scan);
    if (t > WARMUP) times.push(performance.now() - t0);
  }
  return times;
}

const scope = self as unknown as DedicatedWorkerGlobalScope;
try {
  const { total, writes } = pipelineTicks();
  scope.postMessage({ pipeline: total, writes, fusionOnly: fusionOnlyTicks() });
} catch (error) {
  scope.postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
}
