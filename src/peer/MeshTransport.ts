/**
 * A transport carries one Y.Doc and its Awareness to other nodes. `MeshNode` works with any
 * transport; `WebrtcTransport` is the real one (y-webrtc), `MemoryTransport` its in-memory twin
 * for tests. Both pass the same acceptance suite (test/peer/meshAcceptance.ts).
 */
import type * as Y from 'yjs';
import type { ObservableV2 } from 'lib0/observable';
import type { Awareness } from 'y-protocols/awareness';
import type { LinkKind } from './LatticeNode.js';
import type { Pacer } from './budget/Pacer.js';

/** One direct link to another node's transport. */
export interface TransportLink {
  /** The remote transport's `peerId`. */
  readonly peerId: string;
  readonly kind: LinkKind;
  /** When the link came up (ms since the epoch). */
  readonly since: number;
  /** When anything last arrived over it, if known. */
  readonly lastHeard: number | undefined;
}

export interface TransportEvents {
  /** Links came up or went down, or signaling connected or disconnected. */
  links: () => void;
  /** A message from a peer was malformed, oversized or hostile and was dropped. */
  rejected: (reason: string) => void;
  /** A message could not be decrypted: the sender uses another room password (or none). */
  undecryptable: (source: string) => void;
  /** The watchdog replaced a link that carried no traffic. */
  replaced: (peerId: string) => void;
}

export interface MeshTransport extends ObservableV2<TransportEvents> {
  /** This transport's id as other nodes' transports know it ('' until it has one). */
  readonly peerId: string;
  readonly signaling: readonly string[];
  signalingConnected(): boolean;
  /** Whether `connect` is in effect. */
  readonly connected: boolean;
  connect(): void;
  disconnect(): void;
  links(): TransportLink[];
  /** Links replaced because they carried no traffic (0 for transports without a watchdog). */
  readonly replacedLinks: number;
  destroy(): void;
}

/**
 * Builds a transport for a node's mesh document; `MeshNode` calls it once. Everything the
 * transport sends goes through `pacer` (the node's uplink budget and traffic counts).
 */
export type TransportFactory = (doc: Y.Doc, awareness: Awareness, pacer: Pacer) => MeshTransport;
