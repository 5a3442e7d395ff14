/** What the mesh status means for an operator, in one word and a count. */
import type { MeshStatus, PeerInfo } from '../peer/LatticeNode.js';

export type SyncState = 'offline' | 'connecting' | 'alone' | 'converged' | 'syncing';

export interface SyncSummary {
  readonly state: SyncState;
  readonly peers: number;
  /** Peers in sync with us (see `inSync`). */
  readonly converged: number;
}

/**
 * How long a peer that was converged still counts as in sync. While tracks stream in, two
 * nodes' digests are equal only between updates; without this grace the picture would flicker
 * between "converged" and "syncing" every second although nothing is wrong.
 */
export const SYNC_GRACE_MS = 5000;

/** When each peer (by node id) was last seen with a digest equal to ours. */
export type ConvergedAt = ReadonlyMap<string, number>;

/** In sync: converged now (digests equal), or converged within the grace period. */
export function inSync(peer: PeerInfo, convergedAt: ConvergedAt, now: number): boolean {
  if (peer.converged) return true;
  const at = convergedAt.get(peer.nodeId);
  return at !== undefined && now - at < SYNC_GRACE_MS;
}

export function summarise(status: MeshStatus | undefined, convergedAt: ConvergedAt = new Map(), now = Date.now()): SyncSummary {
  if (!status) return { state: 'connecting', peers: 0, converged: 0 };
  const peers = status.peers.length;
  const converged = status.peers.filter((p) => inSync(p, convergedAt, now)).length;
  if (status.state === 'offline') return { state: 'offline', peers, converged };
  // With the signaling server reached (or none to reach) and nobody linked, nobody else is here.
  const reached = status.signalingConnected || status.signaling.length === 0;
  if (peers === 0) return { state: status.state === 'connecting' && !reached ? 'connecting' : 'alone', peers, converged };
  return { state: converged === peers ? 'converged' : 'syncing', peers, converged };
}

export const SYNC_TEXT: Record<SyncState, string> = {
  offline: 'Offline',
  connecting: 'Connecting',
  alone: 'Alone in room',
  converged: 'Converged',
  syncing: 'Syncing',
};

/** How a peer is reached, in words; unknown kinds (a newer mesh) are shown as they are. */
export function linkText(link: string): string {
  switch (link) {
    case 'webrtc':
      return 'WebRTC';
    case 'broadcastchannel':
      return 'same browser';
    case 'relay':
      return 'via others';
    default:
      return link;
  }
}
