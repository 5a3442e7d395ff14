/**
 * The mesh transport: one `PeerSession` per link, whatever the links are. It carries the mesh
 * document and its awareness to every session (and what one peer sends on to the others, so a
 * partial mesh still converges), finds peers through connectors (a signaling server, a
 * BroadcastChannel, a memory network) and through the mesh itself (signaling relayed by a
 * common peer), keeps at most `maxLinks` links, replaces silent links, holds the link faults,
 * and runs anti-entropy between linked peers.
 */
import * as Y from 'yjs';
import { ObservableV2 } from 'lib0/observable';
import * as awarenessProtocol from 'y-protocols/awareness';
import { ImportOrigin, UpdateAdmission, type DocLayout } from '../../crdt/index.js';
import type { LinkKind } from '../LatticeNode.js';
import type { TransportEvents, TransportLink } from '../MeshTransport.js';
import type { MessageKind } from '../budget/Pacer.js';
import { isTrafficOrigin } from '../budget/trafficOrigin.js';
import type { Connector, Link, LinkSink } from '../link/Link.js';
import type { Dialer, SignalRoute } from '../link/Dialer.js';
import { FaultTable, readFaults, type Fault, type FaultSpec, type LinkPolicy } from '../faults/LinkFaults.js';
import { seededRandom, type FaultCounts } from '../faults/FaultGate.js';
import { readPresence } from '../presence.js';
import { PeerSession, type MeshHost, type SessionHost, type SessionStats } from './PeerSession.js';
import { InboundScheduler, type InboundOptions } from './InboundScheduler.js';

export interface PeerMeshOptions {
  /** Ways of meeting peers (started on connect). */
  readonly connectors: readonly Connector[];
  /** Opens links to peers known from presence, with signals relayed through the mesh. */
  readonly dialer?: Dialer | undefined;
  /** Signaling servers, for status. */
  readonly signaling?: readonly string[];
  readonly signalingConnected?: () => boolean;
  /** At most this many links; beyond, the node keeps a partial mesh and updates travel through relays. */
  readonly maxLinks?: number;
  /** A link silent this long is closed (and replaced); quiet links are pinged at half of it. 0: never. */
  readonly silenceMs?: number;
  /** Linked peers compare digests this often (and after every heal). */
  readonly antiEntropyMs?: number;
  /** Seeds the randomness of link faults (memory runs replay). */
  readonly faultSeed?: string;
  /** Time slices and each peer's share of what this node applies (see `InboundScheduler`). */
  readonly inbound?: InboundOptions;
  /** What the shared document may hold; peers' updates that do not fit are refused. */
  readonly layout?: DocLayout;
}

export type { MeshHost } from './PeerSession.js';

/** One link as the Mesh tab shows it. */
export interface SessionInfo extends TransportLink {
  readonly nodeId: string | undefined;
  readonly name: string | undefined;
  readonly policy: LinkPolicy;
  readonly faults: FaultCounts;
  readonly stats: SessionStats;
  /** Whether the peer proved its key on this link, and that key's fingerprint once it has. */
  readonly verified: boolean;
  readonly fingerprint: string | undefined;
}

export const DEFAULT_MAX_LINKS = 8;
const TICK_MS = 500;
const DIAL_BACKOFF_MS = 3000;
const RELAY_TTL = 3;
const SEEN_SIGNALS = 1024;
/** Relayed updates leave merged, at most once per this many ms while they keep coming. */
const RELAY_MS = 20;
/**
 * A second link for a peer we have a session with replaces it only if the peer does not answer
 * on the old one within this long after a ping (a link is pinged after 2 s of quiet anyway, so
 * even a budgeted peer sends something in this time).
 */
export const PROBE_MS = 1500;

