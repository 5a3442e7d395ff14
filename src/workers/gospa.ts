/**
 * GOSPA: the generalised optimal sub-pattern assignment metric (Rahmathullah, García-Fernández
 * & Svensson, "Generalized optimal sub-pattern assignment metric", FUSION 2017), with α = 2:
 *
 *   d = ( min over assignments γ  Σ_(i,j)∈γ d(x_i, y_j)^p  +  c^p/2 · (|X| + |Y| − 2|γ|) )^(1/p)
 *
 * where only pairs closer than c may be assigned. With α = 2 it splits into localisation error
 * of assigned pairs, missed targets and false tracks. Positions are compared in metres on the
 * ellipsoid (`distanceM`).
 */
import { munkres } from 'munkres';
import type { Position } from '../crdt/index.js';
import { distanceM } from './geo.js';

export interface GospaParts {
  /** The metric, m. */
  readonly gospa: number;
  /** Σ d^p over assigned pairs, m^p. */
  readonly localisation: number;
  readonly missed: number;
  readonly false: number;
}

export function gospa(truth: readonly Position[], estimates: readonly Position[], c = 1_000, p = 2): GospaParts {
  const cp = c ** p;
  let localisation = 0;
  let assigned = 0;
  // Pairs at ≥ c are never assigned (assigning one costs exactly "one missed + one false"), so
  // the problem splits into clusters of points linked by distances < c, each solved alone:
  // exact, and near-linear for a picture of 1,000 well-spread targets instead of O(n³).
  for (const cluster of clusters(truth, estimates, c)) {
    if (cluster.truth.length === 1 && cluster.estimates.length === 1) {
      // The common case in a well-spread picture; linked clusters are always closer than c.
      localisation += distanceM(cluster.truth[0]!, cluster.estimates[0]!) ** p;
      assigned++;
      continue;
    }
    const rows = cluster.truth.length <= cluster.estimates.length ? cluster.truth : cluster.estimates;
    const cols = rows === cluster.truth ? cluster.estimates : cluster.truth;
    if (rows.length === 0) continue;
    const matrix = rows.map((a) => cols.map((b) => Math.min(distanceM(a, b) ** p, cp)));
    for (const [r, col] of munkres(matrix)) {
      const cost = matrix[r]![col]!;
      if (cost < cp) {
        localisation += cost;
        assigned++;
      }
    }
  }
  const missed = truth.length - assigned;
  const falseCount = estimates.length - assigned;
  return { gospa: (localisation + (cp / 2) * (missed + falseCount)) ** (1 / p), localisation, missed, false: falseCount };
}

function clusters(truth: readonly Position[], estimates: readonly Position[], c: number): { truth: Position[]; estimates: Position[] }[] {
  const points = [...truth, ...estimates];
  const n = points.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  // Grid in degrees sized so one cell spans at least c in both axes at these latitudes.
  const cellLat = c / 110_000;
  const maxLat = Math.min(89, Math.max(...points.map((q) => Math.abs(q.lat)), 0));
  const cellLon = c / (111_000 * Math.cos((maxLat * Math.PI) / 180));
  // Cell indices stay within ±2^20 for c ≥ 1 m, so one number keys a cell.
  const key = (gy: number, gx: number): number => (gy + 2 ** 20) * 2 ** 22 + (gx + 2 ** 21);
  const grid = new Map<number, number[]>();
  points.forEach((q, i) => {
    const k = key(Math.floor(q.lat / cellLat), Math.floor(q.lon / cellLon));
    const list = grid.get(k);
    if (list) list.push(i);
    else grid.set(k, [i]);
  });
  points.forEach((q, i) => {
    if (i >= truth.length) return; // only truth–estimate links matter
    const gy = Math.floor(q.lat / cellLat);
    const gx = Math.floor(q.lon / cellLon);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const j of grid.get(key(gy + dy, gx + dx)) ?? []) {
          if (j < truth.length || distanceM(q, points[j]!) >= c) continue;
          parent[find(i)] = find(j);
        }
      }
    }
  });
  const groups = new Map<number, { truth: Position[]; estimates: Position[] }>();
  points.forEach((q, i) => {
    const root = find(i);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { truth: [], estimates: [] }));
    (i < truth.length ? g.truth : g.estimates).push(q);
  });
  return [...groups.values()];
}

/** Running mean of GOSPA and its parts over the time steps of a run. */
export class GospaAverage {
  private n = 0;
  private sum = 0;
  private loc = 0;
  private missed = 0;
  private falseCount = 0;

  add(parts: GospaParts): void {
    this.n++;
    this.sum += parts.gospa;
    this.loc += parts.localisation;
    this.missed += parts.missed;
    this.falseCount += parts.false;
  }

  get steps(): number {
    return this.n;
  }

  /** Means per step; localisation as the root of its mean (m) so it reads as a distance. */
  mean(): { gospa: number; localisationM: number; missed: number; false: number } {
    const n = Math.max(this.n, 1);
    return { gospa: this.sum / n, localisationM: Math.sqrt(this.loc / n), missed: this.missed / n, false: this.falseCount / n };
  }
}
