/**
 * `window.lattice`: drives a node from the browser console or from automation (the Playwright
 * tests use nothing else). Every value it returns is a plain copy that survives
 * `structuredClone`, so scripts can keep and compare them without touching the node's state.
 */
import * as Y from 'yjs';
import { ROOM_ENTITY_ID, ValidationError, type ApprovalOutcome, type Components, type EntityEvent, type EntityType, type EntityView, type PendingApproval, type StampedEntry, type Task, type TaskState } from '../crdt/index.js';
import type { InviteOptions, LatticeNode, LinkInfo, MemberInfo, MeshFaults, MeshStatus, NodeIdentity, PeerInfo, RoomInfo, Topology, TrafficReport, UplinkBudget } from './LatticeNode.js';
import type { Equivocation } from './trust/equivocation.js';
import { roomLink } from './meshConfig.js';
import { parseOwner } from './trust/invitation.js';
import type { TakImport } from './tak/takFiles.js';
import { loadTak } from './tak/load.js';

/**
 * The room entity holds an owned room's admissions and revocations, written by the room's own
 * desk (`lattice.room`); peers refuse anything else on it, so a script is told here instead.
 */
function notRoomEntity(id: string, type?: EntityType): void {
  if (id === ROOM_ENTITY_ID || type === 'room') {
    throw new ValidationError('entity-id', `"${ROOM_ENTITY_ID}" and the type "room" belong to the room's authority: use lattice.room to invite and revoke.`);
  }
}

/** The room as the node says, or an open room of its own name for a node without authority (tests' fixtures). */
function roomInfo(node: LatticeNode): RoomInfo {
  return (
    node.authority?.info() ?? {
      name: node.status().room,
      open: true,
      ownerFingerprint: undefined,
      ownerKey: undefined,
      standing: node.identity.role,
      mayInvite: false,
      mayRevoke: false,
      joining: false,
      problem: undefined,
    }
  );
}

/** A write was attempted on a node whose role is `viewer`. */
export class ViewerCannotWriteError extends Error {
  readonly code = 'viewer-cannot-write' as const;
  constructor() {
    super('This node is a viewer and cannot change entities: in an open room, reopen it with ?role=operator; in an owned room, ask its owner for an operator invitation.');
    this.name = 'ViewerCannotWriteError';
  }
}

