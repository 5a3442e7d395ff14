/**
 * The short name an operator reads and says aloud for an entity: a callsign when it has one, a
 * track number otherwise. Used on the map labels, the approval queue and its history, the track
 * list, the inspector and the task list, so one track is called the same everywhere.
 *
 * Track numbers ("TN 04127") are a pure function of the entity id (FNV-1a), so every node and
 * every reload gives a track the same number with nothing written to the document. Five digits
 * keep two of a handful of pending requests from sharing a number (about 1 in 10,000 for five);
 * in a picture of thousands two tracks may share one, so the id stays one hover away.
 */
import { fnv1a32, type EntityView } from '../crdt/index.js';

/** Scenario runs prefix the entities they create (src/workers/Pipeline.ts); the rest is the name. */
const SCENARIO_PREFIX = 'scn.';


/** "TN 04127": the track number of an entity id. */
export function trackNumber(entityId: string): string {
  return `TN ${String(fnv1a32(entityId) % 100_000).padStart(5, '0')}`;
}

/**
 * The callsign of an entity, if it has one: assets are named by whoever placed them (a scenario's
 * "base-north"), geo points by their label, tracks are not (their ids are hashes of sensor ids).
 */
export function callsignOf(view: EntityView): string | undefined {
  if (view.type !== 'asset' && view.type !== 'geo') return undefined;
  // A geo point is called what the operator named it (its label), so it can be renamed.
  if (view.type === 'geo' && view.components.classification) return view.components.classification.label;
  return view.id.startsWith(SCENARIO_PREFIX) ? view.id.slice(SCENARIO_PREFIX.length) : view.id;
}

/** What to call an entity on screen. */
export function trackName(view: EntityView): string {
  return callsignOf(view) ?? trackNumber(view.id);
}