/** A new link waiting while we check whether the peer still answers on its old one. */
interface Probe {
  readonly session: PeerSession;
  readonly link: Link;
  readonly at: number;
  /** The old session's `framesIn` when the probe was sent: any frame after it is an answer. */
  readonly framesIn: number;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class PeerMesh extends ObservableV2<TransportEvents> {
  readonly peerId: string;
  readonly signaling: readonly string[];
  readonly faults: FaultTable;
  readonly maxLinks: number;
  private readonly sessions = new Map<string, PeerSession>();
  private readonly probes = new Map<string, Probe>();
  private readonly silenceMs: number;
  private readonly antiEntropyMs: number;
  private readonly faultSeed: string;
  private readonly lastDial = new Map<string, number>();
  private readonly seenSignals = new Set<string>();
  private signalCounter = 0;
  private isConnected = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastAntiEntropy = 0;
  private replaced = 0;
  /** Refused messages per peer label (bounded: a liar can invent names). */
  private readonly refusals = new Map<string, { count: number; last: string; at: number }>();
  /** Repairs by sessions that have closed. */
  private pastRepairs = 0;
  private readonly meshRoute: SignalRoute;
  private readonly random: () => number;
  private readonly inbound: InboundScheduler<PeerSession>;
  /** Checks every peer's update against the document's layout before it is applied. */
  readonly admission: UpdateAdmission;

  constructor(
    private readonly host: MeshHost,
    private readonly options: PeerMeshOptions,
  ) {
    super();
    // Derived from the node key: a peer proves it on every link (see `handshake.ts`).
    this.peerId = host.credentials.peerId;
    this.signaling = [...(options.signaling ?? [])];
    this.maxLinks = options.maxLinks ?? DEFAULT_MAX_LINKS;
    this.silenceMs = options.silenceMs ?? 4000;
    this.antiEntropyMs = options.antiEntropyMs ?? 5000;
    this.faultSeed = options.faultSeed ?? 'lattice';
    this.faults = new FaultTable(host.nodeId);
    this.random = seededRandom(`${this.faultSeed}|${this.peerId}`);
    this.inbound = new InboundScheduler(options.inbound);
    this.admission = new UpdateAdmission(host.doc, options.layout, host.batchCheck, host.mapCheck);
    this.sink = { peerId: this.peerId, wants: (peerId) => this.wants(peerId), accept: (link) => this.accept(link) };
    this.sessionHost = {
      peerId: this.peerId,
      nodeId: host.nodeId,
      name: host.name,
      room: host.room,
      credentials: host.credentials,
      doc: host.doc,
      awareness: host.awareness,
      store: host.store,
      pacer: host.pacer,
      faultSeed: this.faultSeed,
      repair: (batches) => this.host.repair(batches),
      ...(host.presenceCheck ? { presenceCheck: host.presenceCheck } : {}),
      wallNow: () => this.host.wallNow(),
      inbound: (session, bytes, apply) => this.inbound.submit(session, bytes, apply),
      applyUpdate: (update, from) => {
        const refused = this.admission.refusal(update);
        if (refused !== undefined) return refused;
        Y.applyUpdate(host.doc, update, from);
        // What waited for missing items was dropped: the peer that sent this can fill the gap.
        if (this.admission.trimPending()) from.requestSync();
        return undefined;
      },
      policyFor: (nodeId) => this.policyFor(nodeId),
      faultTable: () => this.faults.list(),
      onVerified: (s) => {
        s.applyPolicy(this.policyFor(s.remoteNodeId));
        this.emit('links', []);
      },
      onFaults: (payload, from) => this.onFaults(payload, from),
      onSignal: (payload, from) => this.onSignal(payload, from),
      rejected: (s, reason) => this.refuse(s.label, reason),
    };
    this.meshRoute = { name: 'mesh', send: (to, signal) => this.relaySignal({ id: `${this.peerId}.${++this.signalCounter}`, from: this.peerId, to, ttl: RELAY_TTL, signal }) };
  }

  get connected(): boolean {
    return this.isConnected;
  }

  get replacedLinks(): number {
    return this.replaced;
  }

  signalingConnected(): boolean {
    return this.isConnected && (this.options.signalingConnected?.() ?? false);
  }

  connect(): void {
    if (this.isConnected) return;
    this.isConnected = true;
    this.host.doc.on('update', this.onDocUpdate);
    this.host.awareness.on('update', this.onAwarenessUpdate);
    for (const c of this.options.connectors) c.start(this.sink);
    this.timer = setInterval(this.tick, TICK_MS);
    this.emit('links', []);
  }

  disconnect(): void {
    if (!this.isConnected) return;
    // Tell the others we are gone, while the links are still up.
    awarenessProtocol.removeAwarenessStates(this.host.awareness, [this.host.doc.clientID], 'disconnect');
    this.isConnected = false;
    clearInterval(this.timer);
    this.host.doc.off('update', this.onDocUpdate);
    this.host.awareness.off('update', this.onAwarenessUpdate);
    this.options.dialer?.stop();
    for (const c of this.options.connectors) c.stop();
    for (const s of [...this.sessions.values()]) s.close('this node left the mesh');
    this.sessions.clear();
    for (const p of this.probes.values()) {
      clearTimeout(p.timer);
      p.link.close('this node left the mesh');
    }
    this.probes.clear();
    this.presenceVia.clear();
    this.presenceToCheck.clear();
    this.emit('links', []);
  }

  /** Open links that carry data (a cut or not yet verified link is up but carries none, so it is not listed). */
  links(): TransportLink[] {
    return [...this.sessions.values()].filter((s) => s.verified && !s.gate.cut).map((s) => ({ peerId: s.remotePeerId, kind: s.link.kind as LinkKind, since: s.since, lastHeard: s.lastHeard }));
  }

  /** Refused messages per peer (by name, or peer id before it said who it is). */
  refusalsByPeer(): Record<string, number> {
    return Object.fromEntries([...this.refusals].map(([label, r]) => [label, r.count]));
  }

  /** Peers that sent something this node refused within `withinMs`, most recent first. */
  recentRefusals(withinMs: number): Array<{ name: string; count: number; last: string }> {
    const since = performance.now() - withinMs;
    return [...this.refusals]
      .filter(([, r]) => r.at >= since)
      .sort(([, x], [, y]) => y.at - x.at)
      .map(([name, r]) => ({ name, count: r.count, last: r.last }));
  }

  /** Anti-entropy rounds that repaired something, over every session so far. */
  get repairs(): number {
    let n = this.pastRepairs;
    for (const s of this.sessions.values()) n += s.stats.syncRepairs + s.stats.rangeRepairs;
    return n;
  }

  private refuse(label: string, reason: string): void {
    if (!this.refusals.has(label) && this.refusals.size >= 64) this.refusals.delete(this.refusals.keys().next().value!);
    const r = this.refusals.get(label);
    this.refusals.set(label, { count: (r?.count ?? 0) + 1, last: reason, at: performance.now() });
    this.emit('rejected', [`${label}: ${reason}`]);
  }

  /** Every session, cut ones included, with its faults and counters. */
  sessionInfo(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => ({
      peerId: s.remotePeerId,
      kind: s.link.kind,
      since: s.since,
      lastHeard: s.lastHeard,
      nodeId: s.remoteNodeId,
      name: s.remoteName,
      policy: s.gate.current,
      faults: { ...s.gate.counts },
      stats: { ...s.stats },
      verified: s.verified,
      fingerprint: s.peer?.fingerprint,
    }));
  }

