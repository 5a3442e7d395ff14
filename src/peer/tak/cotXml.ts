/**
 * The CoT XML codec: text ↔ `CotEvent`s. A file or a stream capture holds one `<event>` or
 * several one after another (each may start with its own `<?xml …?>` declaration, as TAK clients
 * write them); both are read. Reading is all or nothing: any problem with any event throws a
 * `ValidationError` naming the event and the field, and no event is returned.
 */
import XMLBuilder from 'fast-xml-builder';
import { ValidationError } from '../../crdt/index.js';
import { attribute, child, children, parseXml, text, xmlReader, type XmlNode } from './safeXml.js';
import {
  CALLSIGN_MAX,
  COT_UNKNOWN,
  LATTICE_JSON_MAX,
  REMARKS_MAX,
  UID_MAX,
  checkTimes,
  cotHow,
  cotNumber,
  cotString,
  cotTime,
  cotType,
  type CotEvent,
  type LatticeDetail,
} from './cotEvent.js';

/** Limits on one CoT file or message. */
export const COT_MAX_CHARS = 8 * 1024 * 1024;
export const COT_MAX_EVENTS = 20_000;
const COT_MAX_DEPTH = 16;

const DECLARATION = /<\?xml[^>]*\?>/g;
/** The attributes `readEvent` reads; no other is copied out of the text. */
const reader = xmlReader(['uid', 'type', 'how', 'time', 'start', 'stale', 'lat', 'lon', 'hae', 'ce', 'le', 'callsign', 'course', 'speed', 'entity', 'approval']);

/** Reads every `<event>` in `text`. Throws `ValidationError` for anything else. */
export function parseCot(text: unknown): CotEvent[] {
  if (typeof text !== 'string') throw new ValidationError('cot', `CoT must be text, got ${typeof text}.`);
  if (text.length > COT_MAX_CHARS) {
    throw new ValidationError('cot', `The CoT text has ${text.length.toLocaleString('en-US')} characters; at most ${COT_MAX_CHARS.toLocaleString('en-US')} are read at once.`);
  }
  // One wrapper, so that several events (a capture) are one document to check.
  const { root } = parseXml(reader, 'The CoT text', `<cot>${text.replace(DECLARATION, '')}</cot>`, { maxChars: COT_MAX_CHARS + 16, maxDepth: COT_MAX_DEPTH + 1 });
  for (const key of Object.keys(root)) {
    if (key === '#text' && typeof root[key] === 'string' && root[key].trim() === '') continue;
    if (key !== 'event') throw new ValidationError('cot', key === '#text' ? 'The CoT text has text outside any <event>.' : `The CoT text has <${key.replace(/^@/, '')}> where only <event> elements may be.`);
  }
  const nodes = children(root, 'event');
  if (nodes.length === 0) throw new ValidationError('cot', 'The CoT text holds no <event>.');
  if (nodes.length > COT_MAX_EVENTS) throw new ValidationError('cot', `The CoT text holds ${nodes.length} events; at most ${COT_MAX_EVENTS} are read at once.`);
  return nodes.map((node, i) => readEvent(node, nodes.length === 1 ? 'The CoT event' : `CoT event ${i + 1}`));
}

