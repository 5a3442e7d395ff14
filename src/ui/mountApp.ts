/**
 * Puts the operator UI on the page for a running node. `main.ts` calls this once the node
 * exists; the UI needs nothing else from it (see `LatticeNode`).
 */
import type { LatticeNode } from '../peer/LatticeNode.js';
import type { PipelineHost } from '../workers/index.js';
// Imported for its side effect (defining <lattice-app>); a type-only use would be elided.
import './LatticeApp.js';
import type { LatticeApp } from './LatticeApp.js';
import { isTileUrlTemplate } from './map/LatticeMap.js';
import type { Basemap } from './map/basemap.js';

export interface MountOptions {
  /**
   * Online tile template (`https://…/{z}/{x}/{y}.png`) offered as a map layer. Defaults to the
   * `tiles` query parameter when it is a valid http(s) template; anything else is ignored.
   */
  readonly tileUrl?: string;
  readonly tileAttribution?: string;
  /** The node's pipeline host, for the Pipeline tab (loading scenarios, worker faults). */
  readonly pipeline?: PipelineHost;
  /** The basemap to draw, or a loader; defaults to the bundled Natural Earth file. */
  readonly basemap?: Basemap | (() => Promise<Basemap>);
}

/**
 * Mounts `<lattice-app>` for `node` inside `root` (default `document.body`), reusing a
 * `<lattice-app>` already there (index.html has one). Returns the element; remove it to
 * unmount. The offline basemap loads in the background; the map works before it arrives.
 */
export function mountApp(node: LatticeNode, root: HTMLElement = document.body, options: MountOptions = {}): LatticeApp {
  let app = root.querySelector('lattice-app');
  if (!app) {
    app = document.createElement('lattice-app');
    root.appendChild(app);
  }
  app.node = node;
  app.pipeline = options.pipeline;
  const fromQuery = new URLSearchParams(globalThis.location?.search ?? '').get('tiles');
  const tileUrl = options.tileUrl ?? fromQuery ?? undefined;
  app.tileUrl = isTileUrlTemplate(tileUrl) ? tileUrl : undefined;
  app.tileAttribution = options.tileAttribution ?? (app.tileUrl ? new URL(app.tileUrl.replace(/\{[a-z]\}/g, '0')).host : '');
  // Loaded lazily: the basemap module uses a bundler-only `?url` import, and is not needed
  // when a basemap is given.
  const basemap = options.basemap ?? (() => import('./map/bundledBasemap.js').then((m) => m.loadBundledBasemap()));
  if (typeof basemap === 'function') {
    const target = app;
    basemap().then(
      (b) => (target.basemap = b),
      (error: unknown) => {
        target.basemapError = `Basemap unavailable: ${error instanceof Error ? error.message : String(error)}`;
        console.error(error);
      },
    );
  } else {
    app.basemap = basemap;
  }
  return app;
}
