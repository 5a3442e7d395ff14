/** TAK interoperability: Cursor on Target and KML files in and out of the picture. */
export * from './cotEvent.js';
export { parseCot, buildCot, buildCotEvent, COT_MAX_CHARS, COT_MAX_EVENTS } from './cotXml.js';
export * from './cotMapping.js';
export * from './cotAdmission.js';
