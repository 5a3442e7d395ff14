/**
 * Which run produced an entity, read from its id, and which entities of other runs are ghosts.
 *
 * A run's sensor tracks and fused tracks carry the run in their ids (`eo.<tag>.<track number>`,
 * `fus.<tag>.<hash>`, where the tag is a hash of the run id). An id is the one thing about an
 * entity no write can change, so:
 * - the run an entity belongs to can be told even when only some of its components survive (a
 *   track deleted on one side of a partition and updated on the other comes back after the heal
 *   with just the components written after the delete: no `source`, so nothing else says it is
 *   the pipeline's; that is how 19 tracks of a replaced run stayed on every node, issue 15);
 * - a peer cannot make a live track of the current run look like another run's, so the rule
 *   below cannot be turned against the current picture; entities without a run's id (an
 *   operator's tracks, a real sensor's) are never ghosts.
 *
 * The rule is a pure function of the entity and the mesh's current run, so every node judges
 * the same entity the same way (`isGhost`); `GhostSweeper` decides when a node acts on it.
 */
import { fnv1a64, type EntityView, type SensorType } from '../crdt/index.js';

/** Prefix of fused track ids. */
export const FUSED_PREFIX = 'fus.';
/** Prefix of the simulated EO sensors' track ids. */
export const EO_PREFIX = 'eo.';
const TAGGED = /^(?:fus|eo)\.([0-9a-f]{8})\./;

/** The short tag naming a run in its entities' ids (8 hex digits of a hash of the run id). */
export function runTag(runId: string): string {
  return fnv1a64(`run|${runId}`).slice(0, 8);
}

/** The id under which a run writes a simulated EO sensor's track (`ref` is its track number, `eo-1.T…`). */
export function eoTrackId(tag: string, ref: string): string {
  return `${EO_PREFIX}${tag}.${ref}`;
}

/** The prefix of the fused track ids a run writes. */
export function fusedIdPrefix(tag: string): string {
  return `${FUSED_PREFIX}${tag}.`;
}

/** The tag of the run that wrote an entity, if its id names one. */
export function runTagOf(id: string): string | undefined {
  return TAGGED.exec(id)?.[1];
}

/**
 * Whether an entity is a track a run produced: its id names a run, and what is left of its
 * source (if anything) is the pipeline's. A track an operator created under such an id, with a
 * source of its own, is not one.
 */
export function isRunTrack(view: EntityView): boolean {
  if (view.type !== 'track' || runTagOf(view.id) === undefined) return false;
  const source = view.components.source;
  return source === undefined || (source.sensorType === 'fused' && source.sensorId === 'fusion') || source.sensorType === 'eo';
}

/** Whether an entity is a track of a run that is not the mesh's current one (`currentTag` undefined: no run). */
export function isGhost(view: EntityView, currentTag: string | undefined): boolean {
  return isRunTrack(view) && runTagOf(view.id) !== currentTag;
}

/**
 * The sensor type of a track as the run `tag` wrote it: its source's, or, when the source was
 * lost (the track was deleted on one side of a partition and updated on the other), what its
 * id says.
 */
export function runSensorType(view: EntityView, tag: string): SensorType | undefined {
  const type = view.components.source?.sensorType;
  if (type !== undefined || runTagOf(view.id) !== tag) return type;
  return view.id.startsWith(EO_PREFIX) ? 'eo' : 'fused';
}

/**
 * HLC wall time at which a run last moved a track, ms: its position's stamp (a run writes it on
 * every scan). Other writes do not count: tasking on the computing node asks about and withdraws
 * requests on any high track, a ghost too, and that does not mean its run is being computed.
 */
export function lastMoved(view: EntityView): number {
  return view.stamps.position?.wall ?? view.created.wall;
}
