/**
 * In-memory twin of `LatticeNode` for component tests, the UI demo page and the UI bench:
 * a real `EntityStore` on a real Y.Doc, and a mesh status that a test can set or that a
 * `MemoryMesh` derives from which nodes are connected. Documents in one `MemoryMesh` exchange
 * Yjs updates directly while both ends are connected, so partitions and convergence are real.
 */
import * as Y from 'yjs';
import { ObservableV2 } from 'lib0/observable';
import { ApprovalDesk, EntityStore, TaskBoard } from '../../src/crdt/index.js';
import type { LatticeNode, LatticeNodeEvents, LinkKind, MeshStatus, NodeIdentity, NodeRole, PeerInfo } from '../../src/peer/LatticeNode.js';

export interface MemoryNodeOptions {
  readonly nodeId?: string;
  readonly name?: string;
  readonly role?: NodeRole;
  readonly room?: string;
  /** Physical clock handed to the store (tests pin time with it). */
  readonly physicalNow?: () => number;
}

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
  mesh: MemoryMesh | undefined;
  private current: MeshStatus;

  constructor(options: MemoryNodeOptions = {}) {
    super();
    const nodeId = options.nodeId ?? `mem${++counter}`;
    this.identity = { nodeId, name: options.name ?? nodeId, role: options.role ?? 'operator' };
    this.store = new EntityStore(this.doc, { node: nodeId, ...(options.physicalNow ? { physicalNow: options.physicalNow } : {}) });
    const actor = () => ({ role: this.identity.role, name: this.identity.name });
    this.approvals = new ApprovalDesk(this.store, actor);
    this.tasks = new TaskBoard(this.store, actor);
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
