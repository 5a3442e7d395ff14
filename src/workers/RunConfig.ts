/**
 * The run a mesh is computing, kept in the document so every node (and every node's worker)
 * knows it and any of them can take it over: the scenario, its seed, and when it started.
 */
import * as Y from 'yjs';
import { PIPELINE_MAP, fnv1a64 } from '../crdt/index.js';
import { isRecord } from '../crdt/validate.js';
import { parseScenario, ScenarioError, type Scenario } from './scenario.js';

/** The document's map holding the run (its layout, and what peers may put in it, is `crdt/docLayout.ts`). */
export const RUN_MAP = PIPELINE_MAP;

export interface RunConfig {
  /** Changes whenever a scenario is (re)loaded, so workers start the new run from scratch. */
  readonly runId: string;
  readonly scenario: Scenario;
  readonly seed: number;
  /** HLC wall time (ms) of run time 0. */
  readonly startedAt: number;
}

/**
 * Largest scenario, as JSON, that a run may carry. The run travels to every peer as one Yjs
 * update, and y-webrtc drops a data-channel message over 256 KiB (measured; see docs/wire.md on parts);
 * this leaves room for the update's framing.
 */
export const MAX_RUN_CHARS = 200_000;

/**
 * Writes a validated scenario as the mesh's run. Throws `ScenarioError`, writing nothing, if
 * the scenario is too large to reach the other nodes.
 */
export function writeRun(doc: Y.Doc, scenario: Scenario, seed: number, startedAt: number, origin?: unknown): string {
  const text = JSON.stringify(scenario);
  if (text.length > MAX_RUN_CHARS) {
    throw new ScenarioError([
      `The scenario is ${text.length.toLocaleString('en-US')} characters as JSON; a run can carry at most ${MAX_RUN_CHARS.toLocaleString('en-US')} ` +
        'because it must reach every node in one message. Use fewer targets or recorded reports.',
    ]);
  }
  const runId = `${Math.floor(startedAt).toString(36)}-${fnv1a64(`${text}|${seed}`).slice(0, 8)}`;
  doc.transact(() => {
    const map = doc.getMap<unknown>(RUN_MAP);
    map.set('run', { runId, scenario: text, seed, startedAt: Math.floor(startedAt) });
  }, origin);
  return runId;
}

/**
 * Ends the mesh's run. Written as a value (a stopped marker naming the run), not a deletion: a
 * raw deletion is what a faulty peer does, and honest nodes put the run back (`RunKeeper`).
 */
export function clearRun(doc: Y.Doc, origin?: unknown, at = Date.now()): void {
  const map = doc.getMap<unknown>(RUN_MAP);
  const raw = map.get('run');
  if (raw === undefined || (isRecord(raw) && raw.stopped === true)) return;
  const runId = isRecord(raw) && typeof raw.runId === 'string' ? raw.runId.slice(0, 64) : '';
  doc.transact(() => map.set('run', { runId, stopped: true, stoppedAt: Math.floor(at) }), origin);
}

/** The id of the run in the document, if there is one (read without validating the rest). */
export function currentRunId(doc: Y.Doc): string | undefined {
  const raw = doc.getMap<unknown>(RUN_MAP).get('run');
  return isRecord(raw) && typeof raw.runId === 'string' && raw.stopped !== true ? raw.runId.slice(0, 64) : undefined;
}

/**
 * Reads the run from the document. The entry may come from any peer, so it is validated like
 * a file; a bad one is reported as `problem` and not run.
 */
export class RunReader {
  private cachedText: unknown;
  private cached: { config: RunConfig | undefined; problem: string | undefined } = { config: undefined, problem: undefined };

  read(doc: Y.Doc): { config: RunConfig | undefined; problem: string | undefined } {
    const raw = doc.getMap<unknown>(RUN_MAP).get('run');
    if (raw === this.cachedText) return this.cached;
    // A raw removal is a peer's doing (an honest unload writes a stopped marker): the run goes
    // on here, and `RunKeeper` puts it back in the document.
    if (raw === undefined && this.cached.config !== undefined) return this.cached;
    this.cachedText = raw;
    this.cached = parse(raw);
    return this.cached;
  }
}

function parse(raw: unknown): { config: RunConfig | undefined; problem: string | undefined } {
  // No entry (an older document, or none loaded yet) and a stopped marker both mean no run.
  if (raw === undefined || (isRecord(raw) && raw.stopped === true)) return { config: undefined, problem: undefined };
  if (!isRecord(raw) || typeof raw.runId !== 'string' || typeof raw.scenario !== 'string' || typeof raw.seed !== 'number' || typeof raw.startedAt !== 'number') {
    return { config: undefined, problem: 'The run in the document is malformed; load a scenario again.' };
  }
  if (!Number.isInteger(raw.seed) || raw.seed < 0 || raw.seed > 2 ** 32 - 1 || !Number.isFinite(raw.startedAt) || raw.scenario.length > MAX_RUN_CHARS) {
    return { config: undefined, problem: 'The run in the document has a bad seed, start time or size.' };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.scenario);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { config: undefined, problem: `The scenario in the document is not JSON: ${error.message}` };
  }
  try {
    return { config: { runId: raw.runId.slice(0, 64), scenario: parseScenario(json), seed: raw.seed, startedAt: raw.startedAt }, problem: undefined };
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    return { config: undefined, problem: error.message };
  }
}
