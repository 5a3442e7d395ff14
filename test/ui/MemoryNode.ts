/**
 * In-memory twin of `LatticeNode` for component tests, the UI demo page and the UI bench:
 * a real `EntityStore` on a real Y.Doc, and a mesh status that a test can set or that a
 * `MemoryMesh` derives from which nodes are connected. Documents in one `MemoryMesh` exchange
 * Yjs updates directly while both ends are connected, so partitions and convergence are real.
 */
import type { Equivocation } from '../../src/peer/trust/equivocation.js';
import * as Y from 'yjs';
import { ObservableV2 } from 'lib0/observable';
import { ApprovalDesk, EntityStore, TaskBoard, ValidationError } from '../../src/crdt/index.js';
import { FaultTable, faultNames } from '../../src/peer/faults/LinkFaults.js';
import { resolveNode } from '../../src/peer/faults/faultCommands.js';
import { routeIn } from '../../src/peer/topology.js';
import {
  CHANGE_CLASSES,
  TRAFFIC_CLASSES,
  type ChangeClass,
  type LatticeNode,
  type LatticeNodeEvents,
  type LinkInfo,
  type LinkKind,
  type MeshFaults,
  type MeshStatus,
  type Topology,
  type NodeIdentity,
  type NodeRole,
  type PeerInfo,
  type TrafficClass,
  type TrafficReport,
  type UplinkBudget,
} from '../../src/peer/LatticeNode.js';

export interface MemoryNodeOptions {
  readonly nodeId?: string;
  readonly name?: string;
  readonly role?: NodeRole;
  readonly room?: string;
  /** Physical clock handed to the store (tests pin time with it). */
  readonly physicalNow?: () => number;
}

/** Part of a traffic report: per-class records merge into the current ones, the rest replaces. */
export interface TrafficPatch extends Partial<Omit<TrafficReport, 'budget' | 'bytesPerSecond' | 'totalBytes' | 'queued'>> {
  readonly bytesPerSecond?: Partial<Record<TrafficClass, number>>;
  readonly totalBytes?: Partial<Record<TrafficClass, number>>;
  readonly queued?: Partial<Record<ChangeClass, number>>;
}

/** The real node's limits and defaults (src/peer/budget/uplinkBudget.ts), so the UI meets the same refusals. */
const MAX_BYTES_PER_SECOND = 1e9;
const MIN_BURST_BYTES = 256;
const MAX_BURST_BYTES = 64 * 1024 * 1024;

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

let counter = 0;

export class MemoryNode extends ObservableV2<LatticeNodeEvents> implements LatticeNode {
  readonly identity: NodeIdentity;
  readonly doc = new Y.Doc();
  readonly store: EntityStore;
  readonly approvals: ApprovalDesk;
  readonly tasks: TaskBoard;
  readonly whenReady = Promise.resolve();
  /** How often `connect` / `disconnect` were called (tests assert on it). */
  connectCalls = 0;
  disconnectCalls = 0;
  /** Every budget `setBudget` accepted, in order (tests assert on it). */
  readonly budgetCalls: UplinkBudget[] = [];
  mesh: MemoryMesh | undefined;
  /** Links a test wants the Mesh tab to show; by default one per peer not heard through relays. */
  linkInfo: LinkInfo[] | undefined;
  /** Who links to whom, when a test wants a shape other than this node linked to its peers. */
  topologyInfo: Topology | undefined;
  /**
   * Faults set here or heard from the mesh (the fixture has no links to apply them to; the
   * table is real). A change emits `status`, as the real node does.
   */
  readonly faultTable: FaultTable;
  readonly faults: MeshFaults;
  antiEntropyCalls = 0;
  private current: MeshStatus;
  /** Unlimited; the burst is then irrelevant and reported as 0, as the mesh node does. */
  private uplink: UplinkBudget = { bytesPerSecond: 0, burstBytes: 0 };
  private report: Omit<TrafficReport, 'budget'> = {
    bytesPerSecond: zeros(TRAFFIC_CLASSES),
    totalBytes: zeros(TRAFFIC_CLASSES),
    windowMs: 5000,
    queueDepth: 0,
    queued: zeros(CHANGE_CLASSES),
    coalesced: 0,
    oldestWaitMs: 0,
    pendingBytes: 0,
  };

