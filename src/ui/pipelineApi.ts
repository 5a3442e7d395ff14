/**
 * `window.lattice.pipeline`: loads, unloads and watches the mesh's pipeline run from the
 * console or from automation. Lives in `src/ui` because it joins the node and the worker host.
 */
import type { Scenario, PipelineHost, PipelineHostStatus, BuiltinScenarioName } from '../workers/index.js';

export interface PipelineScriptingApi {
  /**
   * Makes a scenario the mesh's run: a built-in name (`'default'`, `'hard'`) or a scenario
   * object (as in `src/workers/scenarios/*.json`). Throws `ScenarioError` listing every problem
   * of an invalid scenario; nothing changes then. Runs are seeded and reproducible.
   */
  load(scenario: BuiltinScenarioName | unknown, seed?: number): Promise<Scenario>;
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

export function createPipelineApi(host: PipelineHost): PipelineScriptingApi {
  return {
    async load(scenario, seed) {
      const options = seed === undefined ? {} : { seed };
      if (scenario === 'default' || scenario === 'hard') return host.loadBuiltinScenario(scenario, options);
      return host.loadScenario(scenario, options);
    },
    unload: () => host.unloadScenario(),
    status: () => structuredClone(host.status()),
  };
}
