import { defineConfig } from 'vite';

/**
 * `base: './'` makes every asset URL relative, so `dist/` works from any static host under
 * any path (GitHub Pages project sites, a USB stick served by `python -m http.server`, …).
 */
export default defineConfig({
  base: './',
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
