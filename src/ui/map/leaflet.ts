/**
 * Leaflet from its ES module build. The package's `main` is a UMD bundle, which native ES
 * module loaders (the component test runner, the bench page) cannot import; Vite can load
 * either, so everyone uses this one.
 */
export * from 'leaflet/dist/leaflet-src.esm.js';