  constructor(options: MemoryNodeOptions = {}) {
    super();
    const nodeId = options.nodeId ?? `mem${++counter}`;
    this.identity = { nodeId, name: options.name ?? nodeId, role: options.role ?? 'operator' };
    this.store = new EntityStore(this.doc, { node: nodeId, ...(options.physicalNow ? { physicalNow: options.physicalNow } : {}) });
    const actor = () => ({ role: this.identity.role, name: this.identity.name });
    this.approvals = new ApprovalDesk(this.store, actor);
    this.tasks = new TaskBoard(this.store, actor);
    this.faultTable = new FaultTable(nodeId);
    const id = (n: string) => resolveNode(this.topology(), n);
    const changed = <T>(result: T): T => {
      this.faultsChanged();
      return result;
    };
    this.faults = {
      cut: (a, b) => changed(this.faultTable.add({ kind: 'cut', a: id(a), b: id(b) })),
      split: (groups) => changed(this.faultTable.add({ kind: 'split', groups: groups.map((g) => g.map(id)) })),
      impair: (o) => changed(this.faultTable.add({ kind: 'impair', a: id(o.node), ...(o.peer === undefined ? {} : { b: id(o.peer) }), latencyMs: o.latencyMs ?? 0, jitterMs: o.jitterMs ?? 0, loss: o.loss ?? 0, duplicate: o.duplicate ?? 0, reorder: o.reorder ?? 0, bandwidthBps: o.bandwidthBps ?? 0 })),
      heal: (faultId) => changed(this.faultTable.heal(faultId)),
      list: () => this.faultTable.list(),
    };
    // Built untyped and then assigned, so fields a newer MeshStatus adds are kept, not rejected.
    const initial = {
      room: options.room ?? 'demo',
      state: 'online',
      signaling: ['ws://127.0.0.1:4444'],
      signalingConnected: true,
      networkOnline: true,
      peers: [],
      rejectedMessages: 0,
      problem: undefined,
      linkReplacements: 0,
    } as const;
    this.current = initial;
  }

  status(): MeshStatus {
    return this.current;
  }

  /** Replaces part of the status and emits `status`, as the real node does on any change. */
  setStatus(patch: Partial<MeshStatus>): void {
    this.current = { ...this.current, ...patch };
    this.emit('status', [this.current]);
  }

  budget(): UplinkBudget {
    return this.uplink;
  }

  /** Validates as the real node does; on bad values throws `ValidationError` and changes nothing. */
  setBudget(budget: { bytesPerSecond: number; burstBytes?: number }): UplinkBudget {
    const { bytesPerSecond, burstBytes } = budget;
    if (!Number.isInteger(bytesPerSecond) || bytesPerSecond < 0 || bytesPerSecond > MAX_BYTES_PER_SECOND) {
      throw new ValidationError('bytesPerSecond', `The uplink budget must be a whole number of bytes per second from 0 (unlimited) to 1,000,000,000, got ${String(bytesPerSecond)}.`);
    }
    if (bytesPerSecond > 0 && burstBytes !== undefined && (!Number.isInteger(burstBytes) || burstBytes < MIN_BURST_BYTES || burstBytes > MAX_BURST_BYTES)) {
      throw new ValidationError('burstBytes', `The burst must be a whole number of bytes from 256 to 67,108,864 (64 MiB), got ${String(burstBytes)}.`);
    }
    const burst = bytesPerSecond === 0 ? 0 : (burstBytes ?? Math.min(MAX_BURST_BYTES, Math.max(1024, bytesPerSecond)));
    this.uplink = { bytesPerSecond, burstBytes: burst };
    this.budgetCalls.push(this.uplink);
    return this.uplink;
  }

  traffic(): TrafficReport {
    return { ...this.report, budget: this.uplink };
  }

  /** Sets what `traffic()` reports (the budget comes from `setBudget`). */
  setTraffic(patch: TrafficPatch): void {
    const r = this.report;
    this.report = {
      ...r,
      ...patch,
      bytesPerSecond: { ...r.bytesPerSecond, ...patch.bytesPerSecond },
      totalBytes: { ...r.totalBytes, ...patch.totalBytes },
      queued: { ...r.queued, ...patch.queued },
    };
  }

  connect(): void {
    this.connectCalls++;
    this.setStatus({ state: 'online', signalingConnected: true });
    this.mesh?.refresh();
  }

  disconnect(): void {
    this.disconnectCalls++;
    this.setStatus({ state: 'offline', signalingConnected: false, peers: [] });
    this.mesh?.refresh();
  }

  /** The fault table changed here: the mesh hears of it, and status says how many faults touch us. */
  private faultsChanged(): void {
    if (this.mesh) this.mesh.shareFaults(this);
    else this.noteFaults();
  }

  /** Emits `status` with the count of faults in force that name this node. */
  noteFaults(): void {
    const self = this.identity.nodeId;
    this.setStatus({ faults: this.faultTable.active().filter((f) => faultNames(f.spec).includes(self)).length });
  }

