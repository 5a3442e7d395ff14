/**
 * The scenarios shipped with the app, by name. They are data files fetched at run time (Vite
 * emits them as assets; the test server serves them as they are) and validated on load like
 * any other scenario.
 */
export const BUILTIN_SCENARIO_URLS = {
  default: new URL('./scenarios/default.json', import.meta.url),
  hard: new URL('./scenarios/hard.json', import.meta.url),
} as const;
export type BuiltinScenarioName = keyof typeof BUILTIN_SCENARIO_URLS;
export const BUILTIN_SCENARIO_NAMES = Object.keys(BUILTIN_SCENARIO_URLS) as BuiltinScenarioName[];

/** Fetches a shipped scenario as raw JSON (not yet validated: pass it to `parseScenario`). */
export async function fetchBuiltinScenario(name: BuiltinScenarioName): Promise<unknown> {
  const url = BUILTIN_SCENARIO_URLS[name];
  if (!url) throw new RangeError(`There is no built-in scenario "${String(name)}"; there are ${BUILTIN_SCENARIO_NAMES.join(', ')}.`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`The built-in scenario "${name}" could not be loaded (HTTP ${response.status}).`);
  return (await response.json()) as unknown;
}
