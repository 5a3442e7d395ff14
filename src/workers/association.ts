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

/**
 * Gated pairs in parallel typed arrays, refilled scan after scan: a 1,000-track scan gates
 * about 1,500 pairs, and an object per pair was garbage by the next scan.
 */
export class PairList {
  track = new Int32Array(256);
  obs = new Int32Array(256);
  cost = new Float64Array(256);
  length = 0;

  static of(pairs: readonly GatedPair[]): PairList {
    const list = new PairList();
    for (const p of pairs) list.push(p.track, p.obs, p.cost);
    return list;
  }

  clear(): void {
    this.length = 0;
  }

  push(track: number, obs: number, cost: number): void {
    if (this.length === this.track.length) this.grow();
    this.track[this.length] = track;
    this.obs[this.length] = obs;
    this.cost[this.length] = cost;
    this.length++;
  }

  private grow(): void {
    const n = this.track.length * 2;
    const track = new Int32Array(n);
    const obs = new Int32Array(n);
    const cost = new Float64Array(n);
    track.set(this.track);
    obs.set(this.obs);
    cost.set(this.cost);
    this.track = track;
    this.obs = obs;
    this.cost = cost;
  }
}

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
export function assignGlobal(trackCount: number, obsCount: number, pairs: readonly GatedPair[] | PairList, missCost: ArrayLike<number>): Int32Array {
  const list = pairs instanceof PairList ? pairs : PairList.of(pairs);
  const result = new Int32Array(trackCount).fill(-1);
  if (list.length === 0) return result;
  // Nodes 0..T-1 are tracks, T..T+O-1 observations.
  const uf = new UnionFind(trackCount + obsCount);
  for (let k = 0; k < list.length; k++) uf.union(list.track[k]!, trackCount + list.obs[k]!);
  const size = new Int32Array(trackCount + obsCount);
  for (let k = 0; k < list.length; k++) size[uf.find(list.track[k]!)]!++;
  // Clusters share no track and no observation, so the order they are solved in does not
  // matter. Most are one pair, decided at once; only the others are collected (pair indices).
  const clusters = new Map<number, number[]>();
  for (let k = 0; k < list.length; k++) {
    const track = list.track[k]!;
    const root = uf.find(track);
    if (size[root] === 1) {
      if (list.cost[k]! < missCost[track]!) result[track] = list.obs[k]!;
      continue;
    }
    const members = clusters.get(root);
    if (members) members.push(k);
    else clusters.set(root, [k]);
  }
  for (const cluster of clusters.values()) solveCluster(list, cluster, missCost, result);
  return result;
}

function solveCluster(list: PairList, cluster: readonly number[], missCost: ArrayLike<number>, result: Int32Array): void {
  const tracks = [...new Set(cluster.map((k) => list.track[k]!))];
  const obs = [...new Set(cluster.map((k) => list.obs[k]!))];
  const row = new Map(tracks.map((t, i) => [t, i]));
  const col = new Map(obs.map((o, j) => [o, j]));
  // Every track can always take its own "no observation" column, so FORBIDDEN is never forced;
  // it only has to exceed any sum of real costs in the cluster.
  let worst = 0;
  for (const t of tracks) worst += Math.abs(missCost[t]!);
  for (const k of cluster) worst += Math.abs(list.cost[k]!);
  const FORBIDDEN = worst * 4 + 1e6;
  const width = obs.length + tracks.length;
  const matrix: number[][] = tracks.map((t, i) => {
    const r = new Array<number>(width).fill(FORBIDDEN);
    r[obs.length + i] = missCost[t]!;
    return r;
  });
  for (const k of cluster) matrix[row.get(list.track[k]!)!]![col.get(list.obs[k]!)!] = list.cost[k]!;
  for (const [r, c] of munkres(matrix)) {
    if (c < obs.length && matrix[r]![c]! < FORBIDDEN) result[tracks[r]!] = obs[c]!;
  }
}

/** Plain nearest neighbour: each track takes its cheapest gated observation, shared or not. */
export function assignNearest(trackCount: number, pairs: readonly GatedPair[] | PairList): Int32Array {
  const list = pairs instanceof PairList ? pairs : PairList.of(pairs);
  const result = new Int32Array(trackCount).fill(-1);
  const best = new Float64Array(trackCount).fill(Infinity);
  for (let k = 0; k < list.length; k++) {
    const track = list.track[k]!;
    if (list.cost[k]! < best[track]!) {
      best[track] = list.cost[k]!;
      result[track] = list.obs[k]!;
    }
  }
  return result;
}
