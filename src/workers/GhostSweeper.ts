/**
 * Removes the tracks of runs that are no longer the mesh's (`runIds.ts` says which they are).
 *
 * Who removes: the node computing the current run (it is the one writing the run's picture, so
 * its deletes race with nobody's writes on its side), and, while no node computes (the run has
 * finished, or none is loaded), every node; concurrent deletes of one entity merge into one.
 * When: a ghost of a run this node has seen as the mesh's goes at once; one of a run it never
 * saw goes once nobody has moved it for `quietMs`.
 */
import type { EntityStore } from '../crdt/index.js';
import { isGhost, lastMoved, runTagOf } from './runIds.js';

export interface GhostSweeperOptions {
  /**
   * A ghost of a run this node never saw as the mesh's is removed only once nobody has moved it
   * for this long, ms. Such tracks may be a newer run's whose entry has not reached this
   * node yet (updates travel in classes and can overtake one another); a run being computed
   * moves its tracks every few seconds, a replaced one stops once its node hears of the
   * replacement. Default 10 s.
   */
  readonly quietMs?: number;
}

export const DEFAULT_GHOST_QUIET_MS = 10_000;

/**
 * Remembers the runs this node has seen as current and the ids worth looking at: everything at
 * a full sweep, then what arrives and any ghost still waiting out `quietMs`.
 */
export class GhostSweeper {
  private readonly quietMs: number;
  /** Tags of runs this node has seen as the mesh's current run. */
  private readonly seen = new Set<string>();
  /** Ids to look at on the next sweep. */
  private readonly candidates = new Set<string>();
  private full = true;
  private currentTag: string | undefined;

  constructor(
    private readonly store: EntityStore,
    options: GhostSweeperOptions = {},
  ) {
    this.quietMs = options.quietMs ?? DEFAULT_GHOST_QUIET_MS;
  }

  /** The mesh's current run as this node reads it (undefined: none). A change asks for a full sweep. */
  setCurrent(tag: string | undefined): void {
    if (tag === this.currentTag) return;
    if (this.currentTag !== undefined) this.seen.add(this.currentTag);
    if (tag !== undefined) this.seen.add(tag);
    this.currentTag = tag;
    this.full = true;
  }

  /** An entity was written or arrived: look at it on the next sweep. */
  noteChanged(id: string): void {
    if (runTagOf(id) !== undefined) this.candidates.add(id);
  }

  /** Looks at every entity on the next sweep. */
  requestFullSweep(): void {
    this.full = true;
  }

  /**
   * Forgets the ids noted so far and looks at everything on the next sweep: for a node that
   * stands by while another removes the ghosts (what it would note meanwhile is every track the
   * computing node writes, ids of tracks long gone among them).
   */
  standBy(): void {
    this.candidates.clear();
    this.full = true;
  }

  /**
   * Deletes the ghosts that are due, in the caller's transaction; `remove` does the deleting and
   * says whether it could (the caller sets a failing one aside). Returns the ids removed.
   */
  sweep(now: number, remove: (id: string) => boolean): string[] {
    const ids = this.full ? this.store.ids('track') : [...this.candidates];
    this.full = false;
    this.candidates.clear();
    const removed: string[] = [];
    for (const id of ids) {
      const view = this.store.get(id);
      if (!view || !isGhost(view, this.currentTag)) continue;
      const tag = runTagOf(id)!;
      if (this.seen.has(tag) || now - lastMoved(view) >= this.quietMs) {
        if (remove(id)) removed.push(id);
      } else {
        // Perhaps a newer run not yet heard of: looked at again until it is quiet or known.
        this.candidates.add(id);
      }
    }
    return removed;
  }

  /** Ids waiting to be looked at again (ghosts of unknown runs still being written). */
  get waiting(): number {
    return this.candidates.size;
  }
}
