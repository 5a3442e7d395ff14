/** Public surface of the pipeline layer, for `src/ui` and the scripting API. */
export { PipelineHost, spawnModuleWorker, HOST_STATES } from './PipelineHost.js';
export type { PipelineHostOptions, PipelineHostStatus, PipelineHostEvents, PipelineFault, HostState, SetAsideRun } from './PipelineHost.js';
export type { SetAsideEntity } from './SetAside.js';
export { PIPELINE_ROLES } from './Pipeline.js';
export type { PipelineStatus, PipelineRole, PipelineScore } from './Pipeline.js';
export { parseScenario, ScenarioError } from './scenario.js';
export type { Scenario, TargetSpec, SensorSpec, AssetSpec, Manoeuvre } from './scenario.js';
export { BUILTIN_SCENARIO_NAMES, fetchBuiltinScenario } from './builtinScenarios.js';
export type { BuiltinScenarioName } from './builtinScenarios.js';
export { FAULT_KINDS } from './protocol.js';
export type { FaultKind } from './protocol.js';
export { CIVILIAN_MAX_KN, MILITARY_MIN_KN, CPA_DISTANCE_M, CPA_HORIZON_S } from './classify.js';
