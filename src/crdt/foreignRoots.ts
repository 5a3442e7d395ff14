/**
 * Empties every root of a document that its layout does not have. Admission keeps such content
 * out of the mesh document; this removes what a node stored before admission existed (or what
 * reached its own document another way), so it does not stay in IndexedDB for ever. Deleted
 * items are collected by Yjs (only their ids, and the keys of map entries, remain).
 */
import * as Y from 'yjs';
import type { DocLayout } from './docLayout.js';

/** Deletes the content of every root not in `layout`; returns how many items were deleted. */
export function clearForeignRoots(doc: Y.Doc, layout: DocLayout): number {
  let deleted = 0;
  const foreign = [...doc.share].filter(([name]) => !layout.has(name));
  if (foreign.length === 0) return 0;
  doc.transact((transaction) => {
    for (const [, type] of foreign) {
      for (let item = type._start; item !== null; item = item.right) {
        if (!item.deleted) {
          item.delete(transaction);
          deleted++;
        }
      }
      for (const item of type._map.values()) {
        if (!item.deleted) {
          item.delete(transaction);
          deleted++;
        }
      }
    }
  });
  return deleted;
}
