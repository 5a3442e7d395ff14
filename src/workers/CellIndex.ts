/**
 * The grid the tracker searches neighbours in: 4 km cells, each a small integer key, and an
 * index of items by cell rebuilt on every scan without garbage.
 */

/** Side of a grid cell, m. */
export const GRID_M = 4_000;

/**
 * Items 0..n−1 bucketed by grid cell for neighbour searches, rebuilt on every scan without
 * garbage: a hash table in typed arrays (open addressing, linear probing) from cell key to the
 * cell's first item, and a chain through the rest. A Map and an array per cell, rebuilt each
 * scan, cost a fresh table and ≈ 1,000 arrays a scan, and a hashed lookup per cell visited.
 */
export class CellIndex {
  /** Cell key per slot, valid where `heads` is not −1. */
  private keys = new Int32Array(0);
  /** First item of the slot's cell, −1 for an empty slot. */
  private heads = new Int32Array(0);
  /** 32 − log2(slots): a key's home slot is the top bits of its multiplicative hash. */
  private shift = 32;
  private nextOf = new Int32Array(0);

  /** Empties the index for items below n. */
  clear(n: number): void {
    // At most half full, so probes stay short.
    let slots = 16;
    while (slots < 2 * n) slots *= 2;
    if (slots > this.heads.length) {
      this.keys = new Int32Array(slots);
      this.heads = new Int32Array(slots);
      this.shift = 32 - Math.log2(slots);
    }
    this.heads.fill(-1);
    if (this.nextOf.length < n) this.nextOf = new Int32Array(n * 2);
  }

  /** Puts item i first in its cell's chain (so add items back to front to list them in order). */
  addFront(key: number, i: number): void {
    const s = this.slot(key);
    this.nextOf[i] = this.heads[s]!;
    this.keys[s] = key;
    this.heads[s] = i;
  }

  /** The first item in a cell, or −1. */
  first(key: number): number {
    return this.heads[this.slot(key)]!;
  }

  /** The item after i in its cell, or −1. */
  next(i: number): number {
    return this.nextOf[i]!;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private slot(key: number): number {
    const mask = this.heads.length - 1;
    let s = Math.imul(key, 0x9e3779b1) >>> this.shift;
    while (this.heads[s] !== -1 && this.keys[s] !== key) s = (s + 1) & mask;
    return s;
  }
}

/**
 * One small integer per cell: V8 keeps integers below 2^30 unboxed, and a Map keyed by boxed
 * numbers hashes and allocates a heap number on every lookup (≈ 9 lookups per track per scan).
 * Indices are clamped to ±16,383 cells (±65,000 km, beyond any local frame): a clamped point
 * only shares an edge cell with far-away ones, which gating then rejects.
 */
export function cellKey(gx: number, gy: number): number {
  const clamp = (g: number): number => Math.max(-16_383, Math.min(16_383, g)) + 16_384;
  return clamp(gx) * 32_768 + clamp(gy);
}

/** The key of the cell holding a point of the tracker's frame, m. */
export function cell(x: number, y: number): number {
  return cellKey(Math.floor(x / GRID_M), Math.floor(y / GRID_M));
}
