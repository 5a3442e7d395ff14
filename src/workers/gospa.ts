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
  const { firsts, next } = clusters(truth, estimates, c);
  const at = (i: number): Position => (i < truth.length ? truth[i]! : estimates[i - truth.length]!);
  for (const first of firsts) {
    const second = next[first]!;
    if (second < 0) continue; // a lone point: a missed target or a false track
    // The common case in a well-spread picture: one truth and one estimate (always closer than c).
    if (next[second]! < 0 && first < truth.length && second >= truth.length) {
      localisation += distanceM(at(first), at(second)) ** p;
      assigned++;
      continue;
    }
    const clusterTruth: Position[] = [];
    const clusterEstimates: Position[] = [];
    for (let i = first; i >= 0; i = next[i]!) (i < truth.length ? clusterTruth : clusterEstimates).push(at(i));
    const rows = clusterTruth.length <= clusterEstimates.length ? clusterTruth : clusterEstimates;
    const cols = rows === clusterTruth ? clusterEstimates : clusterTruth;
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

/**
 * The clusters of points (truth 0..T−1, then estimates T..) linked by truth–estimate distances
 * below c, as chains: `firsts` holds each cluster's smallest point in ascending order, and
 * `next` leads from a point to the next larger one of its cluster (−1 at the end). Chains, not
 * an array pair per cluster: a 1,000-target picture has about 1,000 clusters per score.
 */
function clusters(truth: readonly Position[], estimates: readonly Position[], c: number): { firsts: number[]; next: Int32Array } {
  const nTruth = truth.length;
  const n = nTruth + estimates.length;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  // Grid in degrees sized so one cell spans at least c in both axes at these latitudes.
  const cellLat = c / 110_000;
  let maxLat = 0;
  for (const q of truth) maxLat = Math.max(maxLat, Math.abs(q.lat));
  for (const q of estimates) maxLat = Math.max(maxLat, Math.abs(q.lat));
  maxLat = Math.min(89, maxLat);
  const cellLon = c / (111_000 * Math.cos((maxLat * Math.PI) / 180));
  // Only truth–estimate links matter, so only estimates go into the grid: by cell, the first
  // estimate and a chain through the rest. Cell indices stay within ±2^20 for c ≥ 1 m, so one
  // number keys a cell.
  const key = (gy: number, gx: number): number => (gy + 2 ** 20) * 2 ** 22 + (gx + 2 ** 21);
  const cellHead = new Map<number, number>();
  const inCell = new Int32Array(n).fill(-1);
  for (let j = nTruth; j < n; j++) {
    const q = estimates[j - nTruth]!;
    const k = key(Math.floor(q.lat / cellLat), Math.floor(q.lon / cellLon));
    inCell[j] = cellHead.get(k) ?? -1;
    cellHead.set(k, j);
  }
  for (let i = 0; i < nTruth; i++) {
    const q = truth[i]!;
    const gy = Math.floor(q.lat / cellLat);
    const gx = Math.floor(q.lon / cellLon);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (let j = cellHead.get(key(gy + dy, gx + dx)) ?? -1; j >= 0; j = inCell[j]!) {
          if (distanceM(q, estimates[j - nTruth]!) >= c) continue;
          parent[find(i)] = find(j);
        }
      }
    }
  }
  // Which clusters link is independent of the order links were found in; each cluster's chain
  // is built in ascending point order, and clusters are listed by their smallest point.
  const firsts: number[] = [];
  const next = new Int32Array(n).fill(-1);
  const last = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const root = find(i);
    if (last[root]! < 0) firsts.push(i);
    else next[last[root]!] = i;
    last[root] = i;
  }
  return { firsts, next };
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
