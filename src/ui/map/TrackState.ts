/**
 * What the track canvas keeps per entity: the display attributes derived from its components,
 * its position in Web Mercator pixels at zoom 0 (so a pan or zoom is one multiply-add), and a
 * ring of earlier positions for the history trail.
 */
import type { EntityView, SensorType, ThreatLevel } from '../../crdt/index.js';
import { displayKindOf, identityOf, sidcOf, type DisplayKind, type IdentityLetter } from './symbology.js';
import { trackName } from '../trackName.js';
import { updatedAt } from '../staleness.js';
import { projectX, projectY } from './mercator.js';

/** Positions kept per track for its history trail, one every `TRAIL_INTERVAL_MS`: about a minute. */
export const TRAIL_LENGTH = 12;
export const TRAIL_INTERVAL_MS = 5000;

export interface TrackState {
  readonly id: string;
  kind: DisplayKind;
  identity: IdentityLetter;
  sidc: string;
  threat: ThreatLevel;
  label: string;
  sensorType: SensorType | undefined;
  lat: number;
  lon: number;
  /** Web Mercator pixels at zoom 0 (a 256 px world). */
  x: number;
  y: number;
  /** Degrees, or NaN when the entity has no velocity. */
  heading: number;
  speed: number;
  /** Ring of earlier positions, x/y pairs in zoom-0 pixels. */
  readonly trail: Float64Array;
  trailHead: number;
  trailCount: number;
  /** When the last trail point was taken (performance.now()). */
  trailAt: number;
  ellipse: { majorM: number; minorM: number; orientationDeg: number } | undefined;
  /** When its position last changed (HLC wall ms), for a track that ages (see `staleness.ts`). */
  updatedAt: number | undefined;
}

/** A new track for an entity with a position; undefined for one without. */
export function createTrack(view: EntityView): TrackState | undefined {
  const p = view.components.position;
  if (!p) return undefined;
  const t: TrackState = {
    id: view.id,
    kind: 'symbol',
    identity: 'U',
    sidc: '',
    threat: 'none',
    label: '',
    sensorType: undefined,
    lat: p.lat,
    lon: p.lon,
    x: projectX(p.lon),
    y: projectY(p.lat),
    heading: NaN,
    speed: 0,
    trail: new Float64Array(TRAIL_LENGTH * 2),
    trailHead: 0,
    trailCount: 0,
    trailAt: 0,
    ellipse: undefined,
    updatedAt: undefined,
  };
  describe(t, view);
  return t;
}

/**
 * Applies an entity's current state. When it moved, its old position becomes the newest trail
 * point, at most one every `trailIntervalMs` (`now` in the same clock).
 */
export function updateTrack(t: TrackState, view: EntityView, now: number, trailIntervalMs: number): void {
  const p = view.components.position;
  if (p && (t.lat !== p.lat || t.lon !== p.lon)) {
    if (now - t.trailAt >= trailIntervalMs) {
      t.trailAt = now;
      t.trail[t.trailHead * 2] = t.x;
      t.trail[t.trailHead * 2 + 1] = t.y;
      t.trailHead = (t.trailHead + 1) % TRAIL_LENGTH;
      t.trailCount = Math.min(TRAIL_LENGTH, t.trailCount + 1);
    }
    t.lat = p.lat;
    t.lon = p.lon;
    t.x = projectX(p.lon);
    t.y = projectY(p.lat);
  }
  describe(t, view);
}

function describe(t: TrackState, view: EntityView): void {
  const c = view.components;
  t.kind = displayKindOf(view);
  t.identity = identityOf(view);
  t.sidc = sidcOf(view);
  t.threat = c.threat?.level ?? 'none';
  // The short name, not the class: five "aircraft" labels told the operator nothing.
  t.label = trackName(view);
  t.sensorType = c.source?.sensorType;
  t.updatedAt = updatedAt(view);
  t.heading = c.velocity ? c.velocity.heading : NaN;
  t.speed = c.velocity ? c.velocity.speed : 0;
  t.ellipse =
    c.fusion && c.fusion.errorMajorM > 0
      ? { majorM: c.fusion.errorMajorM, minorM: c.fusion.errorMinorM, orientationDeg: c.fusion.errorOrientationDeg }
      : undefined;
}
