/**
 * A Cursor on Target event as Lattice reads and writes it: the `<event>` attributes, its
 * `<point>`, and the few `<detail>` elements the mapping uses. Everything else a TAK client puts
 * in `<detail>` (`takv`, `__group`, `status`, `precisionlocation`, `usericon`, …) is read past.
 *
 * Field checks live here, each throwing a `ValidationError` that names the field: the codec
 * (`cotXml.ts`) calls them on what arrives, so a `CotEvent` in hand is always a valid one.
 */
import { ValidationError } from '../../crdt/index.js';

/** CoT's "unknown" for hae, ce and le (MIL-STD CoT schema: 9999999.0). */
export const COT_UNKNOWN = 9_999_999;

/** Where an event is, with its 1-sigma errors in metres; `undefined` = unknown. */
export interface CotPoint {
  readonly lat: number;
  readonly lon: number;
  /** Height above the WGS84 ellipsoid, metres. */
  readonly hae: number | undefined;
  /** Circular (horizontal) error, metres. */
  readonly ce: number | undefined;
  /** Linear (vertical) error, metres. */
  readonly le: number | undefined;
}

/** `<detail><__lattice>`: what only another Lattice node reads (see docs/tak.md). */
export interface LatticeDetail {
  /** The entity type, when it is not what the CoT type alone says. */
  readonly entity: string | undefined;
  /** Components as JSON text, validated by the store like any write when admitted. */
  readonly components: string | undefined;
  /** The approval state of the entity's current request, for reading (never admitted). */
  readonly approval: string | undefined;
}

export interface CotEvent {
  readonly uid: string;
  /** The CoT type, e.g. `a-h-A-M-F` or `b-m-p-s-m`. */
  readonly type: string;
  /** How the position was obtained, e.g. `m-g` (machine, GPS) or `h-e` (human entered). */
  readonly how: string;
  /** Times in ms since the epoch: when it was generated, valid from, valid until. */
  readonly time: number;
  readonly start: number;
  readonly stale: number;
  readonly point: CotPoint;
  /** `<contact callsign>`. */
  readonly callsign: string | undefined;
  /** `<track course speed>`: degrees true, metres per second. */
  readonly track: { readonly course: number; readonly speed: number } | undefined;
  /** `<remarks>` text. */
  readonly remarks: string | undefined;
  readonly lattice: LatticeDetail | undefined;
}

export const UID_MAX = 256;
export const CALLSIGN_MAX = 128;
export const REMARKS_MAX = 4_096;
export const LATTICE_JSON_MAX = 8_192;
/** A CoT type: a letter, then dash-separated parts (`a-f-G-U-C`, `b-m-p-s-m`). */
const TYPE_PATTERN = /^[a-z](-[A-Za-z0-9_.]{1,16}){0,15}$/;
const HOW_PATTERN = /^[a-z](-[a-z0-9]{1,8}){0,7}$/;
/** ISO 8601 / XML Schema dateTime in UTC or with an offset, as TAK clients write it. */
const TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function cotString(field: string, value: string | undefined, max: number, pattern?: RegExp): string {
  if (value === undefined || value === '') throw new ValidationError(field, `${field} is missing.`);
  if (value.length > max) throw new ValidationError(field, `${field} has ${value.length} characters; at most ${max} are allowed.`);
  if (pattern && !pattern.test(value)) throw new ValidationError(field, `${field} ${JSON.stringify(value.slice(0, 80))} is not in the form CoT uses.`);
  return value;
}

export function cotType(field: string, value: string | undefined): string {
  return cotString(field, value, 64, TYPE_PATTERN);
}

export function cotHow(field: string, value: string | undefined): string {
  // `how` is optional in practice (older senders leave it out): "h-e" is what a person typed.
  return value === undefined || value === '' ? 'h-e' : cotString(field, value, 32, HOW_PATTERN);
}

/** A dateTime attribute as ms since the epoch. */
export function cotTime(field: string, value: string | undefined): number {
  const text = cotString(field, value, 40);
  const ms = TIME_PATTERN.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw new ValidationError(field, `${field} ${JSON.stringify(text.slice(0, 40))} is not a time (expected e.g. 2024-05-01T12:00:00Z).`);
  return ms;
}

/** A decimal number attribute in [min, max]; `optional` ones may be absent or CoT's unknown. */
export function cotNumber(field: string, value: string | undefined, min: number, max: number, optional = false): number | undefined {
  if (value === undefined || value === '') {
    if (optional) return undefined;
    throw new ValidationError(field, `${field} is missing.`);
  }
  // Decimal notation only: no hex, no "Infinity", no "NaN", no empty or spaced text.
  const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new ValidationError(field, `${field} must be a number, got ${JSON.stringify(value.slice(0, 40))}.`);
  if (optional && n >= COT_UNKNOWN) return undefined;
  if (n < min || n > max) throw new ValidationError(field, `${field} must be between ${min} and ${max}, got ${n}.`);
  return n;
}

/** The times of an event must be in order (whether it is stale is the admission's question). */
export function checkTimes(field: string, time: number, start: number, stale: number): void {
  if (stale < start) throw new ValidationError(`${field}.stale`, `${field}: stale (${new Date(stale).toISOString()}) is before start (${new Date(start).toISOString()}).`);
  if (time > stale) throw new ValidationError(`${field}.time`, `${field}: time (${new Date(time).toISOString()}) is after stale (${new Date(stale).toISOString()}).`);
}