  // ------------------------------------------------------------------ faults

  /** Sets a fault mesh-wide. Throws `ValidationError` for a bad one. */
  addFault(spec: FaultSpec): Fault {
    const fault = this.faults.add(spec);
    this.faultsChanged();
    return fault;
  }

  /** Heals one fault, or all with no id. */
  healFaults(id?: string): Fault[] {
    const healed = this.faults.heal(id);
    if (healed.length > 0) this.faultsChanged();
    return healed;
  }

  /** Runs anti-entropy with every linked peer now (tests, and after heals). */
  antiEntropy(): void {
    this.lastAntiEntropy = performance.now();
    for (const s of this.sessions.values()) if (!s.gate.cut) s.sendDigest();
  }

  /**
   * Closes the direct link to `peerId` (every link with no id), as a broken network would; the
   * mesh links again through the server, the tabs' channel or a common peer.
   */
  dropLinks(peerId?: string): number {
    const doomed = [...this.sessions.values()].filter((s) => peerId === undefined || s.remotePeerId === peerId);
    for (const s of doomed) s.close('dropped on command');
    return doomed.length;
  }

  /** Sends raw bytes to every linked peer past every check: what a broken or hostile node does. */
  injectRaw(bytes: Uint8Array): void {
    for (const s of this.sessions.values()) {
      try {
        s.link.send(bytes);
      } catch {
        // The link is closing; a drill has nothing to report.
      }
    }
  }

