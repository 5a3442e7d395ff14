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
 */
import type { Classification, Threat } from '../crdt/index.js';
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

/** Whether the course passes within CPA_DISTANCE_M of an asset within CPA_HORIZON_S (no object per asset). */
function closingOnAny(k: Kinematics, assets: readonly { x: number; y: number }[]): boolean {
  for (const a of assets) {
    const time = approachTime(k, a.x, a.y);
    if (time <= CPA_HORIZON_S && distanceAt(k, a.x, a.y, time) <= CPA_DISTANCE_M) return true;
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

/**
 * Classifies one fused track. `assets` are friendly positions in the same frame.
 */
export function classify(k: Kinematics, assets: readonly { x: number; y: number }[]): { classification: Classification; threat: Threat } {
  const speed = Math.hypot(k.vx, k.vy);
  const kn = speed / KNOT;
  const sigma = Math.max(Math.sqrt(Math.max(k.speedVar, 0)), 0.5);
  const lo = CIVILIAN_MAX_KN * KNOT;
  const hi = MILITARY_MIN_KN * KNOT;
  const pBelow = normalCdf((lo - speed) / sigma);
  const pAbove = 1 - normalCdf((hi - speed) / sigma);
  if (kn < CIVILIAN_MAX_KN) return { classification: { label: 'civilian', confidence: round3(pBelow) }, threat: { level: 'none' } };
  if (kn > MILITARY_MIN_KN) return { classification: { label: 'military', confidence: round3(pAbove) }, threat: { level: 'high' } };
  return {
    classification: { label: 'aircraft', confidence: round3(Math.max(0, 1 - pBelow - pAbove)) },
    threat: { level: closingOnAny(k, assets) ? 'medium' : 'low' },
  };
}

function round3(v: number): number {
  return Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
}
