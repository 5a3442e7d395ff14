/**
 * A mesh node: one Y.Doc with its entity store, kept in IndexedDB, carried to other nodes by a
 * transport, and presence in awareness (`MeshPresence`); in an owned room, its authority
 * (`RoomAuthority`, read from the room entity) and front desk (`RoomDesk`). Implements
 * `LatticeNode` for the UI and scripts; this class wires those parts and reports their state.
 *
 * Its node key and certificate come with its options (loading keys is asynchronous and happens
 * before: `loadCredentials`); `MeshNode.create` makes fresh ones in memory when none are given.
 *
 * Lifecycle: construct → `whenReady` (local data loaded) → the node joins the mesh on its own
 * (unless `autoConnect: false`) → `disconnect` / `connect` any number of times → `destroy`.
 */
import * as Y from 'yjs';
import { ObservableV2 } from 'lib0/observable';
import { Awareness } from 'y-protocols/awareness';
import { IndexeddbPersistence } from 'y-indexeddb';
import { ApprovalDesk, ClockFencedError, EntityStore, LEASES_MAP, MESH_LAYOUT, TaskBoard, clearForeignRoots, isNodeOrPipeline } from '../crdt/index.js';
import type { LatticeNode, LatticeNodeEvents, LinkInfo, MeshFaults, MeshState, MeshStatus, NodeIdentity, PeerInfo, Topology, TrafficReport, UplinkBudget } from './LatticeNode.js';
import { meshFaults } from './faults/faultCommands.js';
import { faultNames } from './faults/LinkFaults.js';
import { routeIn } from './topology.js';
import type { TransportFactory } from './MeshTransport.js';
import { MeshPresence } from './MeshPresence.js';
import { Uplink } from './budget/Uplink.js';
import { PeerMesh, type PeerMeshOptions } from './session/PeerMesh.js';
import { ephemeralCredentials, linkCredentials, type LinkCredentials, type NodeCredentials } from './trust/credentials.js';
import { BatchSealer, SealVerifier, type ProfileKeys } from './trust/batchSeal.js';
import { EquivocationLog, type Equivocation } from './trust/equivocation.js';
import { RoomAuthority } from './trust/RoomAuthority.js';
import { LeaseVacancy } from './trust/LeaseVacancy.js';
import { MeshMonitor } from './monitors/MeshMonitor.js';
import { attest, decisionMessage, type DecisionFields } from './trust/hybrid.js';
import { mapValueRefusal, mapValueSigner, sealMapValue } from './trust/mapSeal.js';
import { RoomDesk } from './RoomDesk.js';
import type { Invitation, RoomOwner } from './trust/invitation.js';

export interface MeshNodeOptions {
  readonly identity: NodeIdentity;
  /** This node's key and its operator's certificate for it, for `identity.nodeId`. */
  readonly credentials: NodeCredentials;
  readonly room: string;
  readonly transport: TransportFactory;
  /** Keep the document in IndexedDB (database `lattice-mesh:<room>`). Default true. */
  readonly persist?: boolean;
  /** Join the mesh once local data is loaded. Default true. */
  readonly autoConnect?: boolean;
  /** Problems found while configuring the node (e.g. in its URL), shown until resolved. */
  readonly configProblems?: readonly string[];
  /** The uplink budget to start with (default unlimited). */
  readonly budget?: { bytesPerSecond: number; burstBytes?: number };
  /** This node's wall clock (tests give a wrong one). Default `Date.now`. */
  readonly physicalNow?: () => number;
  /** Link cap, liveness, anti-entropy period and fault seed of the mesh (see `PeerMesh`). */
  readonly mesh?: Pick<PeerMeshOptions, 'maxLinks' | 'silenceMs' | 'antiEntropyMs' | 'faultSeed'>;
  /**
   * Keys this browser profile keeps for its other node ids (tabs that closed): batches such a
   * node wrote and never sent are published signed with its own key. Without it, they are not
   * published (this node cannot vouch for them).
   */
  readonly profileKeys?: ProfileKeys | undefined;
  /**
   * An owned room: its owner (the room id carries its keys). Without it the room is open: anyone
   * who reaches it writes.
   */
  readonly owner?: RoomOwner | undefined;
  /** The room's name as people gave it (default: the room id). */
  readonly roomName?: string | undefined;
  /** An invitation this node opened (from its link), or why the one it opened cannot be used. */
  readonly invitation?: Invitation | undefined;
  readonly invitationProblem?: string | undefined;
}

