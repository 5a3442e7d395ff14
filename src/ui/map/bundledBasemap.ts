/**
 * The basemap file shipped inside `dist/`. Kept apart from `basemap.ts` because the `?url`
 * import is a bundler feature: the component tests load the conversion without it.
 */
import countriesUrl from 'world-atlas/countries-50m.json?url';
import { fetchBasemap, type Basemap } from './basemap.js';

/** Loads the bundled basemap (a file beside the app, so it works under any base path, offline). */
export function loadBundledBasemap(): Promise<Basemap> {
  return fetchBasemap(countriesUrl);
}
