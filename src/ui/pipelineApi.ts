/**
 * `window.lattice.pipeline`: loads, unloads and watches the mesh's pipeline run from the
 * console or from automation. Lives in `src/ui` because it joins the node and the worker host.
 *
 * A load replaces the mesh's run on every node, and that run's tracks, requests and tasks leave
 * the picture. The screen asks before doing that (the Pipeline tab's dialog); a script cannot be
 * asked, so `load` refuses to replace a run this page did not load unless told `{ replace: true }`
 * (issue 15: a scenario loaded by one node replaced another's run without anyone deciding to).
 */
import { StateError, ValidationError } from '../crdt/index.js';
import { fetchBuiltinScenario, type Scenario, type PipelineHost, type PipelineHostStatus, type BuiltinScenarioName } from '../workers/index.js';
import { RUN_MAP, currentRunId } from '../workers/RunConfig.js';

/** How `load` treats a run already in the document. */
export interface PipelineLoadOptions {
  /** Seed of the run; default the scenario's own. */
  readonly seed?: number;
  /**
   * Replace the mesh's run even when another node loaded it. Without it, `load` throws
   * `StateError` and changes nothing while such a run is in the document (running or finished).
   */
  readonly replace?: boolean;
}

export interface PipelineScriptingApi {
  /**
   * Makes a scenario the mesh's run: a built-in name (`'default'`, `'hard'`) or a scenario
   * object (as in `src/workers/scenarios/*.json`). Throws `ScenarioError` listing every problem
   * of an invalid scenario; nothing changes then. Runs are seeded and reproducible.
   *
   * A run that another node loaded is replaced only with `{ replace: true }`: otherwise this
   * throws `StateError` naming the run, and nothing changes. Either form works:
   * `load('hard', 42, { replace: true })` or `load('hard', { seed: 42, replace: true })`.
   */
  load(scenario: BuiltinScenarioName | unknown, seed?: number | PipelineLoadOptions, options?: PipelineLoadOptions): Promise<Scenario>;
  /** Ends the run; the node that computed it removes what it derived. */
  unload(): void;
  /** Worker state, this node's role (computing / standby / idle / finished), score and timing. */
  status(): PipelineHostStatus;
}

declare module '../peer/scriptingApi.js' {
  interface LatticeScriptingApi {
    /**
     * The pipeline (sensors → fusion → classification → tasking), computed once per mesh.
     * Present on app pages (installed by the boot, which also starts the worker host).
     */
    pipeline?: PipelineScriptingApi;
  }
}

/** Reads `load`'s second and third arguments; script input, so checked like any other. */
function loadOptions(seedOrOptions: unknown, options: unknown): { seed: number | undefined; replace: boolean } {
  const given = typeof seedOrOptions === 'object' && seedOrOptions !== null ? seedOrOptions : options;
  if (given !== undefined && (typeof given !== 'object' || given === null)) throw new ValidationError('options', 'The load options must be an object such as { replace: true }.');
  const record = (given ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'seed' && key !== 'replace') throw new ValidationError('options', `Unknown load option "${key}"; the options are seed and replace.`);
  }
  if (record.replace !== undefined && typeof record.replace !== 'boolean') throw new ValidationError('options.replace', 'options.replace must be true or false.');
  const seed = typeof seedOrOptions === 'number' ? seedOrOptions : record.seed;
  if (seedOrOptions !== undefined && typeof seedOrOptions !== 'number' && typeof seedOrOptions !== 'object') throw new ValidationError('seed', 'The seed must be a number.');
  if (seed !== undefined && typeof seed !== 'number') throw new ValidationError('seed', 'The seed must be a number.');
  return { seed, replace: record.replace === true };
}

export function createPipelineApi(host: PipelineHost): PipelineScriptingApi {
  // Runs this page wrote (from the screen or from here): replacing one's own run asks nobody.
  const loadedHere = new Set<string>();
  host.doc.getMap<unknown>(RUN_MAP).observe((_event, transaction) => {
    const runId = currentRunId(host.doc);
    if (transaction.origin === host && runId !== undefined) loadedHere.add(runId);
  });

  /** Throws, changing nothing, when the load would replace a run another node loaded. */
  const refuseToReplace = (replace: boolean): void => {
    const runId = currentRunId(host.doc);
    if (replace || runId === undefined || loadedHere.has(runId)) return;
    const p = host.status().pipeline;
    const name = p?.runId === runId && p.scenario ? `“${p.scenario}” (run ${runId})` : `run ${runId}`;
    const state = p?.runId === runId && p.role === 'finished' ? 'has finished' : 'is running';
    throw new StateError(
      `The mesh's run ${name} ${state}, loaded by another node; loading would end it on every node and its tracks, requests and tasks would leave the picture. ` +
        'Nothing was loaded. To replace it, call lattice.pipeline.load(scenario, seed, { replace: true }).',
    );
  };

  return {
    async load(scenario, seedOrOptions, options) {
      const { seed, replace } = loadOptions(seedOrOptions, options);
      const hostOptions = seed === undefined ? {} : { seed };
      // Asked before fetching (a quick answer) and again just before writing: a peer's run may
      // have arrived while the built-in file was fetched.
      refuseToReplace(replace);
      const value = scenario === 'default' || scenario === 'hard' ? await fetchBuiltinScenario(scenario) : scenario;
      refuseToReplace(replace);
      return host.loadScenario(value, hostOptions);
    },
    unload: () => host.unloadScenario(),
    status: () => structuredClone(host.status()),
  };
}
