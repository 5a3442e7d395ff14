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
