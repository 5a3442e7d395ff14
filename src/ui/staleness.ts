/**
 * How old a track's picture is. A track a sensor or the fusion feeds (it has a `source` or
 * `fusion` component) is expected to be updated about once a second; one whose position has not
 * changed hands for `STALE_AFTER_MS` is shown stale (dimmed, with its age), and after
 * `GONE_AFTER_MS` it leaves the picture (the map and the track list; the store keeps it, and it
 * comes back if it is updated). Tracks an operator placed, assets and points are never stale.
 * Age is read from the position's HLC stamp against this node's clock, so it is the same on
 * every node whose clock agrees with the mesh.
 */
import type { EntityView } from '../crdt/index.js';

export const STALE_AFTER_MS = 10_000;
export const GONE_AFTER_MS = 120_000;

export type Freshness = 'live' | 'stale' | 'gone';

/** Whether `view` is fed by sensors, so that silence means it is out of date. */
export function isSensorFed(view: EntityView): boolean {
  return view.type === 'track' && (view.components.source !== undefined || view.components.fusion !== undefined);
}

/** When `view`'s position last changed (HLC wall ms), or undefined if it never ages. */
export function updatedAt(view: EntityView): number | undefined {
  return isSensorFed(view) ? view.stamps.position?.wall : undefined;
}

export function freshness(updated: number | undefined, now: number): Freshness {
  if (updated === undefined) return 'live';
  const age = now - updated;
  return age >= GONE_AFTER_MS ? 'gone' : age >= STALE_AFTER_MS ? 'stale' : 'live';
}
