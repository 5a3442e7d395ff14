/**
 * One session per peer link: the whole per-peer protocol, whatever the link (WebRTC data
 * channel, BroadcastChannel, memory). It runs Yjs sync (step 1, step 2, updates), awareness,
 * splitting and reassembling large messages, validation with every refusal counted and named,
 * pacing under the uplink budget, link faults, liveness, relayed signaling and anti-entropy.
 *
 * Every message from the peer is untrusted: an error while reading or applying it is caught,
 * counted against this peer and reported, never thrown into the page and never only logged.
 * Nothing but the handshake and liveness crosses the link until each end has proven its node
 * key for this link (`handshake.ts`); a failed proof closes it.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { BatchCheck, EntityStore, MapCheck, RawBatch } from '../../crdt/index.js';
import type { Link } from '../link/Link.js';
import type { MessageKind, Pacer } from '../budget/Pacer.js';
import { admitAwareness, type AwarenessStateCheck } from './awarenessAdmission.js';
import { FaultGate } from '../faults/FaultGate.js';
import type { LinkPolicy } from '../faults/LinkFaults.js';
import { PartAssembler, splitIntoParts } from './parts.js';
import { MAX_CLOCK_RTT_MS, MAX_CONTROL_BYTES, MSG, isHandshake, isManagement } from './wire.js';
import { NONCE_BYTES, checkProof, encodeProof, proveLink, readProof, type LinkProof, type VerifiedPeer } from './handshake.js';
import type { LinkCredentials } from '../trust/credentials.js';

function finiteTime(t: number): number {
  if (!Number.isFinite(t) || t < 0) throw new Error('a clock message with a time that is not one');
  return t;
}
import { RangeTree, LEAF_DEPTH, differingIds, validChildHashes, validEntries, validHeld, validLeaves, validPrefixes, validWant } from './ranges.js';

/** What the mesh needs from its node: who it is, the shared document, the uplink. */
export interface MeshHost {
  readonly nodeId: string;
  readonly name: string;
  /** The room: proofs of keys are bound to it. */
  readonly room: string;
  /** This node's key and certificate, and this mesh instance's peer id derived from them. */
  readonly credentials: LinkCredentials;
  /** The shared (mesh) document and its awareness. */
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  /** The store over `doc`, for anti-entropy. */
  readonly store: EntityStore;
  readonly pacer: Pacer;
  /**
   * Adds batches received in a repair (to the mesh document and the node's own), those that
   * pass admission; returns why the first of the others was refused.
   */
  repair(batches: readonly unknown[]): string | undefined;
  /** Checks each batch in a peer's update before it is admitted (its seal: see `trust/batchSeal.ts`). */
  readonly batchCheck?: BatchCheck;
  /** Checks each value a peer's update puts into a map (its seal: see `trust/mapSeal.ts`). */
  readonly mapCheck?: MapCheck;
  /** Checks each state in a peer's presence update (its signature: see `trust/presenceSeal.ts`). */
  readonly presenceCheck?: AwarenessStateCheck;
  /** This node's wall clock (ms since the epoch). */
  wallNow(): number;
}

/** What a session needs from the mesh it belongs to. */
export interface SessionHost extends MeshHost {
  readonly peerId: string;
  readonly faultSeed: string;
  /**
   * Runs `apply` for a message of `bytes` from `session` now or in its turn (time slices, a
   * share per peer); false when the message was dropped because the peer is flooding.
   */
  inbound(session: PeerSession, bytes: number, apply: () => void): boolean;
  /**
   * Applies a peer's Yjs update to `doc` if it passes admission (the document's layout and
   * limits); else applies nothing and returns why.
   */
  applyUpdate(update: Uint8Array, from: PeerSession): string | undefined;
  policyFor(remoteNodeId: string | undefined): LinkPolicy;
  /** The fault table to tell a new peer (plain data). */
  faultTable(): unknown;
  /** The peer proved its key: the link carries data from now on. */
  onVerified(session: PeerSession): void;
  onFaults(payload: unknown, from: PeerSession): void;
  onSignal(payload: unknown, from: PeerSession): void;
  rejected(session: PeerSession, reason: string): void;
}

export interface SessionStats {
  messagesIn: number;
  bytesIn: number;
  rejected: number;
  /** Messages of the data plane dropped on arrival because the link is cut. */
  cutIn: number;
  /** Anti-entropy rounds that found this peer missing nothing, and those that repaired. */
  digests: number;
  syncRepairs: number;
  rangeRepairs: number;
  /** Entities sent or received in range repairs. */
  entitiesRepaired: number;
  repairBytes: number;
  /** Messages dropped because the peer sent more than its share and its backlog was full. */
  dropped: number;
  /** Data messages refused because the peer had not sent its proof yet. */
  unproven: number;
}

