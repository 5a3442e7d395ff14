/**
 * The basemap files shipped inside `dist/`. Kept apart from `basemap.ts` because the `?url`
 * imports and the worker are bundler features: the component tests load the conversion
 * without them.
 *
 * Natural Earth at three scales. The first view is the world, where 1:110m (40 KB compressed)
 * is all a screen can show; 1:50m (240 KB) and 1:10m (about 1 MB) are fetched only once the
 * operator zooms to where they add detail (at 1:50m a coast at the 5 km scale is four straight
 * lines). Each file is read and made ready to draw in a worker (`basemap.worker.ts`).
 */
import coarseUrl from 'world-atlas/countries-110m.json?url';
import mediumUrl from 'world-atlas/countries-50m.json?url';
import fineUrl from 'world-atlas/countries-10m.json?url';
import type { Basemap } from './basemap.js';
import type { BasemapRings, Ring } from './basemapRings.js';
import type { BasemapWorkerAnswer, BasemapWorkerRequest } from './basemap.worker.js';

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


function isRing(value: unknown): value is Ring {
  const r = value as Partial<Ring> | null;
  return typeof r === 'object' && r !== null && r.coords instanceof Float64Array && [r.minX, r.minY, r.maxX, r.maxY].every((v) => typeof v === 'number');
}

/** What the worker sent, checked: it crosses a boundary like anything from outside. */
function ringsOf(answer: BasemapWorkerAnswer): BasemapRings {
  if ('error' in answer) throw new Error(String(answer.error));
  const { land, borders } = answer.rings ?? {};
  if (!Array.isArray(land) || !Array.isArray(borders) || !land.every(isRing) || !borders.every(isRing)) {
    throw new Error('The basemap worker answered with something that is not basemap geometry.');
  }
  return { land, borders };
}

/** Reads one basemap file in a worker of its own, which ends with the answer. */
function ringsInWorker(url: string): Promise<BasemapRings> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./basemap.worker.ts', import.meta.url), { type: 'module', name: 'lattice-basemap' });
    worker.onmessage = (event: MessageEvent<BasemapWorkerAnswer>) => {
      worker.terminate();
      try {
        resolve(ringsOf(event.data));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`The offline basemap could not be read: ${event.message}`));
    };
    worker.postMessage({ url: new URL(url, location.href).href } satisfies BasemapWorkerRequest);
  });
}

async function loadLevel(i: number): Promise<Basemap> {
  const level = BASEMAP_LEVELS[i]!;
  const next = BASEMAP_LEVELS[i + 1];
  const rings = await ringsInWorker(level.url);
  // The GeoJSON stays in the worker: the rings are what is drawn.
  return { land: { type: 'FeatureCollection', features: [] }, borders: { type: 'MultiLineString', coordinates: [] }, rings, scale: level.scale, finer: next ? { minZoom: next.minZoom, load: () => loadLevel(i + 1) } : undefined };
}

/** Loads the bundled basemap (files beside the app, so it works under any base path, offline). */
export function loadBundledBasemap(): Promise<Basemap> {
  return loadLevel(0);
}
