/**
 * Data association: which observation updates which track.
 *
 * Global nearest neighbour (GNN): gated pairs are split into independent clusters (tracks and
 * observations linked through shared gates) and each cluster is solved as a rectangular
 * assignment problem with the `munkres` library (chosen by measurement: docs/assignment-choice.md).
 * Each track also has a private "no observation" column priced at its gate, so a track takes an
 * observation only when that beats leaving both unassigned (Blackman & Popoli, "Design and
 * Analysis of Modern Tracking Systems", 1999, §6.5).
 *
 * Plain nearest neighbour (NN), the baseline: each track independently takes its closest gated
 * observation, so two tracks may take the same one; this is what merges closely spaced tracks.
 */
import { munkres } from 'munkres';

/** A track–observation pair that passed the gate, with its cost (−2 log likelihood up to a constant). */
export interface GatedPair {
  readonly track: number;
  readonly obs: number;
  readonly cost: number;
}

/** 99.9 % chi-square quantile with 2 degrees of freedom: a true pair fails the gate 1 time in 1,000. */
export const GATE_CHI2_2DOF = 13.82;

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[ra] = rb;
  }
}

/**
 * Global nearest neighbour. `missCost[t]` is what leaving track t unassigned costs. Returns
 * obs index per track (−1 when none); each observation goes to at most one track.
 */
export function assignGlobal(trackCount: number, obsCount: number, pairs: readonly GatedPair[], missCost: ArrayLike<number>): Int32Array {
  const result = new Int32Array(trackCount).fill(-1);
  if (pairs.length === 0) return result;
  // Nodes 0..T-1 are tracks, T..T+O-1 observations.
  const uf = new UnionFind(trackCount + obsCount);
  for (const p of pairs) uf.union(p.track, trackCount + p.obs);
  const size = new Int32Array(trackCount + obsCount);
  for (const p of pairs) size[uf.find(p.track)]!++;
  // Clusters share no track and no observation, so the order they are solved in does not
  // matter. Most are one pair, decided at once; only the others are collected.
  const clusters = new Map<number, GatedPair[]>();
  for (const p of pairs) {
    const root = uf.find(p.track);
    if (size[root] === 1) {
      if (p.cost < missCost[p.track]!) result[p.track] = p.obs;
      continue;
    }
    const list = clusters.get(root);
    if (list) list.push(p);
    else clusters.set(root, [p]);
  }
  for (const cluster of clusters.values()) solveCluster(cluster, missCost, result);
  return result;
}

function solveCluster(cluster: readonly GatedPair[], missCost: ArrayLike<number>, result: Int32Array): void {
  const tracks = [...new Set(cluster.map((p) => p.track))];
  const obs = [...new Set(cluster.map((p) => p.obs))];
  const row = new Map(tracks.map((t, i) => [t, i]));
  const col = new Map(obs.map((o, j) => [o, j]));
  // Every track can always take its own "no observation" column, so FORBIDDEN is never forced;
  // it only has to exceed any sum of real costs in the cluster.
  let worst = 0;
  for (const t of tracks) worst += Math.abs(missCost[t]!);
  for (const p of cluster) worst += Math.abs(p.cost);
  const FORBIDDEN = worst * 4 + 1e6;
  const width = obs.length + tracks.length;
  const matrix: number[][] = tracks.map((t, i) => {
    const r = new Array<number>(width).fill(FORBIDDEN);
    r[obs.length + i] = missCost[t]!;
    return r;
  });
  for (const p of cluster) matrix[row.get(p.track)!]![col.get(p.obs)!] = p.cost;
  for (const [r, c] of munkres(matrix)) {
    if (c < obs.length && matrix[r]![c]! < FORBIDDEN) result[tracks[r]!] = obs[c]!;
  }
}

/** Plain nearest neighbour: each track takes its cheapest gated observation, shared or not. */
export function assignNearest(trackCount: number, pairs: readonly GatedPair[]): Int32Array {
  const result = new Int32Array(trackCount).fill(-1);
  const best = new Float64Array(trackCount).fill(Infinity);
  for (const p of pairs) {
    if (p.cost < best[p.track]!) {
      best[p.track] = p.cost;
      result[p.track] = p.obs;
    }
  }
  return result;
}