/** Where a link is in its handshake (see `handshake.ts`). */
export type LinkTrust = 'awaiting-proof' | 'verifying' | 'verified' | 'refused';

/** A peer has this long to prove its key once the link is up. */
export const HANDSHAKE_MS = 10_000;
/** Messages held while the peer's proof is being checked (an honest peer sends none before it). */
const MAX_HELD = 1024;

const PEER_NAME = /^.{1,40}$/su;
/** A range repair is given this long before another may start with the same peer. */
const RANGE_ROUND_MS = 3000;

/** Writes of several entities as batches, one per stamp (writes made together share theirs). */
/** Each batch once (an entity's batches are often another's too). */
function distinct(batches: readonly RawBatch[]): RawBatch[] {
  return [...new Set(batches)];
}

/** What tells two copies of a batch apart from other batches: its stamp and writes. */
function batchKey(batch: readonly unknown[]): string {
  return JSON.stringify(batch.filter((part) => !(part instanceof Uint8Array)));
}

export class PeerSession {
  readonly since = Date.now();
  lastHeard = Date.now();
  /** Frames the link brought (a count, where `lastHeard` cannot tell two in one millisecond). */
  framesIn = 0;
  remoteNodeId: string | undefined;
  remoteName: string | undefined;
  readonly gate: FaultGate;
  readonly stats: SessionStats = { messagesIn: 0, bytesIn: 0, rejected: 0, cutIn: 0, digests: 0, syncRepairs: 0, rangeRepairs: 0, entitiesRepaired: 0, repairBytes: 0, dropped: 0, unproven: 0 };
  private readonly assembler = new PartAssembler();
  private closed = false;
  /** Bytes sent while a repair is under way (its cost, for the figures). */
  private repairing = false;
  private rangeStartedAt = -Infinity;
  private digestSentAt = -Infinity;
  /** Our nonce, sent in our hello; the peer signs it. */
  private readonly nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  private theirNonce: Uint8Array | undefined;
  /** The node id the peer's hello claims (bound once its certificate is checked). */
  private claimedNodeId: string | undefined;
  private proofSent: Promise<void> | undefined;
  private trustState: LinkTrust = 'awaiting-proof';
  /** Who proved the other end, once it has. */
  peer: VerifiedPeer | undefined;
  private readonly held: Uint8Array[] = [];
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly link: Link,
    private readonly host: SessionHost,
    private readonly onClosed: (session: PeerSession, reason: string) => void,
  ) {
    this.gate = new FaultGate(`${host.faultSeed}|${host.peerId}|${link.remotePeerId}`);
  }

  get remotePeerId(): string {
    return this.link.remotePeerId;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get trust(): LinkTrust {
    return this.trustState;
  }

  /** Whether the peer proved its key (and we sent our proof): the link carries data. */
  get verified(): boolean {
    return this.trustState === 'verified';
  }

  /** A label for people: the peer's name, or its peer id until it said hello. */
  get label(): string {
    return this.remoteName ?? this.remotePeerId;
  }

  /** Starts the protocol: hello with our nonce; the rest once both ends have proven their keys. */
  start(): void {
    this.link.attach({ message: (bytes) => this.receive(bytes), closed: (reason) => this.finish(reason) });
    this.sendControl(MSG.hello, { nodeId: this.host.nodeId, name: this.host.name, nonce: this.nonce }, 'presence');
    this.handshakeTimer = setTimeout(() => this.refuseLink(`it did not prove its key within ${HANDSHAKE_MS / 1000} s`), HANDSHAKE_MS);
  }

  /** Both ends proved their keys: faults, sync step 1, everyone's presence. */
  private startData(): void {
    this.sendControl(MSG.faults, this.host.faultTable(), 'presence');
    this.sendSyncStep1();
    const clients = [...this.host.awareness.getStates().keys()];
    if (clients.length > 0) this.sendAwareness(awarenessProtocol.encodeAwarenessUpdate(this.host.awareness, clients), 'presence');
  }

  close(reason: string): void {
    if (this.closed) return;
    this.link.close(reason);
    this.finish(reason);
  }

  // ------------------------------------------------------------------ sending

  sendUpdate(update: Uint8Array, kind: MessageKind): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MSG.sync);
    encoding.writeVarUint(encoder, 2);
    encoding.writeVarUint8Array(encoder, update);
    this.send(encoding.toUint8Array(encoder), kind);
  }

  sendAwareness(update: Uint8Array, kind: MessageKind): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MSG.awareness);
    encoding.writeVarUint8Array(encoder, update);
    this.send(encoding.toUint8Array(encoder), kind);
  }

  sendSignal(payload: unknown): void {
    this.sendControl(MSG.signal, payload, 'presence');
  }

  sendFaults(table: unknown): void {
    this.sendControl(MSG.faults, table, 'presence');
  }

  ping(): void {
    this.send(Uint8Array.of(MSG.ping), 'presence');
  }

  /** Anti-entropy: tells the peer our resolved digest and state vector; it asks for what it lacks. */
  sendDigest(): void {
    this.digestSentAt = performance.now();
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MSG.digest);
    encoding.writeVarString(encoder, this.host.store.digest());
    encoding.writeVarUint8Array(encoder, Y.encodeStateVector(this.host.doc));
    this.send(encoding.toUint8Array(encoder), 'sync');
    this.probeClock();
  }

  /**
   * Asks the peer for its clock, unless a probe is still out and may yet measure: a new probe
   * would make the reply to the last one count for nothing, and digests that follow each other
   * faster than a round trip (a busy repair) would then never measure a clock at all.
   */
  probeClock(): void {
    const now = this.host.wallNow();
    if (this.probeSentAt !== undefined && now - this.probeSentAt >= 0 && now - this.probeSentAt <= MAX_CLOCK_RTT_MS) return;
    this.probeSentAt = now;
    this.sendClock(MSG.clockProbe, [], now);
  }

  /** A clock probe or reply: the given times, then our wall clock as it leaves. */
  private sendClock(type: number, times: readonly number[], now = this.host.wallNow()): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, type);
    for (const t of times) encoding.writeFloat64(encoder, t);
    encoding.writeFloat64(encoder, now);
    this.send(encoding.toUint8Array(encoder), 'presence');
  }

  applyPolicy(policy: LinkPolicy): void {
    const wasCut = this.gate.cut;
    this.gate.setPolicy(policy);
    // Healed: catch up on what the cut kept from either side.
    if (wasCut && !policy.cut) {
      this.sendSyncStep1();
      this.sendDigest();
    }
  }

  /**
   * Asks the peer for everything this node lacks (what Yjs held waiting for missing items was
   * dropped); at most once a second.
   */
  requestSync(): void {
    if (this.closed || performance.now() - this.syncRequestedAt < 1000) return;
    this.syncRequestedAt = performance.now();
    this.sendSyncStep1();
  }

  private syncRequestedAt = -Infinity;

  private sendSyncStep1(): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MSG.sync);
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint8Array(encoder, Y.encodeStateVector(this.host.doc));
    this.send(encoding.toUint8Array(encoder), 'sync');
  }

  private sendControl(type: number, payload: unknown, kind: MessageKind): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, type);
    encoding.writeAny(encoder, payload as Parameters<typeof encoding.writeAny>[1]);
    this.send(encoding.toUint8Array(encoder), kind);
  }

  /**
   * Through the link's faults, then the uplink budget, then the link as parts. Before the link
   * is verified only the handshake leaves: what is not sent then is covered by the sync and
   * presence exchange that starts once it is.
   */
  private send(message: Uint8Array, kind: MessageKind): void {
    if (this.closed || (!this.verified && !isHandshake(message[0]!))) return;
    if (this.repairing) this.stats.repairBytes += message.byteLength;
    this.gate.send(message, !isManagement(message[0]!), (m) => {
      if (this.closed) return;
      const parts = splitIntoParts(m, Math.min(this.link.maxMessageBytes, this.host.pacer.partBytes));
      this.host.pacer.submit(kind, parts, (part) => {
        if (this.closed) return;
        try {
          this.link.send(part);
        } catch (error) {
          this.close(`the link failed while sending (${error instanceof Error ? error.message : String(error)})`);
        }
      });
    });
  }

  // ------------------------------------------------------------------ receiving

  private receive(bytes: Uint8Array): void {
    if (this.closed) return;
    this.lastHeard = Date.now();
    this.framesIn++;
    this.stats.bytesIn += bytes.byteLength;
    let message: Uint8Array | null;
    try {
      message = this.assembler.receive(bytes);
    } catch (error) {
      this.reject(error);
      return;
    }
    if (message === null || message.byteLength === 0) {
      if (message !== null) this.reject(new Error('an empty message'));
      return;
    }
    this.stats.messagesIn++;
    const type = message[0]!;
    if (this.gate.cut && !isManagement(type)) {
      this.stats.cutIn++;
      return;
    }
    const whole = message;
    const accepted = this.host.inbound(this, whole.byteLength, () => {
      if (this.closed) return;
      try {
        this.dispatch(whole);
      } catch (error) {
        this.reject(error);
      }
    });
    if (!accepted) this.stats.dropped++;
  }

  private dispatch(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    if (!isHandshake(type) && !this.verified) {
      if (this.trustState === 'verifying') {
        // Sent after the proof we are checking: applied once it holds.
        if (this.held.length >= MAX_HELD) this.refuseLink(`it sent over ${MAX_HELD} messages while its proof was being checked`);
        else this.held.push(message);
        return;
      }
      this.stats.unproven++;
      throw new Error(`message type ${type} before the peer proved its key`);
    }
    switch (type) {
      case MSG.sync:
        return this.readSync(decoder);
      case MSG.awareness: {
        const update = decoding.readVarUint8Array(decoder);
        const verdict = admitAwareness(this.host.awareness, update, this.host.presenceCheck);
        if ('refused' in verdict) this.reject(verdict.refused);
        else if (verdict.update) awarenessProtocol.applyAwarenessUpdate(this.host.awareness, verdict.update, this);
        return;
      }
      case MSG.queryAwareness:
        this.sendAwareness(awarenessProtocol.encodeAwarenessUpdate(this.host.awareness, [...this.host.awareness.getStates().keys()]), 'presence');
        return;
      case MSG.ping:
        this.send(Uint8Array.of(MSG.pong), 'presence');
        return;
      case MSG.pong:
        return;
      case MSG.digest:
        return this.readDigest(decoding.readVarString(decoder), decoding.readVarUint8Array(decoder));
      case MSG.clockProbe:
        return this.sendClock(MSG.clockReply, [finiteTime(decoding.readFloat64(decoder))]);
      case MSG.clockReply:
        return this.readClock(finiteTime(decoding.readFloat64(decoder)), finiteTime(decoding.readFloat64(decoder)));
      case MSG.proof:
        return this.readProofMessage(decoder);
    }
    if (message.byteLength > MAX_CONTROL_BYTES) throw new Error(`a control message of ${message.byteLength} bytes (limit ${MAX_CONTROL_BYTES})`);
    const payload: unknown = decoding.readAny(decoder);
    switch (type) {
      case MSG.hello:
        return this.readHello(payload);
      case MSG.signal:
        return this.host.onSignal(payload, this);
      case MSG.faults:
        return this.host.onFaults(payload, this);
      case MSG.ranges:
        return this.readRanges(payload);
      case MSG.repair:
        return this.readRepair(payload);
      default:
        throw new Error(`unknown message type ${type}`);
    }
  }

  private readSync(decoder: decoding.Decoder): void {
    const step = decoding.readVarUint(decoder);
    const data = decoding.readVarUint8Array(decoder);
    if (step === 0) {
      // The peer's state vector: answer with what it lacks.
      const update = Y.encodeStateAsUpdate(this.host.doc, data);
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MSG.sync);
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarUint8Array(encoder, update);
      this.send(encoding.toUint8Array(encoder), 'sync');
      return;
    }
    if (step !== 1 && step !== 2) throw new Error(`unknown sync step ${step}`);
    // Applied here, not through y-protocols, which catches and only logs what fails.
    const refused = this.host.applyUpdate(data, this);
    if (refused !== undefined) this.reject(refused);
  }

  /** The peer's hello: who it says it is and its nonce, which our proof signs. */
  private readHello(payload: unknown): void {
    const r = payload as { nodeId?: unknown; name?: unknown; nonce?: unknown } | null;
    if (typeof r !== 'object' || r === null || typeof r.nodeId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(r.nodeId) || typeof r.name !== 'string' || !PEER_NAME.test(r.name)) {
      throw new Error('a hello without a valid node id and name');
    }
    if (!(r.nonce instanceof Uint8Array) || r.nonce.byteLength !== NONCE_BYTES) throw new Error(`a hello without a ${NONCE_BYTES}-byte nonce`);
    if (this.theirNonce !== undefined) throw new Error('a second hello on one link');
    this.theirNonce = r.nonce;
    this.claimedNodeId = r.nodeId;
    this.remoteName = r.name;
    const self = { peerId: this.host.peerId, nonce: this.nonce };
    this.proofSent = proveLink(this.host.credentials, this.host.room, self, { peerId: this.remotePeerId, nonce: r.nonce }).then((proof) => this.send(encodeProof(proof), 'presence'));
    // Signing cannot fail with a key WebCrypto made; if it does, the link cannot be proven.
    this.proofSent.catch((error: unknown) => this.close(`this node could not sign its proof (${error instanceof Error ? error.message : String(error)})`));
  }

  /** The peer's proof: checked, then the link carries data, or it is closed. */
  private readProofMessage(decoder: decoding.Decoder): void {
    if (this.trustState !== 'awaiting-proof') throw new Error('a second proof on one link');
    if (this.theirNonce === undefined || this.claimedNodeId === undefined) return this.refuseLink('it sent a proof before its hello');
    let proof: LinkProof;
    try {
      proof = readProof(decoder);
    } catch (error) {
      return this.refuseLink(error instanceof Error ? error.message : String(error));
    }
    this.trustState = 'verifying';
    const prover = { peerId: this.remotePeerId, nonce: this.theirNonce };
    const verifier = { peerId: this.host.peerId, nonce: this.nonce };
    void checkProof(proof, this.host.room, prover, verifier, this.claimedNodeId, this.host.wallNow())
      .then(async (check) => {
        if (this.closed) return;
        if (!check.ok) return this.refuseLink(check.reason);
        // Our proof leaves before our data, so the peer never takes our data for unproven.
        await this.proofSent;
        if (this.closed) return;
        clearTimeout(this.handshakeTimer);
        this.peer = check.peer;
        this.remoteNodeId = check.peer.nodeId;
        this.trustState = 'verified';
        this.host.onVerified(this);
        this.startData();
        for (const message of this.held.splice(0)) {
          if (this.closed) return;
          try {
            this.dispatch(message);
          } catch (error) {
            this.reject(error);
          }
        }
      })
      .catch((error: unknown) => this.refuseLink(`its proof could not be checked (${error instanceof Error ? error.message : String(error)})`));
  }

  /** The peer did not prove its key: counted and named, and the link closed. */
  private refuseLink(reason: string): void {
    if (this.closed) return;
    this.trustState = 'refused';
    this.held.length = 0;
    this.reject(new Error(`not linked: ${reason}`));
    this.close(`the peer did not prove its key: ${reason}`);
  }

  // ------------------------------------------------------------------ anti-entropy

  /** The peer's wall clock less ours, from the last round trip (NTP's estimate)... */
  clockOffsetMs: number | undefined;
  /** ...which is off by at most this much (half the round trip). */
  clockErrorMs = 0;
  private probeSentAt: number | undefined;

  /**
   * What the offset is at least, by its sign: the offset less its uncertainty (0 when the
   * uncertainty covers it), so a sample from a round trip that waited in a queue (an uplink
   * budget, a busy page) can never make an honest clock look wrong.
   */
  get certainClockOffsetMs(): number | undefined {
    const o = this.clockOffsetMs;
    return o === undefined ? undefined : Math.sign(o) * Math.max(0, Math.abs(o) - this.clockErrorMs);
  }

  /** A reply to our probe sent at `sent` (our clock), answered at `theirs` (the peer's). */
  private readClock(sent: number, theirs: number): void {
    const now = this.host.wallNow();
    const rtt = now - sent;
    // A reply to a probe we never sent (or not the last), or one too late to say much, measures nothing.
    if (sent !== this.probeSentAt || rtt < 0 || rtt > MAX_CLOCK_RTT_MS) return;
    this.probeSentAt = undefined;
    this.clockOffsetMs = theirs - (sent + now) / 2;
    this.clockErrorMs = rtt / 2;
  }

  private readDigest(digest: string, vector: Uint8Array): void {
    const theirs = Y.decodeStateVector(vector);
    const ours = Y.decodeStateVector(Y.encodeStateVector(this.host.doc));
    let weLack = false;
    let theyLack = false;
    for (const [client, clock] of theirs) if (clock > (ours.get(client) ?? 0)) weLack = true;
    for (const [client, clock] of ours) if (clock > (theirs.get(client) ?? 0)) theyLack = true;
    this.stats.digests++;
    if (weLack) {
      // Yjs's own repair: the peer sends exactly the structs after our state vector.
      this.stats.syncRepairs++;
      this.sendSyncStep1();
      return;
    }
    if (theyLack || digest === this.host.store.digest()) return;
    // Sync says nothing is missing either way, yet the resolved states differ: compare ranges.
    // One side leads, so a divergence is repaired once; the other tells it, with its own digest.
    if (this.host.peerId < this.remotePeerId) {
      // One round at a time: digests crossing in flight would start a second, duplicate one.
      if (performance.now() - this.rangeStartedAt < RANGE_ROUND_MS) return;
      this.rangeStartedAt = performance.now();
      this.stats.rangeRepairs++;
      this.repairing = true;
      this.sendControl(MSG.ranges, { prefixes: [''], hashes: this.tree().children(['']) }, 'sync');
      this.repairing = false;
    } else if (performance.now() - this.digestSentAt >= RANGE_ROUND_MS / 3) {
      this.sendDigest();
    }
  }

  private tree(): RangeTree {
    return new RangeTree(this.host.store.entityHashes());
  }

  private readRanges(payload: unknown): void {
    const r = payload as { prefixes?: unknown; hashes?: unknown; leaves?: unknown; entries?: unknown; held?: unknown } | null;
    if (typeof r !== 'object' || r === null) throw new Error('a range message that is not an object');
    this.repairing = true;
    try {
      const tree = this.tree();
      if (r.prefixes !== undefined) {
        if (!validPrefixes(r.prefixes) || !validChildHashes(r.hashes, r.prefixes.length)) throw new Error('a malformed range digest');
        const differing = tree.differing(r.prefixes, r.hashes);
        if (differing.length === 0) return;
        if (differing[0]!.length === LEAF_DEPTH) {
          const entries = tree.entries(differing);
          this.sendControl(MSG.ranges, { leaves: differing, entries, held: entries.map(([id]) => this.host.store.entityWriteKeys(id)) }, 'sync');
        }
        else this.sendControl(MSG.ranges, { prefixes: differing, hashes: tree.children(differing) }, 'sync');
        return;
      }
      if (!validLeaves(r.leaves) || !validEntries(r.entries) || !validHeld(r.held, r.entries.length)) throw new Error('malformed range entries');
      const ids = differingIds(tree.entries(r.leaves), r.entries);
      if (ids.length === 0) return;
      const held = r.held as string[][];
      const theyHold = new Map(r.entries.map(([id], i) => [id, held[i]!]));
      this.sendRepair(ids, theyHold);
    } finally {
      this.repairing = false;
    }
  }

  /**
   * Sends the batches holding our writes of `ids` that would win at the peer (whole: they are
   * signed as written), and asks for the peer's writes that would win here, by key.
   */
  private sendRepair(ids: readonly string[], theyHold: ReadonlyMap<string, readonly string[]>): void {
    const store = this.host.store;
    const batches = distinct(ids.flatMap((id) => store.entityBatches(id, theyHold.get(id))));
    const want = ids.flatMap((id) => {
      const keys = store.entityKeysToFetch(id, theyHold.get(id) ?? []);
      return keys.length > 0 ? [[id, keys] as [string, string[]]] : [];
    });
    this.stats.entitiesRepaired += ids.length;
    this.sendControl(MSG.repair, { batches, want }, 'sync');
  }

  private readRepair(payload: unknown): void {
    const r = payload as { batches?: unknown; want?: unknown } | null;
    if (typeof r !== 'object' || r === null || !Array.isArray(r.batches) || !validWant(r.want)) throw new Error('a malformed repair');
    const refused = this.host.repair(r.batches);
    if (refused !== undefined) this.reject(new Error(`a repair holding ${refused}`));
    if (r.want.length === 0) return;
    // Send back what the peer asked for that its repair did not already bring.
    const received = new Set<string>();
    for (const b of r.batches) if (Array.isArray(b)) received.add(batchKey(b));
    const batches = distinct(r.want.flatMap(([id, keys]) => this.host.store.entityBatchesHolding(id, keys))).filter((b) => !received.has(batchKey(b)));
    if (batches.length === 0) return;
    this.repairing = true;
    this.stats.entitiesRepaired += r.want.length;
    this.sendControl(MSG.repair, { batches, want: [] }, 'sync');
    this.repairing = false;
  }

  // ------------------------------------------------------------------ upkeep

  private reject(error: unknown): void {
    this.stats.rejected++;
    this.host.rejected(this, error instanceof Error ? error.message : String(error));
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.handshakeTimer);
    this.held.length = 0;
    this.gate.clear();
    this.onClosed(this, reason);
  }
}
