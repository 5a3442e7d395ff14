/**
 * How a node reaches others: `PeerMesh` runs one session per link over whatever links its
 * providers open. In the browser those are a signaling server and WebRTC, and BroadcastChannel
 * between tabs (`webrtcLinks`); in tests, a `MemoryNetwork` (`memoryTransport`). The acceptance
 * suite runs the same session code over both.
 */
import type { LinkKind } from './LatticeNode.js';
import type { Connector } from './link/Link.js';
import type { Dialer } from './link/Dialer.js';

/** One direct link to another node. */
export interface TransportLink {
  /** The remote mesh's `peerId`. */
  readonly peerId: string;
  readonly kind: LinkKind;
  /** When the link came up (ms since the epoch). */
  readonly since: number;
  /** When anything last arrived over it. */
  readonly lastHeard: number | undefined;
}

export interface TransportEvents {
  /** Links came up or went down, faults changed, or signaling connected or disconnected. */
  links: () => void;
  /** A message from a peer was malformed, oversized or hostile and was dropped (the peer named). */
  rejected: (reason: string) => void;
  /** A message could not be decrypted: the sender uses another room password (or none). */
  undecryptable: (source: string) => void;
  /** A link that carried no traffic was closed to be replaced. */
  replaced: (peerId: string) => void;
}

/** What a node's links come from. */
export interface LinkProviders {
  readonly connectors: readonly Connector[];
  readonly dialer?: Dialer | undefined;
  readonly signaling?: readonly string[];
  readonly signalingConnected?: () => boolean;
}

/** Reports from link providers (signaling input that was refused or could not be decrypted). */
export interface LinkReports {
  rejected(reason: string): void;
  undecryptable(source: string): void;
}

/** Builds a node's link providers for the mesh with `peerId`; `MeshNode` calls it once. */
export type TransportFactory = (peerId: string, reports: LinkReports) => LinkProviders;
