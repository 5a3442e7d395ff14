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
    // The page's entry is about 590 KB (180 KB compressed); milsymbol, loaded when the first
    // symbol is drawn (`SymbolCache`), is 860 KB on its own. Warn only past those.
    chunkSizeWarningLimit: 900,
    rolldownOptions: {
      // Rolldown reports plugin timings when a build is slow, which on a shared machine is
      // about the load, not the build; sizes are what `npm run bench` (ui.first_load_kb) watches.
      checks: { pluginTimings: false },
    },
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
