/**
 * What a running mesh node offers to the UI and to scripts. Implemented by the mesh layer;
 * consumed by `src/ui` and the `window.lattice` scripting API.
 */
import type * as Y from 'yjs';
import type { ObservableV2 } from 'lib0/observable';
import type { ApprovalDesk, EntityStore, TaskBoard } from '../crdt/index.js';

export const NODE_ROLES = ['operator', 'viewer'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/**
 * How this node hears a peer: a direct WebRTC data channel, BroadcastChannel (another tab of
 * the same browser), only through other nodes (`relay`), or the in-memory test transport.
 */
export type LinkKind = 'webrtc' | 'broadcastchannel' | 'relay' | 'memory';

export interface NodeIdentity {
  /** Stable across reloads of the same tab; distinct between tabs. */
  readonly nodeId: string;
  readonly name: string;
  readonly role: NodeRole;
}

/** One other node as this node sees it (from awareness). */
export interface PeerInfo extends NodeIdentity {
  readonly link: LinkKind;
  /** ms since the epoch. */
  readonly connectedSince: number;
  readonly lastHeard: number;
  /** The peer's `store.digest()`; equal to ours when we have converged. */
  readonly digest: string;
  readonly converged: boolean;
}

export type MeshState = 'offline' | 'connecting' | 'online';

export interface MeshStatus {
  readonly room: string;
  readonly state: MeshState;
  /** Signaling servers this node uses. */
  readonly signaling: readonly string[];
  readonly signalingConnected: boolean;
  /** Browser network state (navigator.onLine). */
  readonly networkOnline: boolean;
  readonly peers: readonly PeerInfo[];
  /** Malformed, oversized or hostile messages rejected from peers. */
  readonly rejectedMessages: number;
  /** A problem a person must act on, e.g. a wrong room password. */
  readonly problem: string | undefined;
  // Added with the mesh node; optional so that status objects made elsewhere (UI fixtures) stay valid.
  /** Links the watchdog replaced because they carried no traffic. */
  readonly linkReplacements?: number;
  /** When this node last joined the mesh (ms since the epoch), if it has. */
  readonly joinedAt?: number | undefined;
}

/**
 * How many bytes per second this node may send to other nodes (all links together), as a token
 * bucket: `bytesPerSecond` refills it, `burstBytes` is its size (what may leave at once after a
 * quiet spell). `bytesPerSecond: 0` means unlimited.
 */
export interface UplinkBudget {
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
}

/**
 * Local changes wait in these classes, and leave in this order: deletes, creates, high-threat
 * changes and approval decisions (`priority`), classification and other low-rate components
 * (`routine`), then positions and velocities (`position`). Within a class, higher threat first.
 */
export const CHANGE_CLASSES = ['delete', 'create', 'priority', 'routine', 'position'] as const;
export type ChangeClass = (typeof CHANGE_CLASSES)[number];

/**
 * Everything a node sends, by what it is: the five change classes, the resync a new link
 * starts (`sync`), presence (`presence`) and what the node forwards for others (`relay`).
 */
export const TRAFFIC_CLASSES = [...CHANGE_CLASSES, 'sync', 'presence', 'relay'] as const;
export type TrafficClass = (typeof TRAFFIC_CLASSES)[number];

export interface TrafficReport {
  readonly budget: UplinkBudget;
  /** Bytes per second sent, per class, averaged over the last `windowMs`. */
  readonly bytesPerSecond: Readonly<Record<TrafficClass, number>>;
  /** Bytes sent per class since the node started. */
  readonly totalBytes: Readonly<Record<TrafficClass, number>>;
  readonly windowMs: number;
  /** Local changes waiting to be sent: distinct entity components (and journal entries). */
  readonly queueDepth: number;
  /** The waiting changes per class. */
  readonly queued: Readonly<Record<ChangeClass, number>>;
  /** Changes replaced by a newer change to the same entity component before they left. */
  readonly coalesced: number;
  /** Age of the oldest waiting change in ms (0 when nothing waits). */
  readonly oldestWaitMs: number;
  /** Encoded bytes waiting for tokens (messages already made, not yet sent). */
  readonly pendingBytes: number;
}

export interface LatticeNodeEvents {
  /** Mesh status or the peer list changed. */
  status: (status: MeshStatus) => void;
}

export interface LatticeNode extends ObservableV2<LatticeNodeEvents> {
  readonly identity: NodeIdentity;
  readonly doc: Y.Doc;
  readonly store: EntityStore;
  /** Approval requests and decisions, acting as this node's identity (viewers cannot decide). */
  readonly approvals: ApprovalDesk;
  /** Tasks given to assets; cancelling needs the operator role. */
  readonly tasks: TaskBoard;
  status(): MeshStatus;
  /** The uplink budget in force. */
  budget(): UplinkBudget;
  /**
   * Sets the uplink budget; `bytesPerSecond: 0` lifts it. A missing `burstBytes` becomes one
   * second of budget (at least 1,024). Throws `ValidationError` for bad values (nothing changes).
   */
  setBudget(budget: { bytesPerSecond: number; burstBytes?: number }): UplinkBudget;
  /** What the node sent, per class, and what waits. */
  traffic(): TrafficReport;
  /** Resolves once local persistence has loaded (the node shows what it had offline). */
  readonly whenReady: Promise<void>;
  /** Joins the mesh (signaling, WebRTC, BroadcastChannel). */
  connect(): void;
  /** Leaves the mesh: a whole-node partition. Local writes continue and sync on `connect`. */
  disconnect(): void;
  destroy(): Promise<void>;
}
