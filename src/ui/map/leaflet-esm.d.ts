// Types for Leaflet's ES module build: the same API that @types/leaflet describes.
declare module 'leaflet/dist/leaflet-src.esm.js' {
  export * from 'leaflet';
}