  links(): LinkInfo[] {
    if (this.linkInfo) return this.linkInfo;
    const none = { cut: 0, lost: 0, duplicated: 0, reordered: 0, delayed: 0 };
    return this.current.peers
      .filter((p) => p.link !== 'relay')
      .map((p) => ({
        peerId: p.nodeId,
        nodeId: p.nodeId,
        name: p.name,
        kind: p.link,
        since: p.connectedSince,
        lastHeard: p.lastHeard,
        policy: this.faultTable.policy(p.nodeId),
        faulted: none,
        rejected: 0,
        antiEntropy: { rounds: 0, syncRepairs: 0, rangeRepairs: 0, entities: 0 },
        verified: true,
        fingerprint: undefined,
      }));
  }

  /** This node and its peers, linked to it directly unless their link is `relay` or cut (or `topologyInfo`). */
  topology(): Topology {
    if (this.topologyInfo) return this.topologyInfo;
    const peers = this.current.peers;
    return {
      nodes: [{ nodeId: this.identity.nodeId, name: this.identity.name, self: true }, ...peers.map((p) => ({ nodeId: p.nodeId, name: p.name, self: false }))],
      // As on the real node, a cut link carries nothing and so is no edge.
      edges: peers.filter((p) => p.link !== 'relay' && !this.faultTable.policy(p.nodeId).cut).map((p): readonly [string, string] => (this.identity.nodeId < p.nodeId ? [this.identity.nodeId, p.nodeId] : [p.nodeId, this.identity.nodeId])),
    };
  }

  route(nodeId: string): string[] | undefined {
    return routeIn(this.topology(), this.identity.nodeId, nodeId);
  }

  antiEntropy(): void {
    this.antiEntropyCalls++;
  }

  /** No peers, no signed batches: nothing to keep evidence of. */
  evidence(): readonly Equivocation[] {
    return [];
  }

  override async destroy(): Promise<void> {
    this.mesh?.remove(this);
    this.store.destroy();
    this.doc.destroy();
    super.destroy();
  }
}

/** Nodes that sync with each other in memory while connected; peers and digests are real. */
export class MemoryMesh {
  private readonly nodes: MemoryNode[] = [];
  private readonly links = new Map<string, LinkKind>();
  private readonly since = new Map<string, number>();
  private readonly heard = new Map<MemoryNode, number>();

  add(node: MemoryNode, link: LinkKind = 'webrtc'): void {
    node.mesh = this;
    this.nodes.push(node);
    this.links.set(node.identity.nodeId, link);
    node.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this || !this.online(node)) return;
      this.heard.set(node, Date.now());
      for (const other of this.nodes) if (other !== node && this.online(other)) Y.applyUpdate(other.doc, update, this);
    });
    this.refresh();
  }

  /**
   * Spreads `from`'s fault table to every connected node, as FAULTS messages do on the real
   * mesh (a cut never blocks them), and has each say so in its status.
   */
  shareFaults(from: MemoryNode): void {
    const faults = from.faultTable.list();
    for (const n of this.nodes) {
      if (n !== from && this.online(from) && this.online(n)) n.faultTable.merge(faults);
      if (n === from || (this.online(from) && this.online(n))) n.noteFaults();
    }
  }

  remove(node: MemoryNode): void {
    const at = this.nodes.indexOf(node);
    if (at >= 0) this.nodes.splice(at, 1);
    this.refresh();
  }

  private online(node: MemoryNode): boolean {
    return node.status().state === 'online';
  }

  /** Exchanges full state between connected nodes (a heal) and republishes every peer list. */
  refresh(): void {
    const up = this.nodes.filter((n) => this.online(n));
    for (const a of up) for (const b of up) if (a !== b) Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)), this);
    const now = Date.now();
    for (const n of up) if (!this.since.has(n.identity.nodeId)) this.since.set(n.identity.nodeId, now);
    for (const n of this.nodes) if (!this.online(n)) this.since.delete(n.identity.nodeId);
    for (const n of this.nodes) {
      if (!this.online(n)) continue;
      const mine = n.store.digest();
      const peers: PeerInfo[] = up
        .filter((p) => p !== n)
        .map((p) => {
          const digest = p.store.digest();
          return {
            ...p.identity,
            link: this.links.get(p.identity.nodeId) ?? 'webrtc',
            connectedSince: this.since.get(p.identity.nodeId) ?? now,
            lastHeard: this.heard.get(p) ?? now,
            digest,
            converged: digest === mine,
          };
        });
      n.setStatus({ peers });
    }
  }
}
