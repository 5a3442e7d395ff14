/// <reference lib="webworker" />
// Load probe for `fusion.ms_per_tick_1000`, run inside a dedicated worker like the pipeline:
// 1,000 targets seen by an EO tracker and a radar, the full pipeline tick (sensors, fusion,
// classification, tasking, store writes) timed per second of run time.
//
// The figure is the steady state: ticks 61–180 (minutes two and three of the run). A fresh
// worker spends its first minute or so compiling and growing its young generation from 1 MB
// to its working size, and those ticks are reported apart (`cold`), not hidden.
import * as Y from 'yjs';
import { EntityStore, type DecodedBatch } from '../../src/crdt/index.js';
import { sealBatch } from '../../src/peer/trust/batchSeal.js';
import { ephemeralCredentials, type NodeCredentials } from '../../src/peer/trust/credentials.js';
import { Pipeline } from '../../src/workers/Pipeline.js';
import { writeRun } from '../../src/workers/RunConfig.js';
import { ScenarioRun } from '../../src/workers/ScenarioRun.js';
import { syntheticScenario } from '../../src/workers/syntheticScenario.js';
import { Tracker } from '../../src/workers/Tracker.js';
import { LocalFrame } from '../../src/workers/geo.js';

/** The first minute of run time: reported as the cold figure. */
const WARMUP = 60;
const MEASURED = 120;

/**
 * How a tick's batches are signed: not at all; on this same thread, timed in the tick (an upper
 * bound); or as in the product, by the page on its own thread while the worker goes on (each
 * tick's batches are posted to the page, which seals them with the gateway's `BatchSealer`; the
 * unsigned run posts them too, and the page drops them, so the two differ by the signing alone).
 */
type Signing = { readonly kind: 'none' } | { readonly kind: 'same-thread'; readonly signer: NodeCredentials } | { readonly kind: 'page'; readonly seal: boolean };

/** The pipeline's ticks, signed as `signing` says. */
async function pipelineTicks(signing: Signing = { kind: 'none' }): Promise<{ total: number[]; writes: number[]; cold: number[] }> {
  let now = 1_800_000_000_000;
  const doc = new Y.Doc();
  const store = new EntityStore(doc, { node: 'bench-pl', physicalNow: () => now });
  const fresh: DecodedBatch[] = [];
  if (signing.kind !== 'none') store.on('appended', (batches, source) => source === 'local' && fresh.push(...batches));
  const scenario = syntheticScenario(1_000, 7);
  writeRun(doc, scenario, scenario.seed, now);
  const pipeline = new Pipeline(store, { holder: 'bench' });
  const times: number[] = [];
  const writes: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < WARMUP + MEASURED; i++) {
    now += 1_000;
    const t0 = performance.now();
    const status = pipeline.tick();
    if (signing.kind === 'same-thread') for (const batch of fresh.splice(0)) await sealBatch(batch.raw, 'bench', signing.signer);
    if (signing.kind === 'page') scope.postMessage({ batches: fresh.splice(0).map((b) => b.raw), seal: signing.seal });
    const dt = performance.now() - t0;
    if (status.role !== 'computing') throw new Error(`The pipeline is ${status.role}, not computing.`);
    if (i >= WARMUP) {
      times.push(dt);
      writes.push(status.timing!.writeMs);
    } else {
      cold.push(dt);
    }
  }
  if (pipeline.status().confirmedTracks < 900) throw new Error(`Only ${pipeline.status().confirmedTracks} tracks confirmed.`);
  return { total: times, writes, cold };
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
  const { total, writes, cold } = await pipelineTicks();
  const signed = await pipelineTicks({ kind: 'same-thread', signer: await ephemeralCredentials('bench') });
  // Interleaved pairs, so load on the machine falls on both alike.
  const posted: number[] = [];
  const pageSigned: number[] = [];
  for (let i = 0; i < 2; i++) {
    posted.push(...(await pipelineTicks({ kind: 'page', seal: false })).total);
    pageSigned.push(...(await pipelineTicks({ kind: 'page', seal: true })).total);
  }
  scope.postMessage({ pipeline: total, writes, cold, fusionOnly: fusionOnlyTicks(), signed: signed.total, posted, pageSigned });
} catch (error) {
  scope.postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
}