function readEvent(node: XmlNode, field: string): CotEvent {
  const uid = cotString(`${field}: uid`, attribute(node, 'uid', `${field}: uid`), UID_MAX);
  const at = `${field} (uid ${JSON.stringify(uid.slice(0, 64))})`;
  const type = cotType(`${at}: type`, attribute(node, 'type', `${at}: type`));
  const how = cotHow(`${at}: how`, attribute(node, 'how', `${at}: how`));
  const time = cotTime(`${at}: time`, attribute(node, 'time', `${at}: time`));
  const start = cotTime(`${at}: start`, attribute(node, 'start', `${at}: start`) ?? attribute(node, 'time', `${at}: time`));
  const stale = cotTime(`${at}: stale`, attribute(node, 'stale', `${at}: stale`));
  checkTimes(at, time, start, stale);

  const p = child(node, 'point', `${at}: <point>`);
  if (!p) throw new ValidationError(`${at}: <point>`, `${at} has no <point>.`);
  const num = (name: string, min: number, max: number, optional = false) => cotNumber(`${at}: point ${name}`, attribute(p, name, `${at}: point ${name}`), min, max, optional);
  const point = {
    lat: num('lat', -90, 90)!,
    lon: num('lon', -180, 180)!,
    hae: num('hae', -12_000, 1_000_000, true),
    ce: num('ce', 0, COT_UNKNOWN, true),
    le: num('le', 0, COT_UNKNOWN, true),
  };

  const detail = child(node, 'detail', `${at}: <detail>`);
  // ATAK repeats some detail elements (two <archive/> in one marker); <contact> is read once.
  const contact = children(detail, 'contact')[0];
  const callsignText = attribute(contact, 'callsign', `${at}: contact callsign`);
  const callsign = callsignText === undefined || callsignText === '' ? undefined : cotString(`${at}: contact callsign`, callsignText, CALLSIGN_MAX);
  const trackNode = child(detail, 'track', `${at}: <track>`);
  const track = trackNode && readTrack(trackNode, at);
  const remarksText = text(children(detail, 'remarks')[0], `${at}: <remarks>`);
  if (remarksText !== undefined && remarksText.length > REMARKS_MAX) {
    throw new ValidationError(`${at}: <remarks>`, `${at}: <remarks> has ${remarksText.length} characters; at most ${REMARKS_MAX} are read.`);
  }
  const latticeNode = child(detail, '__lattice', `${at}: <__lattice>`);
  return { uid, type, how, time, start, stale, point, callsign, track, remarks: remarksText?.trim() ? remarksText : undefined, lattice: latticeNode && readLattice(latticeNode, at) };
}

function readTrack(node: XmlNode, at: string): CotEvent['track'] {
  const course = cotNumber(`${at}: track course`, attribute(node, 'course', `${at}: track course`), 0, 360, true);
  const speed = cotNumber(`${at}: track speed`, attribute(node, 'speed', `${at}: track speed`), 0, 3_000, true);
  // A <track> with either unknown says nothing the picture can use.
  return course === undefined || speed === undefined ? undefined : { course, speed };
}

function readLattice(node: XmlNode, at: string): LatticeDetail {
  const components = text(node, `${at}: <__lattice>`);
  if (components !== undefined && components.length > LATTICE_JSON_MAX) {
    throw new ValidationError(`${at}: <__lattice>`, `${at}: <__lattice> has ${components.length} characters; at most ${LATTICE_JSON_MAX} are read.`);
  }
  return {
    entity: attribute(node, 'entity', `${at}: __lattice entity`),
    components: components?.trim() ? components : undefined,
    approval: attribute(node, 'approval', `${at}: __lattice approval`),
  };
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#text', suppressEmptyNode: true });

const iso = (ms: number): string => new Date(ms).toISOString();
const orUnknown = (n: number | undefined): string => (n === undefined ? '9999999.0' : String(n));

/** The XML of one event, as TAK clients write it (attributes in the usual order). */
export function buildCotEvent(event: CotEvent): string {
  const detail: Record<string, unknown> = {};
  if (event.callsign !== undefined) detail.contact = { '@callsign': event.callsign };
  if (event.track) detail.track = { '@course': String(event.track.course), '@speed': String(event.track.speed) };
  if (event.remarks !== undefined) detail.remarks = { '#text': event.remarks };
  if (event.lattice) {
    const l = event.lattice;
    detail.__lattice = {
      ...(l.entity === undefined ? {} : { '@entity': l.entity }),
      ...(l.approval === undefined ? {} : { '@approval': l.approval }),
      ...(l.components === undefined ? {} : { '#text': l.components }),
    };
  }
  return builder.build({
    event: {
      '@version': '2.0',
      '@uid': event.uid,
      '@type': event.type,
      '@how': event.how,
      '@time': iso(event.time),
      '@start': iso(event.start),
      '@stale': iso(event.stale),
      point: { '@lat': String(event.point.lat), '@lon': String(event.point.lon), '@hae': orUnknown(event.point.hae), '@ce': orUnknown(event.point.ce), '@le': orUnknown(event.point.le) },
      // An empty <detail/> is written as such: some readers expect the element.
      detail: Object.keys(detail).length > 0 ? detail : { '#text': '' },
    },
  });
}

/** A CoT file: the XML declaration, then one event per line. */
export function buildCot(events: readonly CotEvent[]): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${events.map(buildCotEvent).join('\n')}\n`;
}