/** How long a wrong-password warning stays after the last undecryptable message. */
const UNDECRYPTABLE_HOLD_MS = 30_000;
/** A peer whose messages were refused is named in `problem` this long after the last one. */
const REFUSAL_SHOWN_MS = 30_000;
/** Digest publishing is coalesced: at most one awareness update per this many ms. */
const DIGEST_DELAY_MS = 50;
/**
 * ...and at most one per this many ms while changes keep coming: every node's presence floods
 * the mesh, so a digest per write would cost N² messages a write (measured: 2,700 messages and
 * 730 KB per write at 20 nodes, 95 % of them presence).
 */
const DIGEST_INTERVAL_MS = 1000;
/** How often this node compares its clock with its peers' (they report theirs every 5 s). */
const CLOCK_CHECK_MS = 1000;
/**
 * With a budget, presence (≈ 250 bytes with the digest) may take about 5 % of it: at 1 kB/s one
 * update per 5 s, at 8 kB/s one per 0.6 s.
 */
const PRESENCE_SHARE_BYTES_MS = 5_000_000;

export class MeshNode extends ObservableV2<LatticeNodeEvents> implements LatticeNode {
  private readonly claimed: NodeIdentity;
  readonly room: string;
  /** An owned room's admissions and revocations as this node reads them (none in an open room). */
  readonly roomAuthority: RoomAuthority | undefined;
  private readonly leaseVacancy: LeaseVacancy | undefined;
  /** Checks the rules the mesh promises while the node runs (`monitors/rules.ts`). */
  readonly monitor: MeshMonitor;
  readonly authority: RoomDesk;
  /** The node's own document: the UI, the pipeline worker and IndexedDB work on it. */
  readonly doc = new Y.Doc();
  readonly store: EntityStore;
  /** The mesh document, its gateway and the budget (see `Uplink`). */
  readonly uplink: Uplink;
  readonly approvals: ApprovalDesk;
  readonly tasks: TaskBoard;
  /** Presence, on the mesh document. */
  readonly awareness: Awareness;
  readonly transport: PeerMesh;
  readonly faults: MeshFaults;
  readonly whenReady: Promise<void>;
  /** The node key, its certificate, and this instance's peer id derived from them. */
  readonly credentials: LinkCredentials;
  /** Checks the seal of every batch a peer sends (counts what it verified and refused). */
  readonly seals: SealVerifier;
  private readonly presence: MeshPresence;
  private readonly equivocationLog = new EquivocationLog();
  private readonly sealer: BatchSealer;
  private readonly persistence: IndexeddbPersistence | undefined;
  private readonly configProblems: readonly string[];
  private persistenceProblem: string | undefined;
  private digestCache: string | undefined;
  private transportRejected = 0;
  private undecryptableAt = 0;
  private undecryptableSource = '';
  private joinedAt = 0;
  private digestTimer: ReturnType<typeof setTimeout> | undefined;
  private digestPublishedAt = 0;
  private clockTimer: ReturnType<typeof setInterval> | undefined;
  private statusQueued = false;
  private destroyed = false;
  private readonly unsubscribeStore: () => void;

  /** A node with `options.credentials`, or fresh ones kept in memory (it is its own operator). */
  static async create(options: Omit<MeshNodeOptions, 'credentials'> & { readonly credentials?: NodeCredentials }): Promise<MeshNode> {
    return new MeshNode({ ...options, credentials: options.credentials ?? (await ephemeralCredentials(options.identity.nodeId)) });
  }

