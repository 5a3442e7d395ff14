/**
 * Which of a fused track's slow components to write on a tick.
 *
 * Position and velocity change on every tick; fusion, classification and threat rarely do in
 * the form a reader would notice. Rewriting them every second would cost up to 1,000 writes a
 * tick at 1,000 tracks, on every link of the mesh, so each is written only when its reduced form
 * (below) differs from the one last written.
 */
import type { Components, ThreatLevel } from '../crdt/index.js';

/**
 * The slow components reduced to what a reader would notice: confidence in steps of 0.1,
 * ellipse axes in steps of 20 % above 10 m, orientation in 10° steps (and only for an ellipse
 * that is not nearly round). A steady track's ellipse breathes by a few metres between radar
 * and EO updates and its confidence dips at each missed plot. Kept as numbers, not text, so
 * reducing 1,000 tracks a tick builds no strings.
 */
export interface SlowParts {
  readonly confidence: number;
  readonly major: number;
  readonly minor: number;
  /** Orientation step, or -1 for a nearly round ellipse. */
  readonly oriented: number;
  readonly sourceIds: readonly string[];
  readonly label: string;
  readonly labelConfidence: number;
  readonly threat: ThreatLevel;
}

const LOG_STEP = Math.log(1.2);

export function slowParts(c: Components): SlowParts {
  const f = c.fusion!;
  const axis = (m: number): number => Math.round(Math.log(Math.max(m, 10)) / LOG_STEP);
  return {
    confidence: Math.round(f.confidence * 10),
    major: axis(f.errorMajorM),
    minor: axis(f.errorMinorM),
    oriented: f.errorMajorM > 1.2 * f.errorMinorM && f.errorMajorM > 10 ? Math.round(f.errorOrientationDeg / 10) % 18 : -1,
    sourceIds: f.sourceIds,
    label: c.classification!.label,
    labelConfidence: Math.round(c.classification!.confidence * 10),
    threat: c.threat!.level,
  };
}

/**
 * Position and velocity always, the rest only when its reduced form changed since `previous`
 * (everything when nothing was written yet): a write that repeats the document costs bytes on
 * every link of the mesh and time in every replica.
 */
export function changedOnly(previous: SlowParts | undefined, now: SlowParts, c: Components): Components {
  const out: Components = { position: c.position!, velocity: c.velocity! };
  if (!previous || !sameFusion(previous, now)) out.fusion = c.fusion!;
  if (previous?.label !== now.label || previous.labelConfidence !== now.labelConfidence) out.classification = c.classification!;
  if (previous?.threat !== now.threat) out.threat = c.threat!;
  return out;
}

function sameFusion(a: SlowParts, b: SlowParts): boolean {
  if (a.confidence !== b.confidence || a.major !== b.major || a.minor !== b.minor || a.oriented !== b.oriented) return false;
  if (a.sourceIds.length !== b.sourceIds.length) return false;
  for (let i = 0; i < a.sourceIds.length; i++) if (a.sourceIds[i] !== b.sourceIds[i]) return false;
  return true;
}
