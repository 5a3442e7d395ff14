/**
 * Entities ↔ CoT events. Every correspondence is in `COT_MAPPING` below (and docs/tak.md
 * renders it for people); the two functions only apply it.
 *
 * What a TAK client reads natively (type, point, course and speed, callsign, stale, remarks)
 * is written in CoT's own elements. What only Lattice has (the entity type when CoT's type does
 * not say it, threat, classification confidence, source, fusion) travels in a `<__lattice>`
 * detail element, which TAK clients keep and ignore as they do other `__`-prefixed extensions,
 * so a picture sent through TAK and back loses nothing the table claims to keep.
 */
import { ValidationError, type AffiliationValue, type ApprovalState, type Components, type EntityView, type TaskState, type ThreatLevel } from '../../crdt/index.js';
import type { CotEvent } from './cotEvent.js';

/** Entity types that leave and arrive as CoT events (tasks ride on their asset's event). */
export type CotEntityType = 'track' | 'asset' | 'geo';

/**
 * Components admitted from `<__lattice>` (an atom's affiliation always comes from its type): the
 * rest are the mesh's own (approval, tasks) and a file never brings them.
 */
export const LATTICE_DETAIL_COMPONENTS = ['classification', 'threat', 'source', 'fusion', 'affiliation'] as const;

/**
 * The one table. Read it as: an entity of `entity` type leaves as CoT type `cotType(…)`, stale
 * `staleMs` after it is written, with `how`; a CoT event whose type matches `accepts` arrives
 * as an entity of that type.
 */
export const COT_MAPPING = {
  /** Entity types. `a-…` atoms arrive as tracks unless `<__lattice entity="asset">` says otherwise. */
  entities: {
    track: { atom: true, defaultAffiliation: 'unknown', staleMs: 2 * 60_000, how: 'm-f', dimension: 'A' },
    asset: { atom: true, defaultAffiliation: 'friend', staleMs: 5 * 60_000, how: 'm-g', dimension: 'A' },
    // A spot map point; any `b-m-p-…` (waypoint, checkpoint, spot) arrives as a geo point.
    geo: { atom: false, cotType: 'b-m-p-s-m', accepts: /^b-m-p(-|$)/, staleMs: 24 * 3600_000, how: 'h-g-i-g-o' },
  },
  /** Affiliation ↔ the second letter of an atom's type. */
  affiliations: { friend: 'f', hostile: 'h', neutral: 'n', unknown: 'u' } satisfies Record<AffiliationValue, string>,
  /**
   * The other 2525 identities, arriving only: assumed friend is a friend; suspect is unknown and
   * at least a medium threat (as the map draws unknown + medium as suspect); joker and faker
   * (exercise hostiles) are hostile; pending and none are unknown.
   */
  affiliationsIn: { a: 'friend', s: 'unknown', j: 'hostile', k: 'hostile', p: 'unknown', o: 'unknown' } as Record<string, AffiliationValue>,
  /** An unknown entity at this threat or above leaves as suspect (`a-s-…`). */
  suspectFrom: ['medium', 'high'] as readonly ThreatLevel[],
  /**
   * Classification label ↔ the function part of an atom's type (after the dimension letter),
   * for labels the pipeline writes. A label not here leaves as the bare dimension (`a-h-A`).
   * An arriving atom without a callsign takes the label of its function when it is here and
   * says more than the bare dimension (`aircraft` only leaves: every entity without a label
   * leaves as the bare dimension too, so `a-u-A` arriving says nothing of its class).
   */
  functions: [
    { label: 'civilian', suffix: 'A-C-F' },
    { label: 'drone', suffix: 'A-M-F-Q' },
    { label: 'helicopter', suffix: 'A-M-H' },
    { label: 'fighter', suffix: 'A-M-F-F' },
    { label: 'military', suffix: 'A-M-F' },
    { label: 'aircraft', suffix: 'A' },
  ],
  /** CoT types that are not entities, with what to tell the person who sent one. */
  refused: [
    { accepts: /^b-t-f/, why: 'a GeoChat message (b-t-f…), not a thing on the map' },
    { accepts: /^t-x-d-d/, why: 'a delete request (t-x-d-d); deletes are made in the mesh, not from files' },
    { accepts: /^t-/, why: 'a tasking or control message (t-…); tasks are given through approvals in the mesh' },
  ],
} as const;

