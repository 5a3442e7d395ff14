/**
 * What a confirmed fused track is written as: position and velocity from the filter, the
 * fusion component (confidence, error ellipse, the sources that fed it recently), the threat
 * level held against flapping, the classification that follows from it, and source `fused`.
 */
import type { Components } from '../crdt/index.js';
import { classificationFor } from './classify.js';
import { headingOf } from './geo.js';
import { errorEllipse, type Mat4, type Vec4 } from './kalman.js';
import type { RunState } from './runState.js';
import { holdThreat, type ThreatHysteresis } from './threatHysteresis.js';
import type { Track } from './track.js';

/** The sensor id of what fusion writes. */
export const FUSION_SENSOR = 'fusion';

/**
 * The components of `track` at run time `t`; updates the track's held threat in `state`.
 * `scratch` receives the predicted state (no allocation: this runs for every track every step).
 */
export function fusedComponents(state: RunState, track: Track, t: number, scratch: { x: Vec4; P: Mat4 }, hysteresis: ThreatHysteresis): Components {
  const { x, P } = state.tracker.stateAt(track, t, scratch);
  const speed = Math.hypot(x[2]!, x[3]!);
  // Variance of the speed along the velocity direction.
  const ux = speed > 0 ? x[2]! / speed : 0;
  const uy = speed > 0 ? x[3]! / speed : 0;
  const speedVar = ux * ux * P[10]! + 2 * ux * uy * P[11]! + uy * uy * P[15]!;
  const ellipse = errorEllipse(P);
  const kinematics = { x: x[0]!, y: x[1]!, vx: x[2]!, vy: x[3]!, speedVar };
  const held = holdThreat(state.threats.get(track.id), kinematics, state.assets, t, hysteresis);
  state.threats.set(track.id, held);
  const classification = classificationFor(held.level, kinematics);
  const threat = { level: held.level };
  // Sorted by insertion: this runs for every confirmed track on every tick, and the chained
  // copies and Array.prototype.sort (which allocates its work space even for two ids) were
  // a tenth of the tick's allocations at 1,000 tracks. A track has a handful of sources.
  const sources: string[] = [];
  for (const [id, link] of track.sources) {
    if (t - link.lastSeen > state.tracker.options.maxCoastS) continue;
    let i = sources.length;
    sources.push(id);
    for (; i > 0 && sources[i - 1]! > id; i--) sources[i] = sources[i - 1]!;
    sources[i] = id;
  }
  if (sources.length > 32) sources.length = 32;
  return {
    position: state.frame.toGeo(x[0]!, x[1]!),
    velocity: { speed: Math.min(speed, 3_000), heading: headingOf(x[2]!, x[3]!) },
    fusion: {
      sourceIds: sources.length > 0 ? sources : [FUSION_SENSOR],
      confidence: Math.round(track.quality * 1000) / 1000,
      errorMajorM: Math.min(ellipse.major, 1_000_000),
      errorMinorM: Math.min(ellipse.minor, 1_000_000),
      errorOrientationDeg: ellipse.orientationDeg,
    },
    classification,
    threat,
    source: { sensorId: FUSION_SENSOR, sensorType: 'fused' },
  };
}
