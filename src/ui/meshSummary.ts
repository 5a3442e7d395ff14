/** What the mesh status means for an operator, in one word and a count. */
import type { MeshStatus, PeerInfo } from '../peer/LatticeNode.js';

export type SyncState = 'offline' | 'connecting' | 'alone' | 'converged' | 'syncing';

export interface SyncSummary {
  readonly state: SyncState;
  readonly peers: number;
  /** Peers whose last digest equals ours. */
  readonly converged: number;
}

/**
 * A peer has converged with us when its state digest equals ours. Our digest is computed here
 * and now; the peer's is the last one it announced, so a peer that is still catching up shows
 * as syncing until its next announcement.
 */
export function isConverged(peer: PeerInfo, localDigest: string | undefined): boolean {
  return localDigest !== undefined ? peer.digest === localDigest : peer.converged;
}

export function summarise(status: MeshStatus | undefined, localDigest: string | undefined): SyncSummary {
  if (!status) return { state: 'connecting', peers: 0, converged: 0 };
  const peers = status.peers.length;
  const converged = status.peers.filter((p) => isConverged(p, localDigest)).length;
  if (status.state === 'offline') return { state: 'offline', peers, converged };
  if (peers === 0) return { state: status.state === 'connecting' ? 'connecting' : 'alone', peers, converged };
  return { state: converged === peers ? 'converged' : 'syncing', peers, converged };
}

export const SYNC_TEXT: Record<SyncState, string> = {
  offline: 'Offline',
  connecting: 'Connecting',
  alone: 'No peers',
  converged: 'Converged',
  syncing: 'Syncing',
};