/** The `window.lattice` object. */
export interface LatticeScriptingApi {
  /** Resolves once the node has loaded what it stored locally (it may still be joining the mesh). */
  readonly ready: Promise<void>;
  /** Who this node is now: `{ nodeId, name, role }` (in an owned room, the role its membership gives). */
  readonly identity: NodeIdentity;
  /** The node itself, for what this API does not cover (the UI uses it). */
  readonly node: LatticeNode;
  /**
   * Creates an entity and returns it. `type` is `'track' | 'asset' | 'geo'`; `components` are
   * validated (e.g. `{ position: { lat, lon, alt } }`). Throws a `ValidationError` for bad input,
   * `EntityExistsError` if the id is taken, and changes nothing then.
   */
  create(id: string, type: EntityType, components?: Components): EntityView;
  /** Writes the given components of a live entity and returns it. Throws `EntityNotFoundError`. */
  update(id: string, components: Components): EntityView;
  /** Deletes an entity (a tombstone: older writes anywhere lose to it). */
  delete(id: string): void;
  /** Runs several writes as one batch with one timestamp; all or nothing. */
  transact<T>(fn: () => T): T;
  /** One resolved entity, or `undefined`. */
  get(id: string): EntityView | undefined;
  /** Every live entity, optionally of one type. */
  list(type?: EntityType): EntityView[];
  /** `count:hash` of the resolved state; equal on two nodes iff they have converged. */
  digest(): string;
  /** Size of the whole document state in bytes: what a node joining from nothing receives. */
  documentBytes(): number;
  /** Joins the mesh. */
  connect(): void;
  /** Leaves the mesh (a partition of this node); writes continue locally and sync on `connect`. */
  disconnect(): void;
  /** The other nodes this one knows of, with link kind and convergence. */
  peers(): PeerInfo[];
  /**
   * Link faults on command, mesh-wide from any node: `faults.cut('alpha', 'bravo')`,
   * `faults.split([['alpha'], ['bravo', 'charlie']])`, `faults.impair({ node: 'alpha', latencyMs: 100, jitterMs: 50, loss: 0.05 })`,
   * `faults.heal(id)` or `faults.heal()`, `faults.list()`. Nodes are named by name or node id.
   */
  readonly faults: MeshFaults;
  /** This node's direct links: kind, faults, refused messages, anti-entropy counters. */
  links(): LinkInfo[];
  /** Who links to whom (from every node's presence). */
  topology(): Topology;
  /** The node ids a message takes from here to `nodeId` over direct links, or undefined. */
  route(nodeId: string): string[] | undefined;
  /** Compares digests with every linked peer now and repairs what differs. */
  antiEntropy(): void;
  /** Evidence of equivocation this node kept (the signed batches included). */
  evidence(): Equivocation[];
  /** Room, mesh state, signaling, peers, rejected messages and any problem to act on. */
  status(): MeshStatus;
  /** The uplink budget in force: `{ bytesPerSecond, burstBytes }`, `bytesPerSecond: 0` = unlimited. */
  budget(): UplinkBudget;
  /**
   * Sets the uplink budget (e.g. `{ bytesPerSecond: 8000 }` for a 64 kbps link; `0` lifts it).
   * Without `burstBytes`, one second's worth (at least 1,024). Throws `ValidationError` for bad values.
   */
  setBudget(budget: { bytesPerSecond: number; burstBytes?: number }): UplinkBudget;
  /** Bytes per second sent per class, queue depth, coalesced changes, oldest wait. */
  traffic(): TrafficReport;
  /** Calls `listener` with every batch of entity changes; returns the function that stops it. */
  watch(listener: (events: readonly EntityEvent[]) => void): () => void;
  /** Every pending approval request, soonest deadline first. */
  approvals(): PendingApproval[];
  /** The outcome of an entity's current approval request (state, request, decisions), judged now. */
  approval(id: string): ApprovalOutcome | undefined;
  /**
   * Opens an approval request on an entity for `tasks` (default `['intercept']`); returns its id.
   * The pipeline does this itself when a threat turns high; scripts may too.
   */
  requestApproval(id: string, tasks?: string[], timeoutMs?: number): string;
  /** Approves the entity's pending request. Operators only; once per node; before the deadline. */
  approve(id: string): ApprovalOutcome;
  /** Denies the entity's pending request (a deny wins over any approve). Operators only. */
  deny(id: string): ApprovalOutcome;
  /** The entity's audit trail: requests, decisions, withdrawals, task transitions, oldest first. */
  journal(id: string): StampedEntry[];
  /** Every task (intercepts given to assets) with its status. */
  tasks(): Array<Task & { id: string }>;
  /** Moves a task along its life cycle; `cancelled` needs the operator role. */
  advanceTask(taskId: string, status: TaskState, note?: string): void;
  /** Cancels a task that is not done. Operators only. */
  cancelTask(taskId: string): void;
  /**
   * The room's authority: `room.info()` (owned or open, owner, this node's standing),
   * `room.members()`, `await room.invite({ role: 'operator' })` (a link to give a person; the
   * owner may add `mayInvite: true`, `expiresInS`), `room.revoke(fingerprint)` (owner only).
   */
  readonly room: {
    info(): RoomInfo;
    members(): MemberInfo[];
    invite(options: InviteOptions): Promise<string>;
    revoke(fingerprint: string, note?: string): void;
  };
  /**
   * TAK files: `tak.import(text)` admits a CoT (one or many events) or KML file, all or nothing
   * (a `ValidationError` says what is wrong and nothing is written); `tak.exportCot()` and
   * `tak.exportKml()` give the picture as file text. The mapping is in docs/tak.md. Each returns
   * a promise: the TAK code loads on first use.
   */
  readonly tak: {
    import(text: string): Promise<TakImport>;
    exportCot(): Promise<string>;
    exportKml(): Promise<string>;
  };
}