  /**
   * The clock offsets (peer's wall clock less ours) measured on the links that carry data, each
   * less its uncertainty (`PeerSession.certainClockOffsetMs`).
   */
  peerClockOffsets(): number[] {
    const out: number[] = [];
    for (const s of this.sessions.values()) {
      const offset = s.certainClockOffsetMs;
      if (!s.gate.cut && offset !== undefined) out.push(offset);
    }
    return out;
  }

  /** Peers sending more than their share lately: slowed, with their backlog and what was dropped. */
  slowedPeers(): Array<{ name: string; waiting: number; dropped: number }> {
    return this.inbound.slowed().map(({ peer, waiting, dropped }) => ({ name: peer.label, waiting, dropped }));
  }

  override destroy(): void {
    this.inbound.destroy();
    this.disconnect();
    for (const c of this.options.connectors) c.destroy();
    super.destroy();
  }

  // ------------------------------------------------------------------ links

  private readonly sink: LinkSink;

  /**
   * Up to `maxLinks` the node links to anyone; beyond (up to twice that) only to a peer that has
   * fewer than two links by its presence (or none known yet), so a newcomer always gets in.
   */
  private wants(peerId: string): boolean {
    if (!this.isConnected || peerId === this.peerId || this.sessions.has(peerId)) return false;
    if (this.sessions.size < this.maxLinks) return true;
    return this.sessions.size < this.maxLinks * 2 && this.presenceLinks(peerId).length < 2;
  }

  /**
   * Over its cap, a node now and then drops the link to the peer with the most links, if that
   * peer keeps at least two others: the mesh thins to partial without stranding anyone.
   */
  private shed(): void {
    if (this.sessions.size <= this.maxLinks || this.random() >= 0.25) return;
    let best: PeerSession | undefined;
    let most = 2;
    for (const s of this.sessions.values()) {
      const n = this.presenceLinks(s.remotePeerId).length;
      if (n > most) [best, most] = [s, n];
    }
    best?.close('this node has more links than its cap');
  }

  private accept(link: Link): void {
    const existing = this.sessions.get(link.remotePeerId);
    if (!this.isConnected || link.remotePeerId === this.peerId) {
      link.close('not wanted');
      return;
    }
    if (existing) {
      if (link.kind === existing.link.kind) this.probe(existing, link);
      else link.close('already linked');
      return;
    }
    if (this.sessions.size >= this.maxLinks * 2) {
      link.close('this node has its links');
      return;
    }
    this.startSession(link);
  }

  /**
   * A new link for a peer we already have a session with. Either the peer dropped its side of
   * the old link (a network break, its watchdog) and dialed again, or someone in the room opened
   * a link claiming to be that peer: signals are not authenticated yet (issue 14). Only the first
   * can make the peer go quiet on the old link, so we ping it there: the old session is kept and
   * the new link refused if the peer answers, and replaced if it stays silent. A link that is
   * being checked holds the place: further ones for that peer are refused meanwhile.
   */
  private probe(existing: PeerSession, link: Link): void {
    const peerId = link.remotePeerId;
    if (this.probes.has(peerId)) {
      link.close('a link to this peer is being checked');
      this.refuse(this.hopLabel(link, existing), `another link claiming to be ${existing.label} while one is being checked: refused`);
      return;
    }
    const at = Date.now();
    const timer = setTimeout(() => this.settleProbe(peerId), PROBE_MS);
    this.probes.set(peerId, { session: existing, link, at, framesIn: existing.framesIn, timer });
    existing.ping();
  }

