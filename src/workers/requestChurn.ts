/**
 * Request churn (issue 15 §2): approval requests the pipeline opened and withdrew again within
 * 30 s, the ones an operator sees appear and vanish as "withdrawn: threat fell". Measured by
 * running a scenario headless through the pipeline at accelerated time, as the app's worker
 * would run it (a tick every 250 ms of HLC time), and reading the journals it writes. Used by
 * the bench and the tests.
 */
import * as Y from 'yjs';
import { EntityStore, type StampedEntry } from '../crdt/index.js';
import { Pipeline, type PipelineOptions } from './Pipeline.js';
import { writeRun } from './RunConfig.js';
import type { Scenario } from './scenario.js';

/** A request withdrawn no later than this after it was opened counts as churn, ms. */
export const CHURN_WINDOW_MS = 30_000;

export interface RequestChurn {
  /** Requests opened. */
  readonly requests: number;
  /** Requests withdrawn within `CHURN_WINDOW_MS` of being opened. */
  readonly churned: number;
  /** Run time covered, s. */
  readonly runS: number;
}

/** Counts requests and churned ones in journals (one per entity, oldest first). */
export function countChurn(journals: Iterable<readonly StampedEntry[]>, windowMs = CHURN_WINDOW_MS): { requests: number; churned: number } {
  let requests = 0;
  let churned = 0;
  for (const journal of journals) {
    const opened = new Map<string, number>();
    for (const { entry, at } of journal) {
      if (entry.kind === 'request') {
        requests++;
        opened.set(entry.requestId, at.wall);
      } else if (entry.kind === 'withdraw') {
        const at0 = opened.get(entry.requestId);
        if (at0 !== undefined && at.wall - at0 <= windowMs) churned++;
      }
    }
  }
  return { requests, churned };
}

/**
 * Runs `scenario` (with `seed`) on one node from start to end, ticking every `tickMs` of HLC
 * time, and counts the request churn. `options` are the pipeline's (e.g. its hysteresis).
 */
export function churnOfScenario(scenario: Scenario, options: Omit<PipelineOptions, 'holder'> = {}, seed = scenario.seed, tickMs = 250): RequestChurn {
  const start = 1_800_000_000_000;
  let now = start;
  const doc = new Y.Doc();
  const store = new EntityStore(doc, { node: 'churn-pl', physicalNow: () => now });
  writeRun(doc, scenario, seed, now);
  const pipeline = new Pipeline(store, { ...options, holder: 'churn' });
  // A track's journal goes with it when the track is deleted: keep the latest copy of each.
  const journals = new Map<string, StampedEntry[]>();
  const unwatch = store.watch((events) => {
    for (const e of events) if (e.kind === 'updated' && e.components.includes('journal')) journals.set(e.id, store.journal(e.id));
  });
  try {
    const end = start + (scenario.durationS + 1) * 1000;
    while (now < end) {
      now += tickMs;
      pipeline.tick();
    }
  } finally {
    unwatch();
    pipeline.destroy();
  }
  return { ...countChurn(journals.values()), runS: scenario.durationS };
}
