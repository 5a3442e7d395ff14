import { defineConfig } from 'vite';
// @ts-expect-error: plain ESM helper (see scripts/serviceWorkerPlugin.mjs)
import { serviceWorkerPlugin } from './scripts/serviceWorkerPlugin.mjs';

/**
 * `base: './'` makes every asset URL relative, so `dist/` works from any static host under
 * any path (GitHub Pages project sites, a USB stick served by `python -m http.server`, …).
 */
export default defineConfig({
  base: './',
  plugins: [serviceWorkerPlugin()],
  build: {
    target: 'es2022',
    // Published without sourcemaps (5 MB) unless asked: LATTICE_SOURCEMAP=1 npm run build.
    sourcemap: process.env.LATTICE_SOURCEMAP === '1',
    // The page's entry is about 510 KB (150 KB compressed); milsymbol, loaded after the page
    // (`SymbolCache`), is 860 KB on its own. Warn only past those.
    chunkSizeWarningLimit: 900,
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
