/**
 * Which of a fused track's slow components to write on a tick.
 *
 * Position and velocity change on every tick; fusion, classification and threat rarely do in a
 * way a reader would notice. Rewriting them every second would cost up to 1,000 writes a tick
 * at 1,000 tracks, on every link of the mesh, so each is written only when it has moved out of
 * a dead-band around the value last written:
 * - confidences (of the fusion and of the classification) by 0.1 or more;
 * - an error-ellipse axis by a factor of 1.2 or more (axes below 10 m count as 10 m);
 * - the ellipse's orientation by 10° or more, and only for an ellipse that is not nearly round
 *   (major > 1.2 × minor and > 10 m), whose orientation means something;
 * - the source ids, the label and the threat level on any change.
 *
 * So the document is always within those bounds of the estimate. A band around the last
 * written value, not fixed steps: a steady track's confidence sits near 0.85 (a hit on every
 * EO scan, a miss on one radar scan in ten) and with rounding to tenths it crossed the 0.85
 * step on most ticks, which made nearly 300 of 1,000 tracks rewrite their fusion every second.
 */
import type { Classification, Components, Fusion, Threat } from '../crdt/index.js';

/** The slow components of one track as last written. */
export interface SlowParts {
  readonly fusion: Fusion;
  readonly classification: Classification;
  readonly threat: Threat;
}

const CONFIDENCE_BAND = 0.1;
const AXIS_BAND = Math.log(1.2);
const ORIENTATION_BAND_DEG = 10;

/**
 * The components to write for a track (position and velocity always, each slow one when it
 * left its band, everything when nothing was written yet), and the slow parts the document
 * holds afterwards.
 */
export function changedOnly(previous: SlowParts | undefined, c: Components): { write: Components; written: SlowParts } {
  const write: Components = { position: c.position!, velocity: c.velocity! };
  const fusion = previous && !fusionMoved(previous.fusion, c.fusion!) ? previous.fusion : (write.fusion = c.fusion!);
  const classification =
    previous && !classificationMoved(previous.classification, c.classification!) ? previous.classification : (write.classification = c.classification!);
  const threat = previous?.threat.level === c.threat!.level ? previous.threat : (write.threat = c.threat!);
  return { write, written: { fusion, classification, threat } };
}

function fusionMoved(was: Fusion, now: Fusion): boolean {
  if (Math.abs(now.confidence - was.confidence) >= CONFIDENCE_BAND) return true;
  if (axisMoved(was.errorMajorM, now.errorMajorM) || axisMoved(was.errorMinorM, now.errorMinorM)) return true;
  const oriented = isOriented(now);
  if (oriented !== isOriented(was)) return true;
  if (oriented && orientationDiffDeg(was.errorOrientationDeg, now.errorOrientationDeg) >= ORIENTATION_BAND_DEG) return true;
  if (was.sourceIds.length !== now.sourceIds.length) return true;
  for (let i = 0; i < now.sourceIds.length; i++) if (was.sourceIds[i] !== now.sourceIds[i]) return true;
  return false;
}

function classificationMoved(was: Classification, now: Classification): boolean {
  return was.label !== now.label || Math.abs(now.confidence - was.confidence) >= CONFIDENCE_BAND;
}

function axisMoved(was: number, now: number): boolean {
  return Math.abs(Math.log(Math.max(now, 10)) - Math.log(Math.max(was, 10))) >= AXIS_BAND;
}

function isOriented(f: Fusion): boolean {
  return f.errorMajorM > 1.2 * f.errorMinorM && f.errorMajorM > 10;
}

/** Difference of two axis orientations, which repeat every 180°, degrees in [0, 90]. */
function orientationDiffDeg(a: number, b: number): number {
  const d = Math.abs(a - b) % 180;
  return Math.min(d, 180 - d);
}
