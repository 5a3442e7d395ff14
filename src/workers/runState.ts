/**
 * What a pipeline keeps of the run it computes: the scenario stepping, the tracker, and what
 * it has written, so that each step writes only what changed.
 */
import { GospaAverage } from './gospa.js';
import { LocalFrame } from './geo.js';
import type { RunConfig } from './RunConfig.js';
import { fusedIdPrefix, runTag } from './runIds.js';
import { ScenarioRun } from './ScenarioRun.js';
import type { SlowParts } from './slowParts.js';
import type { HeldThreat } from './threatHysteresis.js';
import { Tracker } from './Tracker.js';
import type { AssociationMode } from './track.js';

/** Id prefix of the assets a scenario brings. */
export const ASSET_PREFIX = 'scn.';

/** Where the last step's time went, for diagnostics and the bench. */
export interface StepTiming {
  /** Sensors, fusion, classification and scoring, ms. */
  readonly fuseMs: number;
  /** The store transaction that publishes the result, ms. */
  readonly writeMs: number;
  /** Observations the step fused. */
  readonly plots: number;
}

export interface RunState {
  readonly config: RunConfig;
  /** The run's tag in the ids of what it writes (`runIds.ts`). */
  readonly tag: string;
  /** Ids of the scenario's assets. */
  readonly assetIds: ReadonlySet<string>;
  readonly run: ScenarioRun;
  readonly tracker: Tracker;
  readonly frame: LocalFrame;
  readonly assets: readonly { x: number; y: number }[];
  /** EO sensor track id → last run time seen. */
  readonly eoSeen: Map<string, number>;
  /** Fused ids this state has written, with the slow-changing components last written (undefined: adopted, not yet written). */
  readonly written: Map<string, SlowParts | undefined>;
  /**
   * Fused ids whose entity lost components this state wrote (deleted on one side of a partition
   * and updated on the other: only what was written after the delete survives the merge), so
   * their next write carries every component, the source too.
   */
  readonly rewrite: Set<string>;
  /** Each fused track's held threat level (seeded from the document on adoption), see `threatHysteresis.ts`. */
  readonly threats: Map<string, HeldThreat>;
  readonly score: GospaAverage;
  lastScored: number;
  timing: StepTiming | undefined;
}

/** A fresh state for a run, at its start: nothing fused or written yet. */
export function newRunState(config: RunConfig, association: AssociationMode): RunState {
  const frame = new LocalFrame(config.scenario.origin);
  const tag = runTag(config.runId);
  return {
    config,
    tag,
    assetIds: new Set(config.scenario.assets.map((a) => `${ASSET_PREFIX}${a.id}`)),
    run: new ScenarioRun(config.scenario, config.seed),
    tracker: new Tracker(frame, { association, idSalt: config.runId, idPrefix: fusedIdPrefix(tag) }),
    frame,
    assets: config.scenario.assets.map((a) => frame.toLocal(a.position)),
    eoSeen: new Map(),
    written: new Map(),
    rewrite: new Set(),
    threats: new Map(),
    score: new GospaAverage(),
    lastScored: -Infinity,
    timing: undefined,
  };
}
