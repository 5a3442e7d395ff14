/**
 * Finds fused tracks that describe one object: two confirmed tracks whose states agree within
 * their uncertainty for several scans running (a late duplicate, or the same object fused on
 * both sides of a partition). The one with the smaller id survives, so every node merges the
 * same way.
 */
import { CellIndex, cell, cellKey, GRID_M } from './CellIndex.js';
import { innovationInto, mahalanobis2, newInnovationScratch } from './kalman.js';
import type { Track } from './track.js';

/** Scans two confirmed tracks must look like one object before they are merged. */
const MERGE_SCANS = 3;

export class DuplicateMerger {
  /** Scans running each pair (`a.id|b.id`) has looked like one object. */
  private readonly mergeCounts = new Map<string, number>();
  /** Confirmed tracks by grid cell. */
  private readonly grid = new CellIndex();
  private readonly scratch = newInnovationScratch();
  /** Covariance of the other track in a merge test. */
  private readonly cov = { ee: 0, en: 0, nn: 0 };

  /**
   * Compares every confirmed track with its neighbours; for each pair seen often enough calls
   * `merge(survivor, duplicate)`, which must take the duplicate out of `live`. Returns the ids
   * of the duplicates.
   */
  run(live: ReadonlyMap<string, Track>, merge: (survivor: Track, duplicate: Track) => void): string[] {
    const confirmed: Track[] = [];
    for (const t of live.values()) if (t.status === 'confirmed') confirmed.push(t);
    const grid = this.grid;
    grid.clear(confirmed.length);
    // Back to front: each cell's chain then lists tracks in `confirmed` order.
    for (let k = confirmed.length - 1; k >= 0; k--) grid.addFront(cell(confirmed[k]!.x[0]!, confirmed[k]!.x[1]!), k);
    const seen = new Set<string>();
    const deleted: string[] = [];
    for (const a of confirmed) {
      if (!live.has(a.id)) continue;
      const cx = Math.floor(a.x[0]! / GRID_M);
      const cy = Math.floor(a.x[1]! / GRID_M);
      for (let gx = cx - 1; gx <= cx + 1; gx++) {
        for (let gy = cy - 1; gy <= cy + 1; gy++) {
          for (let k = grid.first(cellKey(gx, gy)); k >= 0; k = grid.next(k)) {
            const b = confirmed[k]!;
            // The cheap velocity test first: it rejects most neighbours (other headings).
            if (!similarVelocity(a, b) || b.id <= a.id || !live.has(b.id) || !this.samePosition(a, b)) continue;
            const key = `${a.id}|${b.id}`;
            seen.add(key);
            const n = (this.mergeCounts.get(key) ?? 0) + 1;
            this.mergeCounts.set(key, n);
            if (n < MERGE_SCANS) continue;
            merge(a, b);
            deleted.push(b.id);
          }
        }
      }
    }
    for (const key of this.mergeCounts.keys()) if (!seen.has(key)) this.mergeCounts.delete(key);
    return deleted;
  }

  /** Position difference within 2 sigma of the combined covariance (with `similarVelocity`: one object). */
  private samePosition(a: Track, b: Track): boolean {
    const R = this.cov;
    R.ee = b.P[0]!;
    R.en = b.P[1]!;
    R.nn = b.P[5]!;
    return mahalanobis2(innovationInto(this.scratch, a.x, a.P, b.x[0]!, b.x[1]!, R)) <= 4;
  }
}

/** Velocities within 15 m/s (with `samePosition`: one object). */
function similarVelocity(a: Track, b: Track): boolean {
  const dvx = a.x[2]! - b.x[2]!;
  const dvy = a.x[3]! - b.x[3]!;
  return dvx * dvx + dvy * dvy < 15 * 15;
}
