/**
 * What a running mesh node offers to the UI and to scripts. Implemented by the mesh layer;
 * consumed by `src/ui` and the `window.lattice` scripting API.
 */
import type * as Y from 'yjs';
import type { ObservableV2 } from 'lib0/observable';
import type { ApprovalDesk, EntityStore, TaskBoard } from '../crdt/index.js';
import type { Fault, LinkPolicy } from './faults/LinkFaults.js';
import type { Equivocation } from './trust/equivocation.js';
import type { MonitorReport } from './monitors/MeshMonitor.js';

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
  /** Fingerprints of the node key and operator key that signed its presence. */
  readonly fingerprint?: string;
  readonly operatorFingerprint?: string;
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
  /** Links closed and replaced because they stayed silent (liveness). */
  readonly linkReplacements?: number;
  /** When this node last joined the mesh (ms since the epoch), if it has. */
  readonly joinedAt?: number | undefined;
  /** Refused messages per peer, by the peer's name (or peer id before it said who it is). */
  readonly rejectedByPeer?: Readonly<Record<string, number>>;
  /** Link faults in force that involve this node. */
  readonly faults?: number;
  /** Anti-entropy: rounds that found a difference and repaired it (Yjs sync or ranges of ids). */
  readonly repairs?: number;
  /** This node's key, and its operator's, as people compare them (`XXXX-XXXX-XXXX-XXXX`). */
  readonly fingerprint?: string;
  readonly operatorFingerprint?: string;
  /** Evidence of equivocation kept so far (see `evidence()`). */
  readonly equivocations?: number;
  /** The room: open or owned, and this node's standing in it. */
  readonly roomInfo?: RoomInfo;
  /** Batches received that do not count: written after their writer's revocation. */
  readonly uncounted?: number;
  /** The rules this node checks while it runs, and what broke them (`monitors/MeshMonitor.ts`). */
  readonly checks?: MonitorReport;
}

/** One direct link of this node, as the Mesh tab shows it. */
export interface LinkInfo {
  readonly peerId: string;
  readonly nodeId: string | undefined;
  readonly name: string | undefined;
  readonly kind: LinkKind;
  readonly since: number;
  readonly lastHeard: number;
  /** The faults on this link (a cut link is up but carries no data). */
  readonly policy: LinkPolicy;
  /** Data messages the faults cut, lost, duplicated, reordered or delayed. */
  readonly faulted: { readonly cut: number; readonly lost: number; readonly duplicated: number; readonly reordered: number; readonly delayed: number };
  readonly rejected: number;
  /** Anti-entropy with this peer: rounds, Yjs repairs, range repairs, entities repaired. */
  readonly antiEntropy: { readonly rounds: number; readonly syncRepairs: number; readonly rangeRepairs: number; readonly entities: number };
  /** Whether the peer proved its node key on this link (until then the link carries no data). */
  readonly verified: boolean;
  /** The fingerprint of the key the peer proved. */
  readonly fingerprint: string | undefined;
}

/** Who links to whom, from every node's presence (and this node's own links). */
export interface Topology {
  readonly nodes: ReadonlyArray<{ readonly nodeId: string; readonly name: string; readonly self: boolean }>;
  /** Direct links as pairs of node ids (each pair once, smaller id first). */
  readonly edges: ReadonlyArray<readonly [string, string]>;
}

/** Link faults on command (see `faults/LinkFaults.ts`). Nodes are named by name or node id. */
export interface MeshFaults {
  /** Cuts the link between two nodes, both directions; data may still flow through others. */
  cut(a: string, b: string): Fault;
  /** Cuts every link between nodes of different groups. */
  split(groups: readonly (readonly string[])[]): Fault;
  /** Latency, jitter, loss, duplication, reordering or a bandwidth cap on one link (`node`–`peer`) or all of `node`'s links. */
  impair(options: { node: string; peer?: string; latencyMs?: number; jitterMs?: number; loss?: number; duplicate?: number; reorder?: number; bandwidthBps?: number }): Fault;
  /** Heals one fault by id, or every fault. */
  heal(id?: string): Fault[];
  /** Faults in force and recently healed. */
  list(): Fault[];
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
  /** Link faults, set mesh-wide from any node. */
  readonly faults: MeshFaults;
  /** This node's direct links with their faults and counters. */
  links(): LinkInfo[];
  /** Who links to whom. */
  topology(): Topology;
  /** The shortest path of node ids from this node to `nodeId` over direct links (undefined if none). */
  route(nodeId: string): string[] | undefined;
  /** Compares digests with every linked peer now and repairs what differs. */
  antiEntropy(): void;
  /**
   * Evidence kept of keys that signed two different writes to one place under one stamp
   * (equivocation), or of two keys writing as one node id; oldest first, at most 32.
   */
  evidence(): readonly Equivocation[];
  /** Who may do what in this room: its owner, members, invitations and revocations. */
  readonly authority?: RoomControl;
  destroy(): Promise<void>;
}

/** A role in an owned room; a `guest` reached the room but holds no membership (it reads only). */
export type RoomStanding = 'owner' | 'operator' | 'viewer' | 'guest';

export interface RoomInfo {
  /** The room's name as people give it (without the owner key). */
  readonly name: string;
  /** An open room has no owner: anyone who reaches it writes. */
  readonly open: boolean;
  readonly ownerFingerprint: string | undefined;
  /** The owner as links carry it (`KEY.PQID`: its Ed25519 key and ML-DSA key id, base64url). */
  readonly ownerKey: string | undefined;
  /** This node's standing; in an open room, `operator` or `viewer` as it says of itself. */
  readonly standing: RoomStanding;
  /** Whether this node may invite (owner, or an operator the owner allowed). */
  readonly mayInvite: boolean;
  /** Whether it may revoke (it holds the owner key). */
  readonly mayRevoke: boolean;
  /** A guest that opened an invitation and waits for a node of its issuer to admit it. */
  readonly joining: boolean;
  /** Why the invitation this node opened cannot be used, if it cannot. */
  readonly problem: string | undefined;
}

export interface MemberInfo {
  /** Operator key fingerprint: a person (a browser profile). */
  readonly fingerprint: string;
  /** The names its nodes go by. */
  readonly names: readonly string[];
  readonly standing: RoomStanding;
  readonly mayInvite: boolean;
  /** Its nodes seen in presence now: node id and node key fingerprint. */
  readonly nodes: ReadonlyArray<{ readonly nodeId: string; readonly name: string; readonly fingerprint: string }>;
  /** When one of its nodes was last heard (ms), if any is present. */
  readonly lastSeen: number | undefined;
  /** The membership it holds: who issued it, when it expires (s). */
  readonly issuedBy: string | undefined;
  readonly expiresAt: number | undefined;
  /** Revoked by the owner (its writes after that do not count). */
  readonly revoked: boolean;
  readonly self: boolean;
}

export interface InviteOptions {
  readonly role: 'owner' | 'operator' | 'viewer';
  /** Default one day; at most 30. */
  readonly expiresInS?: number;
  /** An operator who may invite others (owners only give this). */
  readonly mayInvite?: boolean;
}

export interface RoomControl {
  info(): RoomInfo;
  members(): MemberInfo[];
  /**
   * An invitation for a link's fragment (`#invite=…`; see `inviteLink`). Throws
   * `ValidationError` when this node may not give it.
   */
  invite(options: InviteOptions): Promise<string>;
  /** Revokes a member by operator or node key fingerprint (owner only). Throws `ValidationError` otherwise. */
  revoke(fingerprint: string, note?: string): void;
}
