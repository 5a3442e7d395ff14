/**
 * Converts a Natural Earth file into the rings the basemap canvas draws, off the main thread:
 * at 1:10m, parsing the 3.6 MB topology and building its 400,000 land points held the page for
 * half a second or more (seconds on a busy machine), a freeze just as the operator zoomed in.
 * Answers one request, with the rings' coordinates transferred rather than copied.
 */
import { fetchBasemap } from './basemap.js';
import { borderLines, landRings, type BasemapRings } from './basemapRings.js';

export interface BasemapWorkerRequest {
  /** Absolute URL of a world-atlas countries topology. */
  readonly url: string;
}

export type BasemapWorkerAnswer = { readonly rings: BasemapRings } | { readonly error: string };

const scope = self as unknown as Worker;

scope.onmessage = (event: MessageEvent<BasemapWorkerRequest>) => {
  fetchBasemap(event.data.url).then(
    (basemap) => {
      const rings: BasemapRings = { land: landRings(basemap.land), borders: borderLines(basemap.borders) };
      const buffers = [...rings.land, ...rings.borders].map((r) => r.coords.buffer as ArrayBuffer);
      scope.postMessage({ rings } satisfies BasemapWorkerAnswer, buffers);
    },
    (error: unknown) => scope.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies BasemapWorkerAnswer),
  );
};