  /** Decides a probe: at its end, or at once when the old session closed meanwhile. */
  private settleProbe(peerId: string): void {
    const p = this.probes.get(peerId);
    if (!p) return;
    this.probes.delete(peerId);
    clearTimeout(p.timer);
    const current = this.sessions.get(peerId);
    if (!this.isConnected || (current !== undefined && current !== p.session)) {
      p.link.close(this.isConnected ? 'already linked' : 'not wanted');
      return;
    }
    if (current && current.framesIn > p.framesIn) {
      p.link.close('the peer still answers on its link');
      this.refuse(this.hopLabel(p.link, current), `a second link claiming to be ${current.label}, which still answers on its own: refused`);
      return;
    }
    if (current) {
      this.replaced++;
      current.close(`replaced by a new link: the peer did not answer on this one for ${Date.now() - p.at} ms`);
      this.emit('replaced', [peerId]);
    }
    this.startSession(p.link);
  }

  /** Whom to count a refused link against: the hop that brought its signals, by name when linked. */
  private hopLabel(link: Link, claimed: PeerSession): string {
    if (link.via === undefined) return claimed.label;
    return this.sessions.get(link.via)?.label ?? link.via;
  }

  private startSession(link: Link): void {
    const session = new PeerSession(link, this.sessionHost, (s, reason) => this.onSessionClosed(s, reason));
    this.sessions.set(link.remotePeerId, session);
    // A link that came up is no reason to wait before dialing that peer again once it drops.
    this.lastDial.delete(link.remotePeerId);
    session.start();
    this.emit('links', []);
  }

  private onSessionClosed(session: PeerSession, _reason: string): void {
    this.inbound.forget(session);
    this.forgetPresenceVia(session);
    this.pastRepairs += session.stats.syncRepairs + session.stats.rangeRepairs;
    if (this.sessions.get(session.remotePeerId) === session) {
      this.sessions.delete(session.remotePeerId);
      // A new link waiting on this session's answer takes its place now.
      if (this.probes.get(session.remotePeerId)?.session === session) {
        this.settleProbe(session.remotePeerId);
        return;
      }
      this.emit('links', []);
      if (this.isConnected) for (const c of this.options.connectors) c.poke?.();
    }
  }

  private readonly sessionHost: SessionHost;

  private policyFor(nodeId: string | undefined): LinkPolicy {
    return this.faults.policy(nodeId ?? '');
  }