  constructor(options: MeshNodeOptions) {
    super();
    if (options.credentials.nodeId !== options.identity.nodeId) throw new Error(`the credentials are for node ${options.credentials.nodeId}, not ${options.identity.nodeId}`);
    this.claimed = options.identity;
    this.credentials = linkCredentials(options.credentials);
    this.room = options.room;
    this.configProblems = options.configProblems ?? [];
    const physicalNow = options.physicalNow ?? (() => Date.now());
    const authority = options.owner ? new RoomAuthority(options.room, options.owner, options.credentials.operator.publicKey, physicalNow) : undefined;
    this.roomAuthority = authority;
    this.store = new EntityStore(this.doc, { node: options.identity.nodeId, physicalNow, ...(authority ? { counts: authority.counts } : {}) });
    // Every batch and presence this node publishes is signed with its key; every one a peer sends is checked.
    this.seals = new SealVerifier(options.room, options.owner);
    this.sealer = new BatchSealer(options.room, this.credentials, options.profileKeys, () => authority?.chain() ?? []);
    this.authority = new RoomDesk({
      room: options.room,
      name: options.roomName ?? options.room,
      authority,
      store: this.store,
      credentials: options.credentials,
      claimedRole: () => this.claimed.role,
      selfName: () => this.claimed.name,
      invitation: options.invitation,
      invitationProblem: options.invitationProblem,
      peers: () => this.presence.verified(),
      now: physicalNow,
      changed: () => this.queueStatus(),
    });
    if (authority) {
      authority.attach(this.store);
      authority.on('change', () => {
        // Admitted (or revoked): presence says so, and the UI follows the role.
        this.presence.publish();
        this.queueStatus();
      });
    }
    this.uplink = new Uplink(this.store, {
      node: options.identity.nodeId,
      physicalNow,
      budget: options.budget,
      fanOut: () => this.transport.links().length,
      sealer: this.sealer,
      batchCheck: this.seals.check,
      mapSealer: (map, key, value) => {
        // Only a lease this node holds is its to sign; the run is any writer's.
        if (map === LEASES_MAP && !(typeof value.holder === 'string' && isNodeOrPipeline(value.holder, this.claimed.nodeId))) return Promise.resolve(undefined);
        return sealMapValue(options.room, map, key, value, this.credentials, authority?.chain() ?? [], physicalNow());
      },
    });
    // In an owned room a decision is signed with both halves: the batch's seal, and this ML-DSA attestation.
    const attestDecision = (d: DecisionFields) => attest(this.credentials.pq, this.store.wallNow(), (at) => decisionMessage(options.room, d, at));
    const actor = () => ({ role: this.identity.role, name: this.identity.name, key: this.credentials.operatorFingerprint, ...(authority ? { attest: attestDecision } : {}) });
    this.approvals = new ApprovalDesk(this.store, actor);
    this.tasks = new TaskBoard(this.store, actor);
    this.leaseVacancy = authority ? new LeaseVacancy(this.uplink.doc, authority, () => this.queueStatus()) : undefined;
    this.monitor = new MeshMonitor({
      store: this.store,
      physicalNow,
      traffic: () => this.uplink.traffic(),
      changed: () => this.queueStatus(),
      // The picture rebuilt from a copy of the document alone, by the same rules (the store rule).
      rebuildDigest: () => {
        const copy = new Y.Doc();
        Y.applyUpdate(copy, Y.encodeStateAsUpdate(this.doc));
        const rebuilt = new EntityStore(copy, { node: options.identity.nodeId, physicalNow, rewriteOwn: false, ...(authority ? { counts: authority.counts } : {}) });
        try {
          return rebuilt.digest();
        } finally {
          rebuilt.destroy();
          copy.destroy();
        }
      },
    });
    this.awareness = new Awareness(this.uplink.doc);
    this.presence = new MeshPresence({
      awareness: this.awareness,
      room: options.room,
      credentials: this.credentials,
      physicalNow,
      mesh: () => this.transport,
      identity: () => this.identity,
      joinedAt: () => this.joinedAt,
      digest: () => this.digest(),
      extra: () => this.authority.presenceFields(),
      onJoinRequest: () => this.authority.admitJoiners(),
      changed: () => this.queueStatus(),
    });
    const peerId = this.credentials.peerId;
    const providers = options.transport(peerId, { rejected: this.onTransportRejected, undecryptable: this.onUndecryptable });
    this.transport = new PeerMesh(
      {
        nodeId: options.identity.nodeId,
        name: options.identity.name,
        room: options.room,
        credentials: this.credentials,
        doc: this.uplink.doc,
        awareness: this.awareness,
        store: this.uplink.store,
        pacer: this.uplink.pacer,
        repair: (b) => this.uplink.repair(b),
        batchCheck: this.seals.check,
        mapCheck: (root, key, value) => mapValueRefusal(options.room, options.owner?.key, root, key, value),
        presenceCheck: this.presence.check,
        wallNow: physicalNow,
      },
      { ...providers, ...options.mesh },
    );
    this.faults = meshFaults(this.transport, () => this.topology(), () => this.presence.seen());
    this.transport.on('links', this.onLinks);
    this.transport.on('rejected', this.onTransportRejected);
    this.transport.on('undecryptable', this.onUndecryptable);
    this.transport.on('replaced', this.queueStatus);
    this.unsubscribeStore = this.store.watch(this.scheduleDigest);
    // Any document change may change the digest; the store's change events are the usual path.
    this.doc.on('update', () => {
      this.digestCache = undefined;
    });
    this.store.on('rejected', this.queueStatus);
    this.uplink.store.on('rejected', this.queueStatus);
    this.uplink.store.on('conflict', (conflict) => {
      this.equivocationLog.observe(conflict);
      this.queueStatus();
    });

    if (options.persist ?? true) {
      const persistence = new IndexeddbPersistence(`lattice-mesh:${options.room}`, this.doc);
      this.persistence = persistence;
      this.whenReady = new Promise<void>((resolve) => {
        void persistence.whenSynced.then(() => resolve());
        // y-indexeddb never settles whenSynced when the database cannot be opened (private
        // windows, full disks): run from memory then, and say so.
        (persistence as unknown as { _db: Promise<unknown> })._db.catch((error: unknown) => {
          this.persistenceProblem = `This browser refused local storage (${error instanceof Error ? error.message : String(error)}); the node works but forgets everything on reload.`;
          console.warn(`lattice: ${this.persistenceProblem}`);
          resolve();
        });
      });
    } else {
      this.whenReady = Promise.resolve();
    }
    // What an older version stored outside the layout (admission keeps it out now) is emptied.
    this.whenReady = this.whenReady.then(() => {
      const cleared = clearForeignRoots(this.doc, MESH_LAYOUT);
      if (cleared > 0) console.warn(`lattice: removed ${cleared} stored items that belong to no part of the picture`);
    });
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.queueStatus);
      window.addEventListener('offline', this.queueStatus);
    }
    if (options.autoConnect ?? true) {
      void this.whenReady.then(() => {
        if (!this.destroyed) this.connect();
      });
    }
  }

  /**
   * Who this node is: in an owned room its role is what its membership gives (an owner or
   * operator writes and decides; a viewer or a guest reads), not what it says of itself.
   */
  get identity(): NodeIdentity {
    if (!this.roomAuthority) return this.claimed;
    const standing = this.roomAuthority.standing();
    const role = standing && standing.role !== 'viewer' ? 'operator' : 'viewer';
    return role === this.claimed.role ? this.claimed : { ...this.claimed, role };
  }

  connect(): void {
    if (this.destroyed || this.transport.connected) return;
    this.joinedAt = Date.now();
    this.transport.connect();
    clearInterval(this.clockTimer);
    this.clockTimer = setInterval(() => {
      this.checkClock();
      // A join proof that could not be answered when it came (an admission in flight, a
      // membership not read yet) is looked at again; cheap when nobody waits. Memberships this
      // node issued that run out soon are renewed for members still here.
      this.authority.admitJoiners();
      this.authority.renewMemberships();
    }, CLOCK_CHECK_MS);
    // The mesh clears our awareness state on disconnect (telling the others we left); publish it again.
    this.presence.publish();
    this.queueStatus();
  }

  disconnect(): void {
    if (!this.transport.connected) return;
    this.transport.disconnect();
    this.uplink.clear();
    clearInterval(this.clockTimer);
    // No peers, no evidence: the fence lifts (peers hold what a wrong clock stamps ahead).
    this.checkClock();
    this.presence.forgetOthers();
    this.queueStatus();
  }

  status(): MeshStatus {
    const peers = this.peers();
    const links = this.transport.links();
    const connected = this.transport.connected;
    const state: MeshState = !connected ? 'offline' : links.length > 0 ? 'online' : 'connecting';
    const health = this.store.health();
    const meshHealth = this.uplink.store.health();
    return {
      room: this.room,
      state,
      signaling: this.transport.signaling,
      signalingConnected: connected && this.transport.signalingConnected(),
      networkOnline: typeof navigator === 'undefined' ? true : navigator.onLine,
      peers,
      rejectedMessages:
        this.transportRejected + this.presence.rejected + health.rejectedBatches + health.rejectedWrites + meshHealth.rejectedBatches + meshHealth.rejectedWrites,
      problem: this.problem(),
      linkReplacements: this.transport.replacedLinks,
      joinedAt: this.joinedAt === 0 ? undefined : this.joinedAt,
      rejectedByPeer: this.transport.refusalsByPeer(),
      faults: this.transport.faults.active().filter((f) => faultNames(f.spec).includes(this.identity.nodeId)).length,
      repairs: this.transport.repairs,
      fingerprint: this.credentials.fingerprint,
      operatorFingerprint: this.credentials.operatorFingerprint,
      equivocations: this.equivocationLog.list().length,
      roomInfo: this.authority.info(),
      uncounted: this.store.uncountedBatches,
      checks: this.monitor.report(),
    };
  }

  evidence(): readonly Equivocation[] {
    return this.equivocationLog.list();
  }

  links(): LinkInfo[] {
    return this.transport.sessionInfo().map((s) => ({
      peerId: s.peerId,
      nodeId: s.nodeId,
      name: s.name,
      kind: s.kind,
      since: s.since,
      lastHeard: s.lastHeard ?? s.since,
      policy: s.policy,
      faulted: s.faults,
      rejected: s.stats.rejected,
      antiEntropy: { rounds: s.stats.digests, syncRepairs: s.stats.syncRepairs, rangeRepairs: s.stats.rangeRepairs, entities: s.stats.entitiesRepaired },
      verified: s.verified,
      fingerprint: s.fingerprint,
    }));
  }

  topology(): Topology {
    return this.presence.topology();
  }

  /**
   * Pipeline lease holders whose leases count as vacant here: signed under a key the owner had
   * revoked (`LeaseVacancy`). The page's pipeline host passes them to its worker.
   */
  vacantLeaseHolders(): readonly string[] {
    return this.leaseVacancy?.list() ?? [];
  }

  /** Whether a pipeline map value (the run) counts here: not signed under a key revoked before. */
  mapValueCounts(value: unknown): boolean {
    const signer = this.roomAuthority ? mapValueSigner(value) : undefined;
    return signer === undefined || !this.roomAuthority!.revokedBefore(signer.keys, signer.at);
  }

  route(nodeId: string): string[] | undefined {
    return routeIn(this.topology(), this.identity.nodeId, nodeId);
  }

  antiEntropy(): void {
    this.transport.antiEntropy();
  }

  /** Other nodes, from awareness: who they are, how we hear them, whether we have converged. */
  peers(): PeerInfo[] {
    return this.presence.peers(this.digest());
  }

  budget(): UplinkBudget {
    return this.uplink.budget();
  }

  setBudget(budget: { bytesPerSecond: number; burstBytes?: number }): UplinkBudget {
    const valid = this.uplink.setBudget(budget);
    this.queueStatus();
    return valid;
  }

  traffic(): TrafficReport {
    return this.uplink.traffic();
  }

  override async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.digestTimer);
    clearInterval(this.clockTimer);
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.queueStatus);
      window.removeEventListener('offline', this.queueStatus);
    }
    this.unsubscribeStore();
    this.monitor.destroy();
    this.leaseVacancy?.destroy();
    this.roomAuthority?.destroy();
    this.presence.destroy();
    this.transport.destroy();
    this.awareness.destroy();
    this.uplink.destroy();
    if (this.persistence) await this.persistence.destroy();
    this.store.destroy();
    this.doc.destroy();
    super.destroy();
  }

  private problem(): string | undefined {
    const fence = this.store.clockFence;
    if (fence !== undefined) return new ClockFencedError(fence, this.store.clock.maxOffsetMs).message;
    // Shown while such messages keep coming, and for as long as no node is reachable at all.
    const recent = Date.now() - this.undecryptableAt < UNDECRYPTABLE_HOLD_MS;
    if (this.undecryptableAt > 0 && (recent || this.transport.links().length === 0)) {
      return (
        `Messages from other nodes in room "${this.room}" (${this.undecryptableSource}) cannot be decrypted: ` +
        'they use a different room password, or one side uses none. Give every node the same password (Mesh tab, Password).'
      );
    }
    const slowed = this.transport.slowedPeers();
    if (slowed.length > 0) {
      const who = slowed.map((p) => `${p.name}${p.dropped > 0 ? ` (${p.dropped} messages dropped)` : ''}`).join(', ');
      return `${who} ${slowed.length === 1 ? 'sends' : 'send'} more than a peer's share; ${slowed.length === 1 ? 'its' : 'their'} messages are slowed so that the others keep flowing.`;
    }
    const refused = this.transport.recentRefusals(REFUSAL_SHOWN_MS);
    if (refused.length > 0) {
      const [first] = refused;
      const others = refused.length > 1 ? ` (and ${refused.length - 1} other peer${refused.length > 2 ? 's' : ''})` : '';
      return `${first!.name} sent ${first!.count} message${first!.count === 1 ? '' : 's'} this node refused${others}, last: ${first!.last}. Nothing of it was applied; a node that keeps doing this is faulty or hostile.`;
    }
    const equivocation = this.equivocationLog.summary();
    if (equivocation) return equivocation;
    const held = this.uplink.store.health().held;
    if (held.count > 0) {
      return `${held.count} change${held.count === 1 ? '' : 's'} from ${held.nodes.join(', ')} ${held.count === 1 ? 'is' : 'are'} stamped up to ${Math.round(held.aheadMs / 1000)} s ahead of this node's clock and held until then: that node's clock is probably wrong.`;
    }
    return this.persistenceProblem ?? this.configProblems[0];
  }

  /** The store's digest, cached until the next entity change (status() is called often). */
  private digest(): string {
    return (this.digestCache ??= this.store.digest());
  }

  private readonly scheduleDigest = (): void => {
    this.digestCache = undefined;
    this.queueStatus();
    if (this.digestTimer !== undefined) return;
    const { bytesPerSecond } = this.uplink.budget();
    const share = bytesPerSecond > 0 ? PRESENCE_SHARE_BYTES_MS / bytesPerSecond : 0;
    const delay = Math.max(DIGEST_DELAY_MS, share, this.digestPublishedAt + DIGEST_INTERVAL_MS - Date.now());
    this.digestTimer = setTimeout(() => {
      this.digestTimer = undefined;
      this.digestPublishedAt = Date.now();
      this.presence.publish();
    }, delay);
  };

  /**
   * Fences this node while its clock disagrees with the median of the mesh's (its linked peers'
   * and its own) by more than the maximum offset, so a lone wrong clock among several is the one
   * fenced, and lifts the fence once it agrees again.
   */
  private checkClock(): void {
    // This node counts as one voice (offset 0). With an even count the middle value nearer to
    // ours is taken: two nodes that disagree cannot tell who is wrong, and neither is fenced.
    const offsets = [0, ...this.transport.peerClockOffsets()].sort((a, b) => a - b);
    const mid = offsets.length / 2;
    const median = offsets.length % 2 === 1 ? offsets[Math.floor(mid)]! : [offsets[mid - 1]!, offsets[mid]!].sort((x, y) => Math.abs(x) - Math.abs(y))[0]!;
    // The peers' clocks are `median` ahead of ours: ours is `-median` off.
    const off = Math.abs(median) > this.store.clock.maxOffsetMs ? -median : undefined;
    if (off === this.store.clockFence || (off !== undefined && this.store.clockFence !== undefined && Math.abs(off - this.store.clockFence) < 1000)) return;
    this.store.setClockFence(off);
    this.queueStatus();
  }

  private readonly onLinks = (): void => {
    // Presence lists this node's links (the topology others draw and route signals by).
    if (this.presence.linksChanged()) this.presence.publish();
    this.uplink.kick();
    this.queueStatus();
  };

  private readonly onTransportRejected = (reason: string): void => {
    this.transportRejected++;
    // A hostile peer can send thousands; the count is in status(), the console gets a sample.
    if (this.transportRejected <= 10 || this.transportRejected % 1000 === 0) {
      console.warn(`lattice: rejected message #${this.transportRejected} from a peer (${reason})`);
    }
    this.queueStatus();
  };

  private readonly onUndecryptable = (source: string): void => {
    const first = this.undecryptableAt === 0 || Date.now() - this.undecryptableAt >= UNDECRYPTABLE_HOLD_MS;
    this.undecryptableAt = Date.now();
    this.undecryptableSource = source;
    if (first) console.warn(`lattice: ${this.problem()}`);
    this.queueStatus();
  };

  /** Coalesces status events: many changes in one task give one event. */
  private readonly queueStatus = (): void => {
    if (this.statusQueued || this.destroyed) return;
    this.statusQueued = true;
    queueMicrotask(() => {
      this.statusQueued = false;
      if (!this.destroyed) this.emit('status', [this.status()]);
    });
  };
}