declare global {
  interface Window {
    lattice?: LatticeScriptingApi;
  }
}

const copy = <T>(value: T): T => structuredClone(value);

export function createScriptingApi(node: LatticeNode): LatticeScriptingApi {
  const { store } = node;
  const writable = (): void => {
    if (node.identity.role === 'viewer') throw new ViewerCannotWriteError();
  };
  return {
    ready: node.whenReady,
    // A getter: in an owned room the role follows the membership (admitted, revoked).
    get identity() {
      return copy(node.identity);
    },
    node,
    create(id, type, components = {}) {
      writable();
      notRoomEntity(id, type);
      store.create(id, type, components);
      return copy(store.get(id)!);
    },
    update(id, components) {
      writable();
      notRoomEntity(id);
      store.update(id, components);
      return copy(store.get(id)!);
    },
    delete(id) {
      writable();
      notRoomEntity(id);
      store.delete(id);
    },
    transact(fn) {
      writable();
      return store.transact(fn);
    },
    get: (id) => {
      const view = store.get(id);
      return view ? copy(view) : undefined;
    },
    list: (type) => copy(store.list(type)),
    digest: () => store.digest(),
    documentBytes: () => Y.encodeStateAsUpdate(node.doc).byteLength,
    connect: () => node.connect(),
    disconnect: () => node.disconnect(),
    peers: () => copy([...node.status().peers]),
    faults: {
      cut: (a, b) => copy(node.faults.cut(a, b)),
      split: (groups) => copy(node.faults.split(groups)),
      impair: (options) => copy(node.faults.impair(options)),
      heal: (id) => copy(node.faults.heal(id)),
      list: () => copy(node.faults.list()),
    },
    links: () => copy(node.links()),
    topology: () => copy(node.topology()),
    route: (nodeId) => copy(node.route(nodeId)),
    antiEntropy: () => node.antiEntropy(),
    evidence: () => copy(node.evidence()) as Equivocation[],
    status: () => copy(node.status()),
    budget: () => copy(node.budget()),
    setBudget: (budget) => copy(node.setBudget(budget)),
    traffic: () => copy(node.traffic()),
    watch: (listener) => store.watch(listener),
    approvals: () => copy(node.approvals.pending()),
    approval: (id) => {
      const outcome = node.approvals.outcome(id);
      return outcome ? copy(outcome) : undefined;
    },
    requestApproval(id, tasks = ['intercept'], timeoutMs) {
      writable();
      return node.approvals.request(id, tasks, timeoutMs === undefined ? {} : { timeoutMs });
    },
    approve(id) {
      node.approvals.decide(id, 'approve');
      return copy(node.approvals.outcome(id)!);
    },
    deny(id) {
      node.approvals.decide(id, 'deny');
      return copy(node.approvals.outcome(id)!);
    },
    journal: (id) => copy(store.journal(id)),
    tasks: () => copy(node.tasks.list()),
    advanceTask(taskId, status, note) {
      writable();
      node.tasks.advance(taskId, status, note);
    },
    cancelTask: (taskId) => node.tasks.cancel(taskId),
    room: {
      info: () => copy(roomInfo(node)),
      members: () => copy(node.authority?.members() ?? []),
      invite: async (options) => {
        const info = roomInfo(node);
        if (!node.authority || info.ownerKey === undefined) throw new ValidationError('invite', 'An open room has no invitations: anyone who reaches it may write.');
        const token = await node.authority.invite(options);
        return roomLink(new URL(location.href), info.name, parseOwner(info.ownerKey), token);
      },
      revoke: (fingerprint, note) => {
        if (!node.authority) throw new ValidationError('revoke', 'An open room has no members to revoke.');
        node.authority.revoke(fingerprint, note);
      },
    },
    tak: {
      import: async (text) => copy((await loadTak()).importTakFile(node, text)),
      exportCot: async () => (await loadTak()).exportCotFile(node).text,
      exportKml: async () => (await loadTak()).exportKmlFile(node).text,
    },
  };
}