  // ------------------------------------------------------------------ data

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin instanceof PeerSession) {
      // What peers sent is passed on merged: a relay forwards a flood (or a busy peer) as a few
      // updates a second, not message for message.
      this.relayed.push([update, origin]);
      if (this.relayed.length === 1) {
        // The first after a quiet spell leaves at once; under a stream, at most one per RELAY_MS.
        const wait = this.relayFlushedAt + RELAY_MS - performance.now();
        if (wait <= 0) queueMicrotask(this.flushRelayed);
        else setTimeout(this.flushRelayed, wait);
      }
      return;
    }
    const kind = classOf(origin);
    for (const s of this.sessions.values()) s.sendUpdate(update, kind);
  };

  private readonly relayed: Array<[Uint8Array, PeerSession]> = [];
  /** Whose presence (awareness client ids) arrived through each session. */
  private readonly presenceVia = new Map<PeerSession, Set<number>>();
  /** Clients heard through a link that closed, kept while a peer says it links to them. */
  private readonly presenceToCheck = new Set<number>();

  private relayFlushedAt = -Infinity;

  private readonly flushRelayed = (): void => {
    this.relayFlushedAt = performance.now();
    const pending = this.relayed.splice(0);
    for (const s of this.sessions.values()) {
      const updates = pending.filter(([, from]) => from !== s).map(([u]) => u);
      if (updates.length === 0) continue;
      s.sendUpdate(updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates), 'relay');
    }
  };

  private readonly onAwarenessUpdate = (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    const clients = [...change.added, ...change.updated, ...change.removed];
    if (origin instanceof PeerSession) {
      let heard = this.presenceVia.get(origin);
      if (!heard) this.presenceVia.set(origin, (heard = new Set()));
      for (const c of [...change.added, ...change.updated]) heard.add(c);
      for (const c of change.removed) heard.delete(c);
    }
    const update = awarenessProtocol.encodeAwarenessUpdate(this.host.awareness, clients);
    const kind: MessageKind = origin instanceof PeerSession ? 'relay' : 'presence';
    for (const s of this.sessions.values()) if (s !== origin) s.sendAwareness(update, kind);
  };

  // ------------------------------------------------------------------ faults, signals

  private onFaults(payload: unknown, from: PeerSession): void {
    const { faults, refused } = readFaults(payload);
    if (refused > 0) this.refuse(from.label, `${refused} malformed link fault(s)`);
    if (this.faults.merge(faults)) this.faultsChanged(from);
  }

  private faultsChanged(except?: PeerSession): void {
    const table = this.faults.list();
    for (const s of this.sessions.values()) {
      s.applyPolicy(this.policyFor(s.remoteNodeId));
      if (s !== except) s.sendFaults(table);
    }
    this.emit('links', []);
  }

  private onSignal(payload: unknown, from: PeerSession): void {
    const r = payload as { id?: unknown; from?: unknown; to?: unknown; ttl?: unknown; signal?: unknown } | null;
    if (typeof r !== 'object' || r === null || typeof r.id !== 'string' || r.id.length > 80 || typeof r.from !== 'string' || r.from.length > 80 || typeof r.to !== 'string' || r.to.length > 80 || typeof r.ttl !== 'number' || !Number.isInteger(r.ttl) || r.ttl < 0 || r.ttl > RELAY_TTL) {
      throw new Error('a malformed relayed signal');
    }
    if (this.seenSignals.has(r.id)) return;
    this.remember(r.id);
    if (r.to === this.peerId) {
      // The hop is named by peer id: a name is what the peer says, and it may say another.
      this.options.dialer?.signal(r.from, r.signal, this.meshRoute, from.remotePeerId);
      return;
    }
    // A peer linked to us sends its own signals over that link: one that arrives another way
    // claiming to be from it is forged, and passed on it could disturb its links elsewhere.
    const author = this.sessions.get(r.from);
    if (author && author !== from && !author.gate.cut) throw new Error(`a relayed signal claiming to come from ${author.label}, which links to this node directly`);
    if (r.ttl > 0) this.relaySignal({ id: r.id, from: r.from, to: r.to, ttl: r.ttl - 1, signal: r.signal }, from);
  }

  /**
   * A link closed: the presence that came only through it is gone too (a node that left without
   * its goodbye getting through would otherwise be listed until presence times out, 30 s).
   */
  private forgetPresenceVia(session: PeerSession): void {
    const heard = this.presenceVia.get(session);
    this.presenceVia.delete(session);
    if (!heard || !this.isConnected) return;
    for (const c of heard) this.presenceToCheck.add(c);
    this.forgetUnreachable(session);
  }

  /**
   * Forgets the presence of nodes heard through links that closed (`presenceToCheck`) unless a
   * linked peer still brings it or says it links to that node. One kept because a peer said so
   * is checked again on every tick: that peer's presence may not yet say the link is gone (it
   * is signed, so it follows a moment later).
   */
  private forgetUnreachable(closing?: PeerSession): void {
    if (this.presenceToCheck.size === 0) return;
    const elsewhere = new Set<number>();
    for (const set of this.presenceVia.values()) for (const c of set) elsewhere.add(c);
    const reachable = (c: number) => {
      const peerId = readPresence(this.host.awareness.states.get(c))?.peerId;
      return peerId !== undefined && [...this.sessions.values()].some((s) => s !== closing && this.presenceLinks(s.remotePeerId).includes(peerId));
    };
    const gone: number[] = [];
    for (const c of this.presenceToCheck) {
      if (elsewhere.has(c) || c === this.host.awareness.clientID || !this.host.awareness.states.has(c)) this.presenceToCheck.delete(c);
      else if (!reachable(c)) {
        gone.push(c);
        this.presenceToCheck.delete(c);
      }
    }
    if (gone.length === 0) return;
    // Not removeAwarenessStates: it would bump their clocks here and refuse their next state.
    for (const c of gone) {
      this.host.awareness.states.delete(c);
      this.host.awareness.meta.delete(c);
    }
    this.host.awareness.emit('change', [{ added: [], updated: [], removed: gone }, 'link closed']);
  }

  /** Sends a signal toward `to`: straight to it if linked, else to peers that say they link to it, else to all. */
  private relaySignal(message: { id: string; from: string; to: string; ttl: number; signal: unknown }, except?: PeerSession): void {
    this.remember(message.id);
    const direct = this.sessions.get(message.to);
    if (direct && direct.verified && !direct.gate.cut) {
      direct.sendSignal(message);
      // Our own signals to a peer we are opening a new link with also go around: it may have
      // dropped its side of the old link, which we have not noticed yet.
      if (message.from !== this.peerId || !this.options.dialer?.dialing(message.to)) return;
    }
    const viaKnown = [...this.sessions.values()].filter((s) => s !== except && s !== direct && !s.gate.cut && this.presenceLinks(s.remotePeerId).includes(message.to));
    const targets = viaKnown.length > 0 ? viaKnown.slice(0, 2) : [...this.sessions.values()].filter((s) => s !== except && s !== direct && !s.gate.cut);
    for (const s of targets) s.sendSignal(message);
  }

  private remember(id: string): void {
    this.seenSignals.add(id);
    if (this.seenSignals.size > SEEN_SIGNALS) this.seenSignals.delete(this.seenSignals.values().next().value!);
  }

  /** The peer ids a node says (in presence) it links to. */
  private presenceLinks(peerId: string): readonly string[] {
    for (const state of this.host.awareness.getStates().values()) {
      const p = readPresence(state);
      if (p?.peerId === peerId) return p.links ?? [];
    }
    return [];
  }

  // ------------------------------------------------------------------ upkeep

  private readonly tick = (): void => {
    if (!this.isConnected) return;
    const now = Date.now();
    if (this.silenceMs > 0) {
      for (const s of [...this.sessions.values()]) {
        const quiet = now - s.lastHeard;
        if (quiet > this.silenceMs) {
          this.replaced++;
          s.close(`silent for ${quiet} ms`);
          this.emit('replaced', [s.remotePeerId]);
        } else if (quiet >= this.silenceMs / 2) {
          s.ping();
        }
      }
    }
    if (performance.now() - this.lastAntiEntropy >= this.antiEntropyMs) this.antiEntropy();
    this.forgetUnreachable();
    // A link whose clock is not measured yet (new, or every sample so far waited in a queue)
    // asks again each tick rather than each anti-entropy round: the clock check needs it.
    for (const s of this.sessions.values()) if (s.verified && !s.gate.cut && s.clockOffsetMs === undefined) s.probeClock();
    this.shed();
    this.discover(now);
  };

  /**
   * Links to peers known from presence but not linked, through the mesh: the smaller peer id
   * dials (so two never dial each other at once), at most once per backoff, within the cap.
   */
  private discover(now: number): void {
    const dialer = this.options.dialer;
    if (!dialer || this.sessions.size >= this.maxLinks || this.sessions.size === 0) return;
    for (const state of this.host.awareness.getStates().values()) {
      const p = readPresence(state);
      if (!p || p.peerId === '' || p.peerId === this.peerId || this.sessions.has(p.peerId) || this.peerId > p.peerId) continue;
      if (dialer.dialing(p.peerId) || now - (this.lastDial.get(p.peerId) ?? 0) < DIAL_BACKOFF_MS) continue;
      if (this.policyFor(p.nodeId).cut) continue;
      this.lastDial.set(p.peerId, now);
      dialer.dial(p.peerId, this.meshRoute);
      if (this.sessions.size >= this.maxLinks) return;
    }
  }
}

function classOf(origin: unknown): MessageKind {
  if (isTrafficOrigin(origin)) return origin.cls;
  if (origin instanceof ImportOrigin && isTrafficOrigin(origin.tag)) return origin.tag.cls;
  return 'sync';
}
