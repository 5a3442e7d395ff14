/**
 * The basemap files shipped inside `dist/`. Kept apart from `basemap.ts` because the `?url`
 * import is a bundler feature: the component tests load the conversion without it.
 *
 * Natural Earth at three scales. The first view is the world, where 1:110m (about 30 KB
 * compressed) is all a screen can show; 1:50m (230 KB) and 1:10m (about 1 MB) are fetched
 * only once the operator zooms to where they add detail: at 1:50m a coast at the 5 km scale
 * is four straight lines.
 */
import coarseUrl from 'world-atlas/countries-110m.json?url';
import mediumUrl from 'world-atlas/countries-50m.json?url';
import fineUrl from 'world-atlas/countries-10m.json?url';
import { fetchBasemap, type Basemap } from './basemap.js';

interface Level {
  readonly scale: string;
  readonly url: string;
  /** The zoom from which this level is drawn. */
  readonly minZoom: number;
}

export const BASEMAP_LEVELS: readonly Level[] = [
  { scale: '1:110m', url: coarseUrl, minZoom: 0 },
  { scale: '1:50m', url: mediumUrl, minZoom: 3.5 },
  { scale: '1:10m', url: fineUrl, minZoom: 5.5 },
];

function loadLevel(i: number): Promise<Basemap> {
  const level = BASEMAP_LEVELS[i]!;
  const next = BASEMAP_LEVELS[i + 1];
  return fetchBasemap(level.url, { scale: level.scale, finer: next ? { minZoom: next.minZoom, load: () => loadLevel(i + 1) } : undefined });
}

/** Loads the bundled basemap (files beside the app, so it works under any base path, offline). */
export function loadBundledBasemap(): Promise<Basemap> {
  return loadLevel(0);
}