/** Where the store's `Components` meet CoT fields (kept beside the table; docs/tak.md lists it). */
export const COT_FIELDS = {
  position: 'point lat, lon; alt ↔ hae (unknown hae → 0)',
  errors: 'ce ← fusion.errorMajorM (1-sigma, metres), unknown without fusion; le unknown',
  velocity: 'track course (heading, degrees true), speed (m/s)',
  callsign: 'contact callsign ↔ classification.label',
  affiliation: "second letter of an atom type; a geo point's in <__lattice>",
  stale: 'written as time + the type\'s staleMs; stale events arriving are skipped',
  approval: 'remarks (a sentence) and __lattice approval="…" (leaving only)',
  task: 'remarks of the asset\'s event (leaving only)',
} as const;

/** What the exporter knows besides the entity itself. */
export interface CotContext {
  /** When the event is written, ms since the epoch. */
  readonly now: number;
  /** The state of the entity's current approval request, if it has one. */
  readonly approval?: { readonly state: ApprovalState; readonly tasks: readonly string[]; readonly deadline: number };
  /** Tasks given to this entity (an asset), with their status. */
  readonly tasks?: readonly { readonly kind: string; readonly targetId: string; readonly status: TaskState }[];
}

/** An entity as it arrives from CoT: what to create or update. */
export interface CotEntity {
  readonly id: string;
  readonly type: CotEntityType;
  readonly components: Components;
  /** The event's `time` (ms): an entity holds newer information when its writes are later. */
  readonly time: number;
  readonly stale: number;
}

const AFFILIATION_LETTER = COT_MAPPING.affiliations;
const LETTER_AFFILIATION = new Map<string, AffiliationValue>([
  ...Object.entries(AFFILIATION_LETTER).map(([value, letter]) => [letter, value as AffiliationValue] as const),
  ...Object.entries(COT_MAPPING.affiliationsIn),
]);

function atomType(view: EntityView, entity: 'track' | 'asset'): string {
  const c = view.components;
  const affiliation = c.affiliation?.value ?? COT_MAPPING.entities[entity].defaultAffiliation;
  const suspect = affiliation === 'unknown' && c.threat !== undefined && COT_MAPPING.suspectFrom.includes(c.threat.level);
  const letter = suspect ? 's' : AFFILIATION_LETTER[affiliation];
  const label = c.classification?.label.toLowerCase();
  const fn = COT_MAPPING.functions.find((f) => f.label === label);
  return `a-${letter}-${fn ? fn.suffix : COT_MAPPING.entities[entity].dimension}`;
}

