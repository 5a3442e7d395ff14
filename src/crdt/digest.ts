/**
 * Order-independent digest of a set of entity hashes: equal on two replicas iff (with
 * overwhelming probability) they resolved the same entities identically.
 */

/** 32-bit FNV-1a of a string: small, fast, and spreads strings that differ in one character. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** 64-bit FNV-1a of a string, as 16 hex digits (two 32-bit lanes with different offsets). */
export function fnv1a64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Combines per-entity hashes with XOR so the result does not depend on iteration order. */
export function combineHashes(hashes: Iterable<string>): string {
  let hi = 0;
  let lo = 0;
  let count = 0;
  for (const h of hashes) {
    hi ^= parseInt(h.slice(0, 8), 16);
    lo ^= parseInt(h.slice(8, 16), 16);
    count++;
  }
  return `${count}:${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')}`;
}
