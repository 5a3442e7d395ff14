/**
 * A node's identity: a stable id, a display name and a role.
 *
 * The id lives in sessionStorage, which belongs to one tab and survives its reloads;
 * localStorage would be shared by every tab of the browser, and two tabs with one id would
 * issue colliding HLC stamps. (A tab duplicated by the browser copies its sessionStorage; see
 * `loadNodeIdentity`.)
 */
import { isValidNodeId } from '../crdt/index.js';
import type { NodeIdentity, NodeRole } from './LatticeNode.js';
import { isNodeRole } from './meshConfig.js';

const KEY_ID = 'lattice.nodeId';
const KEY_NAME = 'lattice.name';
const KEY_ROLE = 'lattice.role';

/** The part of `Storage` this needs; tests pass a Map-backed one. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function newNodeId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `n${Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 12)}`;
}

/**
 * Loads this tab's identity, creating it on first use. `name` and `role`, when given (from the
 * URL), replace the stored ones and are kept for the next reload.
 */
export function loadNodeIdentity(storage: KeyValueStorage, wanted: { name?: string | undefined; role?: NodeRole | undefined } = {}): NodeIdentity {
  let nodeId = storage.getItem(KEY_ID);
  if (!isValidNodeId(nodeId)) {
    nodeId = newNodeId();
    storage.setItem(KEY_ID, nodeId);
  }
  const storedName = storage.getItem(KEY_NAME);
  const name = wanted.name ?? (storedName && storedName.length <= 40 ? storedName : `node-${nodeId.slice(-4)}`);
  const storedRole = storage.getItem(KEY_ROLE);
  const role: NodeRole = wanted.role ?? (isNodeRole(storedRole) ? storedRole : 'operator');
  storage.setItem(KEY_NAME, name);
  storage.setItem(KEY_ROLE, role);
  return { nodeId, name, role };
}
