/**
 * Range digests over entity ids, for anti-entropy: two replicas whose Yjs sync says nothing is
 * missing but whose resolved states differ find the entities that differ by comparing hashes of
 * ranges of ids (a Merkle tree 16 wide and LEAF_DEPTH deep over a hash of each id), sending
 * only the hashes of ranges that differ, then only the entities of the leaves that differ.
 * For 1 % of 5,000 entities differing, this costs a few kilobytes, not the whole state: with
 * the entities of differing leaves, a side names the writes it holds (`crdt/writeKeys.ts`), so
 * the other sends only the signed batches holding writes that would win there, and asks for
 * the writes that would win on its side by key.
 */

/** Depth of the tree: 16^3 = 4,096 leaves. */
export const LEAF_DEPTH = 3;
import { fnv1a32 } from '../../crdt/index.js';

const HEX = '0123456789abcdef';


/** The leaf (LEAF_DEPTH hex digits) an entity id falls in. */
export function leafOf(id: string): string {
  return fnv1a32(id).toString(16).padStart(8, '0').slice(0, LEAF_DEPTH);
}

/** One replica's tree, built from its entities' hashes. */
export class RangeTree {
  /** Hash of each prefix (length 0..LEAF_DEPTH); order-independent (xor of entry hashes). */
  private readonly hashes = new Map<string, number>();
  private readonly leaves = new Map<string, Array<[string, string]>>();

  constructor(entities: Iterable<[string, string]>) {
    for (const [id, hash] of entities) {
      const leaf = leafOf(id);
      const h = fnv1a32(`${id}\u0000${hash}`);
      for (let d = 0; d <= LEAF_DEPTH; d++) {
        const prefix = leaf.slice(0, d);
        this.hashes.set(prefix, ((this.hashes.get(prefix) ?? 0) ^ h) >>> 0);
      }
      const list = this.leaves.get(leaf);
      if (list) list.push([id, hash]);
      else this.leaves.set(leaf, [[id, hash]]);
    }
  }

  /** The 16 child hashes of each prefix, packed: 4 bytes each, 64 per prefix. */
  children(prefixes: readonly string[]): Uint8Array {
    const out = new Uint8Array(prefixes.length * 64);
    const view = new DataView(out.buffer);
    prefixes.forEach((p, i) => {
      for (let c = 0; c < 16; c++) view.setUint32(i * 64 + c * 4, this.hashes.get(p + HEX[c]!) ?? 0);
    });
    return out;
  }

  /** Children of `prefixes` whose hash here differs from `theirs` (as `children` packs them). */
  differing(prefixes: readonly string[], theirs: Uint8Array): string[] {
    const out: string[] = [];
    const mine = this.children(prefixes);
    for (let i = 0; i < prefixes.length; i++) {
      for (let c = 0; c < 16; c++) {
        const at = i * 64 + c * 4;
        if (mine[at] !== theirs[at] || mine[at + 1] !== theirs[at + 1] || mine[at + 2] !== theirs[at + 2] || mine[at + 3] !== theirs[at + 3]) out.push(prefixes[i]! + HEX[c]!);
      }
    }
    return out;
  }

  /** The entities (id, hash) of the given leaves. */
  entries(leaves: readonly string[]): Array<[string, string]> {
    return leaves.flatMap((l) => this.leaves.get(l) ?? []);
  }
}

/** Ids whose hash differs between two lists of (id, hash) for the same leaves, or that one lacks. */
export function differingIds(mine: readonly (readonly [string, string])[], theirs: readonly (readonly [string, string])[]): string[] {
  const theirMap = new Map(theirs.map(([id, h]) => [id, h]));
  const out = new Set<string>();
  for (const [id, h] of mine) if (theirMap.get(id) !== h) out.add(id);
  const myIds = new Set(mine.map(([id]) => id));
  for (const [id] of theirs) if (!myIds.has(id)) out.add(id);
  return [...out];
}

/** Checks a prefix list from a peer: hex prefixes of one length below LEAF_DEPTH. */
export function validPrefixes(value: unknown): value is string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 16 ** (LEAF_DEPTH - 1)) return false;
  const length = typeof value[0] === 'string' ? value[0].length : -1;
  return length >= 0 && length < LEAF_DEPTH && value.every((p) => typeof p === 'string' && p.length === length && /^[0-9a-f]*$/.test(p));
}

export function validChildHashes(value: unknown, count: number): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === count * 64;
}

export function validLeaves(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= 16 ** LEAF_DEPTH && value.every((p) => typeof p === 'string' && p.length === LEAF_DEPTH && /^[0-9a-f]+$/.test(p));
}

export function validEntries(value: unknown): value is Array<[string, string]> {
  return Array.isArray(value) && value.length <= 200_000 && value.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && e[0].length <= 256 && typeof e[1] === 'string' && e[1].length <= 64);
}

/** Checks the write keys a peer says it holds, one list per entry (see `EntityStore.entityWriteKeys`). */
export function validHeld(value: unknown, count: number): value is string[][] {
  return Array.isArray(value) && value.length === count && value.every((keys) => Array.isArray(keys) && keys.length <= 4096 && keys.every((k) => typeof k === 'string' && k.length <= 128));
}

/** Checks what a peer asks for in a repair: entity ids, each with the keys of the writes wanted. */
export function validWant(value: unknown): value is Array<[string, string[]]> {
  return Array.isArray(value) && value.length <= 100_000 && value.every((w) => Array.isArray(w) && w.length === 2 && typeof w[0] === 'string' && w[0].length <= 256 && validHeld([w[1]], 1));
}