function remarksOf(context: CotContext): string | undefined {
  const parts: string[] = [];
  const a = context.approval;
  if (a) parts.push(`Approval ${a.state.replace('_', ' ')} for ${a.tasks.join(', ')} (deadline ${new Date(a.deadline).toISOString()}).`);
  for (const t of context.tasks ?? []) parts.push(`Task ${t.kind} of ${t.targetId}: ${t.status.replace('_', ' ')}.`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** The CoT event for an entity. Throws `ValidationError` for a type CoT has no place for. */
export function entityToCot(view: EntityView, context: CotContext): CotEvent {
  if (view.type !== 'track' && view.type !== 'asset' && view.type !== 'geo') {
    throw new ValidationError('entity type', `A ${view.type} entity has no CoT event (${view.type === 'task' ? "a task leaves in its asset's remarks" : 'it is the mesh\'s own'}).`);
  }
  const c = view.components;
  const position = c.position;
  if (!position) throw new ValidationError('position', `${view.id} has no position, and a CoT event must have a point.`);
  const row = COT_MAPPING.entities[view.type];
  const extra: Record<string, unknown> = {};
  for (const name of LATTICE_DETAIL_COMPONENTS) if (c[name] !== undefined) extra[name] = c[name];
  // An atom's affiliation is in its type; a map point's has no place in CoT but here.
  if (view.type !== 'geo') delete extra.affiliation;
  const entityTold = view.type === 'asset' ? 'asset' : undefined;
  const lattice =
    entityTold !== undefined || Object.keys(extra).length > 0 || context.approval
      ? { entity: entityTold, components: Object.keys(extra).length > 0 ? JSON.stringify(extra) : undefined, approval: context.approval?.state }
      : undefined;
  return {
    uid: view.id,
    type: view.type === 'geo' ? COT_MAPPING.entities.geo.cotType : atomType(view, view.type),
    how: view.type !== 'geo' && c.source?.sensorType === 'operator' ? 'h-e' : row.how,
    time: context.now,
    start: context.now,
    stale: context.now + row.staleMs,
    point: { lat: position.lat, lon: position.lon, hae: position.alt, ce: c.fusion ? c.fusion.errorMajorM : undefined, le: undefined },
    callsign: c.classification?.label,
    track: c.velocity ? { course: c.velocity.heading, speed: c.velocity.speed } : undefined,
    remarks: remarksOf(context),
    lattice,
  };
}

function parseExtra(event: CotEvent, at: string): Components {
  const json = event.lattice?.components;
  if (json === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ValidationError(`${at}: <__lattice>`, `${at}: <__lattice> is not JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError(`${at}: <__lattice>`, `${at}: <__lattice> must hold a JSON object of components.`);
  const out: Record<string, unknown> = {};
  for (const [name, component] of Object.entries(value)) {
    if (!(LATTICE_DETAIL_COMPONENTS as readonly string[]).includes(name)) {
      throw new ValidationError(`${at}: <__lattice>`, `${at}: <__lattice> carries "${name.slice(0, 40)}"; only ${LATTICE_DETAIL_COMPONENTS.join(', ')} are admitted from a CoT event.`);
    }
    out[name] = component;
  }
  // Values are checked by the store when written, as any write is.
  return out as Components;
}

/**
 * What a CoT event says about the picture, or a `ValidationError` for a type Lattice does not
 * map. Component values are validated by the store when written; this only shapes them.
 */
export function cotToEntity(event: CotEvent, at = `CoT event ${event.uid}`): CotEntity {
  const type = event.type;
  const refused = COT_MAPPING.refused.find((r) => r.accepts.test(type));
  if (refused) throw new ValidationError(`${at}: type`, `${at} is ${refused.why}; it is not admitted.`);
  const told = event.lattice?.entity;
  let entity: CotEntityType;
  const components: Record<string, unknown> = parseExtra(event, at);
  if (COT_MAPPING.entities.geo.accepts.test(type)) {
    entity = 'geo';
    if (told !== undefined && told !== 'geo') throw new ValidationError(`${at}: __lattice entity`, `${at} is a map point (${type}) but says it is a ${told.slice(0, 20)}.`);
  } else if (type.startsWith('a-')) {
    if (told !== undefined && told !== 'track' && told !== 'asset') throw new ValidationError(`${at}: __lattice entity`, `${at} is an atom (${type}) but says it is a ${told.slice(0, 20)}; atoms are tracks or assets.`);
    entity = told ?? 'track';
    const parts = type.split('-');
    const affiliation = LETTER_AFFILIATION.get(parts[1] ?? '');
    if (!affiliation) throw new ValidationError(`${at}: type`, `${at} has the type ${type}, whose affiliation "${(parts[1] ?? '').slice(0, 8)}" is not a CoT affiliation (f, h, n, u, a, s, j, k, p, o).`);
    components.affiliation = { value: affiliation };
    if (parts[1] === 's' && components.threat === undefined) components.threat = { level: 'medium' };
    if (event.callsign === undefined && components.classification === undefined) {
      const suffix = parts.slice(2).join('-');
      const fn = suffix.includes('-') ? COT_MAPPING.functions.find((f) => f.suffix === suffix) : undefined;
      if (fn) components.classification = { label: fn.label, confidence: 1 };
    }
  } else {
    throw new ValidationError(`${at}: type`, `${at} has the type ${type.slice(0, 64)}, which Lattice does not map: it admits atoms (a-…) as tracks and map points (b-m-p-…) as geo points.`);
  }
  const p = event.point;
  components.position = { lat: p.lat, lon: p.lon, alt: p.hae === undefined ? 0 : p.hae };
  if (event.track) components.velocity = { speed: event.track.speed, heading: event.track.course };
  if (event.callsign !== undefined) {
    const previous = components.classification as { confidence?: unknown } | undefined;
    components.classification = { label: event.callsign, confidence: typeof previous?.confidence === 'number' ? previous.confidence : 1 };
  }
  return { id: event.uid, type: entity, components: components as Components, time: event.time, stale: event.stale };
}
