/** TAK interoperability: Cursor on Target and KML files in and out of the picture. */
export * from './cotEvent.js';
export { parseCot, buildCot, buildCotEvent, COT_MAX_CHARS, COT_MAX_EVENTS } from './cotXml.js';
export * from './cotMapping.js';
export * from './cotAdmission.js';
export { buildKml, parseKml, KML_MAX_CHARS, KML_MAX_PLACEMARKS } from './kml.js';
export type { KmlPlacemarks } from './kml.js';
export * from './takFiles.js';
