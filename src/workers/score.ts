/**
 * Scores fusion against ground truth: runs a scenario through the tracker, off any document,
 * and averages GOSPA once per second over the run. Used by the bench and the tests; the
 * pipeline itself reports the same score live while it computes (`scoreLive`).
 */
import type { Components, Position } from '../crdt/index.js';
import { GospaAverage, gospa } from './gospa.js';
import { LocalFrame } from './geo.js';
import type { RunState } from './runState.js';
import { ScenarioRun, type Scan } from './ScenarioRun.js';
import type { Scenario } from './scenario.js';
import { Tracker } from './Tracker.js';
import type { TrackerOptions } from './track.js';

export interface RunScore {
  readonly gospa: number;
  readonly localisationM: number;
  readonly missed: number;
  readonly false: number;
  readonly steps: number;
  /** Mean number of truth targets inside some sensor's coverage per step. */
  readonly targets: number;
}

export function scoreScenario(scenario: Scenario, options: Partial<TrackerOptions> = {}, seed = scenario.seed, durationS = scenario.durationS): RunScore {
  const run = new ScenarioRun(scenario, seed);
  const tracker = new Tracker(new LocalFrame(scenario.origin), options);
  const average = new GospaAverage();
  let targets = 0;
  for (let t = 1; t <= Math.min(durationS, scenario.durationS); t++) {
    for (const scan of run.advanceTo(t)) tracker.processScan(scan);
    const truth = run.truth.states(t).filter((s) => run.sensors.some((sensor) => sensor.covers(s.position)));
    const estimates = tracker
      .tracks()
      .filter((tr) => tr.status === 'confirmed')
      .map((tr) => {
        const { x } = tracker.stateAt(tr, t);
        return tracker.frame.toGeo(x[0]!, x[1]!);
      });
    average.add(gospa(truth.map((s) => s.position), estimates));
    targets += truth.length;
  }
  return { ...average.mean(), steps: average.steps, targets: targets / Math.max(average.steps, 1) };
}

/** The live score is a GOSPA sample every this many seconds of run time: cheap at 1,000 tracks. */
const SCORE_EVERY_S = 5;

/**
 * Adds a sample to a computing pipeline's live score when one is due at run time `t`: GOSPA
 * of the confirmed tracks' positions (`outputs`, as the step writes them) against the truth
 * inside some sensor's coverage. `scans` are the scans the step fused (the last one's truth is
 * reused when it was taken at `t`).
 */
export function scoreLive(state: RunState, scans: readonly Scan[], outputs: readonly { readonly components: Components }[], t: number): void {
  if (Math.floor(t / SCORE_EVERY_S) <= Math.floor(state.lastScored / SCORE_EVERY_S)) return;
  state.lastScored = t;
  const last = scans[scans.length - 1]!;
  const truthNow = last.time === t ? last.truth : state.run.truth.states(t);
  const truth: Position[] = [];
  for (const s of truthNow) {
    for (const sensor of state.run.sensors) {
      if (!sensor.covers(s.position)) continue;
      truth.push(s.position);
      break;
    }
  }
  const estimates: Position[] = [];
  for (const o of outputs) estimates.push(o.components.position!);
  state.score.add(gospa(truth, estimates));
}
