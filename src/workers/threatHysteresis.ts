/**
 * Threat levels that do not flap (issue 15 §2).
 *
 * A track whose estimated speed sits near a band edge (350 kn, say, under radar noise of ±20 kn)
 * crossed it on most updates, and every crossing of the high edge opened or withdrew an
 * approval request. So a track's level is held, and changes only when
 *
 * - the estimate crosses the edge of the held band by a margin (`speedMarginKn`, or two standard deviations of the speed estimate if more, and for the
 *   medium/low edge `cpaMarginM` and `horizonMarginS`): a clear change takes effect at once; or
 * - the level from the nominal edges has differed from the held one on every step for
 *   `dwellS` of run time: a slow or small change takes effect after the dwell.
 *
 * Either way the new level is the nominal one of that moment, so every change follows a change
 * of the nominal level: hysteresis never changes a level more often than no hysteresis would.
 *
 * What this needs to know is the held level, which is the threat in the document (a node that
 * takes the lease reads it when it adopts the track), and the run time since which the estimate
 * has pointed away from it. The latter is not in the document: a node that takes over starts it
 * afresh, so the held level stays until the estimate has pointed away for a full dwell on that
 * node (or crosses by the margin). Given the document and the scans that follow, every node
 * taking over classifies alike; a takeover can only delay a change, by at most one dwell.
 */
import type { ThreatLevel } from '../crdt/index.js';
import { NOMINAL_BANDS, threatLevelOf, type Kinematics, type ThreatBands } from './classify.js';
import { KNOT } from './geo.js';

export interface ThreatHysteresis {
  /** How long the nominal level must differ from the held one before it is taken, s of run time. */
  readonly dwellS: number;
  /** How far beyond a speed edge the estimate must be to change the level at once, kn ... */
  readonly speedMarginKn: number;
  /** ... or this many standard deviations of the speed estimate, if more (a track just adopted, or seen by radar alone, is unsure of its speed). */
  readonly speedMarginSigmas: number;
  /** How far beyond the 10 km closest-approach distance, m. */
  readonly cpaMarginM: number;
  /** How far beyond the 10 min closest-approach horizon, s. */
  readonly horizonMarginS: number;
}

/**
 * The pipeline's: a dwell of 10 s (two and a half radar scans, so one stray radar update cannot
 * change a level); a 30 kn margin, about one and a half times the spread of a radar-only speed
 * estimate; 2 km and 1 min on the closest approach.
 */
export const DEFAULT_THREAT_HYSTERESIS: ThreatHysteresis = { dwellS: 10, speedMarginKn: 30, speedMarginSigmas: 2, cpaMarginM: 2_000, horizonMarginS: 60 };

/** No hysteresis: the level is the nominal one on every step (the behaviour before issue 15). */
export const NO_THREAT_HYSTERESIS: ThreatHysteresis = { dwellS: 0, speedMarginKn: 0, speedMarginSigmas: 0, cpaMarginM: 0, horizonMarginS: 0 };

/** What a track's threat depends on besides its current kinematics. */
export interface HeldThreat {
  readonly level: ThreatLevel;
  /** Run time since which the nominal level has differed from `level` on every step, s. */
  readonly awaySince: number | undefined;
}

/** The speed margin for a track whose speed variance is `speedVar` ((m/s)²), kn. */
export function speedMarginKn(speedVar: number, h: ThreatHysteresis): number {
  return Math.max(h.speedMarginKn, (h.speedMarginSigmas * Math.sqrt(Math.max(speedVar, 0))) / KNOT);
}

/** The band edges moved outward from the held level's band by the margins: leaving it takes a clear crossing. */
export function bandsAround(level: ThreatLevel, h: ThreatHysteresis, speedVar = 0): ThreatBands {
  const n = NOMINAL_BANDS;
  const m = speedMarginKn(speedVar, h);
  switch (level) {
    case 'none':
      return { ...n, civilianMaxKn: n.civilianMaxKn + m };
    case 'high':
      return { ...n, militaryMinKn: n.militaryMinKn - m };
    case 'low':
      // Becoming medium takes a closer approach, sooner.
      return { civilianMaxKn: n.civilianMaxKn - m, militaryMinKn: n.militaryMinKn + m, cpaDistanceM: n.cpaDistanceM - h.cpaMarginM, cpaHorizonS: n.cpaHorizonS - h.horizonMarginS };
    case 'medium':
      return { civilianMaxKn: n.civilianMaxKn - m, militaryMinKn: n.militaryMinKn + m, cpaDistanceM: n.cpaDistanceM + h.cpaMarginM, cpaHorizonS: n.cpaHorizonS + h.horizonMarginS };
  }
}

/**
 * The threat level of a track at run time `t` (s), given what it held (undefined for a track
 * seen for the first time: it takes the nominal level). Pure: the same inputs give the same
 * level on every node.
 */
export function holdThreat(held: HeldThreat | undefined, k: Kinematics, assets: readonly { x: number; y: number }[], t: number, h: ThreatHysteresis): HeldThreat {
  const nominal = threatLevelOf(k, assets);
  if (!held) return { level: nominal, awaySince: undefined };
  if (nominal === held.level) return held.awaySince === undefined ? held : { level: held.level, awaySince: undefined };
  const awaySince = held.awaySince ?? t;
  if (t - awaySince >= h.dwellS || threatLevelOf(k, assets, bandsAround(held.level, h, k.speedVar)) !== held.level) return { level: nominal, awaySince: undefined };
  return held.awaySince === awaySince ? held : { level: held.level, awaySince };
}
