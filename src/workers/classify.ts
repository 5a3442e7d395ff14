/**
 * Classification and threat from kinematics.
 *
 * Speed bands of the original design: below 150 kn civilian (threat none), 150–350 kn aircraft
 * (low), above 350 kn military (high).
 *
 * The medium band is kinematic intent, not speed: an aircraft-band track (150–350 kn) whose
 * course brings it within 10 km of a friendly asset in the next 10 minutes (closest point of
 * approach, the standard first test of air-defence threat evaluation; Roux & van Vuuren,
 * "Threat evaluation and weapon assignment decision support", 2007) is `medium`. Speed alone
 * cannot tell an airliner from a strike aircraft at the same speed; heading for what we defend
 * can, and it is known from the same fused state. A track faster than 350 kn is `high` whatever
 * its course; one slower than 150 kn stays `none`.
 *
 * Confidence is the probability, under the track's speed uncertainty, that the speed lies in
 * the chosen band, so a track near a band edge says it is unsure.
 *
 * These are the nominal bands; the pipeline holds a track's level against an estimate that
 * wavers across an edge (`threatHysteresis.ts`).
 */
import type { Classification, Threat, ThreatLevel } from '../crdt/index.js';
import { KNOT } from './geo.js';

export const CIVILIAN_MAX_KN = 150;
export const MILITARY_MIN_KN = 350;
export const CPA_DISTANCE_M = 10_000;
export const CPA_HORIZON_S = 600;

export interface Kinematics {
  /** Position east/north in a local frame, m. */
  readonly x: number;
  readonly y: number;
  /** Velocity east/north, m/s. */
  readonly vx: number;
  readonly vy: number;
  /** Variance of the speed estimate, (m/s)². */
  readonly speedVar: number;
}

/** Closest point of approach to a fixed point: distance (m) and time (s, ≥ 0). */
export function closestApproach(k: Kinematics, px: number, py: number): { distance: number; time: number } {
  const time = approachTime(k, px, py);
  return { distance: distanceAt(k, px, py, time), time };
}

/** When the closest approach to (px, py) comes, s from now (≥ 0). */
function approachTime(k: Kinematics, px: number, py: number): number {
  const rx = k.x - px;
  const ry = k.y - py;
  const vv = k.vx * k.vx + k.vy * k.vy;
  return vv === 0 ? 0 : Math.max(0, -(rx * k.vx + ry * k.vy) / vv);
}

/** Distance from (px, py) after `time` s on the current course, m. */
function distanceAt(k: Kinematics, px: number, py: number, time: number): number {
  return Math.hypot(k.x - px + k.vx * time, k.y - py + k.vy * time);
}

/**
 * The edges of the threat bands. The nominal ones are the constants above; hysteresis
 * (`threatHysteresis.ts`) moves them away from the level a track holds, so that leaving it
 * takes a clear crossing.
 */
export interface ThreatBands {
  readonly civilianMaxKn: number;
  readonly militaryMinKn: number;
  readonly cpaDistanceM: number;
  readonly cpaHorizonS: number;
}

export const NOMINAL_BANDS: ThreatBands = { civilianMaxKn: CIVILIAN_MAX_KN, militaryMinKn: MILITARY_MIN_KN, cpaDistanceM: CPA_DISTANCE_M, cpaHorizonS: CPA_HORIZON_S };

/** Whether the course passes within `distanceM` of an asset within `horizonS` (no object per asset). */
function closingOnAny(k: Kinematics, assets: readonly { x: number; y: number }[], distanceM: number, horizonS: number): boolean {
  for (const a of assets) {
    const time = approachTime(k, a.x, a.y);
    if (time <= horizonS && distanceAt(k, a.x, a.y, time) <= distanceM) return true;
  }
  return false;
}

function normalCdf(z: number): number {
  // Abramowitz & Stegun 7.1.26 via erf; error below 1.5e-7.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The threat level a track would have from its kinematics alone, with the given band edges. */
export function threatLevelOf(k: Kinematics, assets: readonly { x: number; y: number }[], bands: ThreatBands = NOMINAL_BANDS): ThreatLevel {
  const kn = Math.hypot(k.vx, k.vy) / KNOT;
  if (kn < bands.civilianMaxKn) return 'none';
  if (kn > bands.militaryMinKn) return 'high';
  return closingOnAny(k, assets, bands.cpaDistanceM, bands.cpaHorizonS) ? 'medium' : 'low';
}

/** The speed band a threat level belongs to. */
export const LABEL_OF_LEVEL: Readonly<Record<ThreatLevel, Classification['label']>> = { none: 'civilian', low: 'aircraft', medium: 'aircraft', high: 'military' };

/**
 * The classification that goes with a threat level: the level's speed band, and the
 * probability under the track's speed uncertainty that the speed lies in that band (nominal
 * edges), so a track held in a band it is near the edge of says it is unsure.
 */
export function classificationFor(level: ThreatLevel, k: Kinematics): Classification {
  const speed = Math.hypot(k.vx, k.vy);
  const sigma = Math.max(Math.sqrt(Math.max(k.speedVar, 0)), 0.5);
  const pBelow = normalCdf((CIVILIAN_MAX_KN * KNOT - speed) / sigma);
  const pAbove = 1 - normalCdf((MILITARY_MIN_KN * KNOT - speed) / sigma);
  const label = LABEL_OF_LEVEL[level];
  const confidence = label === 'civilian' ? pBelow : label === 'military' ? pAbove : Math.max(0, 1 - pBelow - pAbove);
  return { label, confidence: round3(confidence) };
}

/**
 * Classifies one fused track from its kinematics alone (no hysteresis). `assets` are friendly
 * positions in the same frame.
 */
export function classify(k: Kinematics, assets: readonly { x: number; y: number }[]): { classification: Classification; threat: Threat } {
  const level = threatLevelOf(k, assets);
  return { classification: classificationFor(level, k), threat: { level } };
}

function round3(v: number): number {
  return Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
}
