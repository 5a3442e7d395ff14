/**
 * The TAK code (an XML parser and builder, the mapping) loads when a person first imports or
 * exports a file, not with the first screen: it is about a fifth of the app's first load.
 */
export type TakModule = typeof import('./index.js');

let loading: Promise<TakModule> | undefined;

export function loadTak(): Promise<TakModule> {
  loading ??= import('./index.js');
  return loading;
}
