/**
 * A node's identity: a stable id, a display name and a role.
 *
 * The id lives in sessionStorage, which belongs to one tab and survives its reloads;
 * localStorage would be shared by every tab of the browser, and two tabs with one id would
 * issue colliding HLC stamps. A tab duplicated by the browser copies its sessionStorage, so
 * `claimNodeIdentity` also holds a Web Lock on the id and takes a new one if another tab has it.
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

/**
 * How long a tab waits for the id's lock: a reloaded page for its previous page to let it go
 * (as the old document is torn down; slow on a busy machine), any other for a tab that may be
 * closing. A duplicated tab, whose original keeps the lock, takes a new id after this.
 */
const CLAIM_WAIT_MS = 1000;
const RELOAD_CLAIM_WAIT_MS = 8000;

function reloaded(): boolean {
  if (typeof performance === 'undefined' || typeof performance.getEntriesByType !== 'function') return false;
  const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
  return entry?.type === 'reload';
}

/**
 * Like `loadNodeIdentity`, and makes sure no other live tab of this browser uses the same id
 * (a duplicated tab inherits sessionStorage). The id's Web Lock is held for the page's life.
 * Without Web Locks (insecure pages) it trusts sessionStorage.
 */
export async function claimNodeIdentity(storage: KeyValueStorage, wanted: { name?: string | undefined; role?: NodeRole | undefined } = {}): Promise<NodeIdentity> {
  const identity = loadNodeIdentity(storage, wanted);
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return identity;
  if (await holdLock(locks, identity.nodeId, reloaded() ? RELOAD_CLAIM_WAIT_MS : CLAIM_WAIT_MS)) return identity;
  // Another tab holds this id: take a fresh one (kept for this tab's reloads).
  const nodeId = newNodeId();
  storage.setItem(KEY_ID, nodeId);
  await holdLock(locks, nodeId, 0);
  return { ...identity, nodeId };
}

/** Acquires `lattice.node:<id>` and keeps it until the page goes; false if not free in time. */
function holdLock(locks: LockManager, id: string, waitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const options: LockOptions = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true };
    locks
      .request(`lattice.node:${id}`, options, (lock) => {
        resolve(lock !== null);
        // Holding the promise open holds the lock.
        return lock === null ? undefined : new Promise<void>(() => undefined);
      })
      .catch((error: unknown) => {
        if (error instanceof DOMException && (error.name === 'AbortError' || error.name === 'TimeoutError')) resolve(false);
        else throw error;
      });
  });
}
