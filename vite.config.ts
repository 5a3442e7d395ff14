import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { defineConfig } from 'vite';
// @ts-expect-error: plain ESM helper (see scripts/serviceWorkerPlugin.mjs)
import { serviceWorkerPlugin } from './scripts/serviceWorkerPlugin.mjs';

/**
 * `base: './'` makes every asset URL relative, so `dist/` works from any static host under
 * any path (GitHub Pages project sites, a USB stick served by `python -m http.server`, …).
 */
export default defineConfig({
  base: './',
  // Dependencies we patch (patches/, applied at install) must not be served from a pre-bundle
  // made before the patch changed: the dev server's cache is keyed by the patches' content.
  cacheDir: `node_modules/.vite-${patchesHash()}`,
  plugins: [serviceWorkerPlugin()],
  build: {
    target: 'es2022',
    sourcemap: true,
  },
  worker: {
    format: 'es',
  },
  server: {
    host: true,
  },
  preview: {
    host: true,
  },
});

function patchesHash(): string {
  const hash = createHash('sha256');
  const dir = new URL('./patches/', import.meta.url);
  for (const name of readdirSync(dir).sort()) hash.update(name).update(readFileSync(new URL(name, dir)));
  return hash.digest('hex').slice(0, 12);
}
