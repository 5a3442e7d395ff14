/**
 * The Tasks tab's rows: every task the node's board holds, with its journal and the intercept
 * geometry between its asset and its target (while both are known), latest activity first.
 */
import type { LatticeNode } from '../peer/LatticeNode.js';
import type { TaskRow } from './panels/TasksPanel.js';
import { interceptGeometry } from './rangeBearing.js';

export function readTaskRows(node: LatticeNode | undefined): TaskRow[] {
  if (!node) return [];
  return node.tasks
    .list()
    .map((t) => {
      const asset = node.store.get(t.assetId);
      const target = node.store.get(t.targetId);
      return { ...t, journal: node.store.journal(t.id), geometry: asset && target ? interceptGeometry(asset, target) : undefined };
    })
    .sort((a, b) => (b.journal[0]?.at.wall ?? 0) - (a.journal[0]?.at.wall ?? 0));
}
