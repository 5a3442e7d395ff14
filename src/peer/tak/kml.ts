/**
 * KML (OGC 2.2) for the picture: every entity with a position leaves as a Placemark (a point,
 * named as the map names it, styled by affiliation, with its Lattice type in ExtendedData), and
 * point Placemarks arrive as geo points, or as what their `lattice.type` says when Lattice wrote
 * them. Lines and polygons are not entities here: they are counted and left out.
 *
 * KML is read with the same guards as CoT (`safeXml.ts`) and admitted by the same rule
 * (`admitEntities`), all or nothing.
 */
import XMLBuilder from 'fast-xml-builder';
import { ENTITY_ID_PATTERN, ValidationError, fnv1a32, type AffiliationValue, type Components, type EntityView } from '../../crdt/index.js';
import { cotNumber } from './cotEvent.js';
import type { CotEntity, CotEntityType } from './cotMapping.js';
import { attribute, children, parseXml, text, xmlReader, type XmlNode } from './safeXml.js';

export const KML_MAX_CHARS = 8 * 1024 * 1024;
export const KML_MAX_PLACEMARKS = 20_000;
const KML_MAX_DEPTH = 24;
const NAME_MAX = 64;
/** The attributes the KML reader uses (a Placemark's id, a Data's name). */
const reader = xmlReader(['id', 'name']);

/** Icon colours (KML's aabbggrr) by affiliation, the map's own palette. */
const STYLE_COLOURS: Record<AffiliationValue, string> = { friend: 'ffffc47c', hostile: 'ff7b7bff', neutral: 'ff9ae27e', unknown: 'ff80e6ff' };

function affiliationOf(view: EntityView): AffiliationValue {
  return view.components.affiliation?.value ?? (view.type === 'asset' ? 'friend' : 'unknown');
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#text', format: true, suppressEmptyNode: true });

/** A KML document of every entity in `views` that has a position. */
export function buildKml(views: readonly EntityView[], title: string): string {
  const placemarks = views
    .filter((v) => v.components.position && (v.type === 'track' || v.type === 'asset' || v.type === 'geo'))
    .map((v) => {
      const p = v.components.position!;
      const data = [
        { '@name': 'lattice.type', value: v.type },
        ...(v.components.affiliation ? [{ '@name': 'lattice.affiliation', value: v.components.affiliation.value }] : []),
        ...(v.components.threat ? [{ '@name': 'lattice.threat', value: v.components.threat.level }] : []),
      ];
      return {
        '@id': v.id,
        name: v.components.classification?.label ?? v.id,
        description: `${v.type} ${v.id}, ${affiliationOf(v)}${v.components.threat ? `, threat ${v.components.threat.level}` : ''}`,
        styleUrl: `#${affiliationOf(v)}`,
        ExtendedData: { Data: data },
        Point: { altitudeMode: 'absolute', coordinates: `${p.lon},${p.lat},${p.alt}` },
      };
    });
  const styles = (Object.keys(STYLE_COLOURS) as AffiliationValue[]).map((a) => ({ '@id': a, IconStyle: { color: STYLE_COLOURS[a] } }));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ kml: { '@xmlns': 'http://www.opengis.net/kml/2.2', Document: { name: title, Style: styles, Placemark: placemarks } } })}`;
}

export interface KmlPlacemarks {
  readonly entities: CotEntity[];
  /** Placemarks that are not points (lines, polygons, overlays), left out. */
  readonly notPoints: number;
}

/** Every Placemark in a KML document, at any depth of Folders and Documents. */
function collectPlacemarks(node: XmlNode, out: XmlNode[]): void {
  out.push(...children(node, 'Placemark'));
  for (const container of ['Document', 'Folder']) for (const c of children(node, container)) collectPlacemarks(c, out);
}

function dataOf(placemark: XmlNode, name: string, field: string): string | undefined {
  for (const extended of children(placemark, 'ExtendedData')) {
    for (const d of children(extended, 'Data')) if (attribute(d, 'name', field) === name) return text(children(d, 'value')[0], field)?.trim();
  }
  return undefined;
}

/** Reads the point Placemarks of a KML document. Throws `ValidationError` for anything unsafe or malformed. */
export function parseKml(source: unknown, now: number): KmlPlacemarks {
  const { name, root } = parseXml(reader, 'The KML file', source, { maxChars: KML_MAX_CHARS, maxDepth: KML_MAX_DEPTH });
  if (name !== 'kml') throw new ValidationError('kml', `The KML file's root element is <${name.slice(0, 40)}>, not <kml>.`);
  const placemarks: XmlNode[] = [];
  collectPlacemarks(root, placemarks);
  if (placemarks.length > KML_MAX_PLACEMARKS) throw new ValidationError('kml', `The KML file holds ${placemarks.length} placemarks; at most ${KML_MAX_PLACEMARKS} are read at once.`);
  let notPoints = 0;
  const entities: CotEntity[] = [];
  placemarks.forEach((pm, i) => {
    const at = `Placemark ${i + 1}`;
    const point = children(pm, 'Point')[0];
    if (!point) {
      notPoints++;
      return;
    }
    const coordinates = text(children(point, 'coordinates')[0], `${at}: coordinates`)?.trim() ?? '';
    const parts = coordinates.split(',').map((s) => s.trim());
    if (parts.length < 2 || parts.length > 3) throw new ValidationError(`${at}: coordinates`, `${at}: coordinates must be "lon,lat[,alt]", got ${JSON.stringify(coordinates.slice(0, 60))}.`);
    const lon = cotNumber(`${at}: longitude`, parts[0], -180, 180)!;
    const lat = cotNumber(`${at}: latitude`, parts[1], -90, 90)!;
    const alt = parts[2] === undefined ? 0 : cotNumber(`${at}: altitude`, parts[2], -12_000, 1_000_000)!;
    const label = (text(children(pm, 'name')[0], `${at}: name`) ?? '').trim().slice(0, NAME_MAX);
    const declared = attribute(pm, 'id', `${at}: id`);
    // A KML id that is not an entity id (spaces, long) is replaced by one made from what it shows.
    const id = declared !== undefined && ENTITY_ID_PATTERN.test(declared) && declared !== 'room' ? declared : `kml.${fnv1a32(`${label}|${coordinates}`).toString(36)}`;
    const typeText = dataOf(pm, 'lattice.type', `${at}: lattice.type`);
    if (typeText !== undefined && typeText !== 'track' && typeText !== 'asset' && typeText !== 'geo') {
      throw new ValidationError(`${at}: lattice.type`, `${at} says it is a ${JSON.stringify(typeText.slice(0, 20))}; placemarks become tracks, assets or geo points.`);
    }
    const type: CotEntityType = typeText ?? 'geo';
    const components: Record<string, unknown> = { position: { lat, lon, alt } };
    if (label !== '') components.classification = { label, confidence: 1 };
    const affiliation = dataOf(pm, 'lattice.affiliation', `${at}: lattice.affiliation`);
    if (affiliation !== undefined) components.affiliation = { value: affiliation };
    const threat = dataOf(pm, 'lattice.threat', `${at}: lattice.threat`);
    if (threat !== undefined) components.threat = { level: threat };
    // Values are validated by the store when written. KML has no times: it holds as of now.
    entities.push({ id, type, components: components as Components, time: now, stale: Number.POSITIVE_INFINITY });
  });
  return { entities, notPoints };
}
