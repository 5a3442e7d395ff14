/**
 * The in-memory twin of `WebrtcTransport`, for tests: nodes in one page joined by a
 * `MemoryNetwork`. It speaks the same sync and awareness protocol as y-webrtc (y-protocols),
 * delivers asynchronously and in order per link like a data channel, and can drop or inject
 * messages so tests can break links the way real networks do.
 */
import type * as Y from 'yjs';
import { ObservableV2 } from 'lib0/observable';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { MeshTransport, TransportEvents, TransportLink } from './MeshTransport.js';
import { Pacer, splitBytes, type MessageKind } from './budget/Pacer.js';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;

/** A room of memory transports. Every connected pair is linked unless `block`ed. */
export class MemoryNetwork {
  private readonly members = new Set<MemoryTransport>();
  private readonly blocked = new Set<string>();
  /** Delay of each delivery (ms); 0 still delivers asynchronously. */
  latencyMs = 0;
  /** Extra random delay per message, up to this many ms; each link still delivers in order. */
  jitterMs = 0;
  /** Source of randomness for the jitter; tests pass a seeded one. */
  random: () => number = Math.random;
  private readonly linkClock = new Map<string, number>();
  /** Called for every part a transport hands to a link (tests measure egress with it). */
  onPart: ((from: MemoryTransport, bytes: number) => void) | undefined;

  /** Cuts the link between two transports (both directions) until `unblock`. */
  block(a: MemoryTransport, b: MemoryTransport): void {
    this.blocked.add(pairKey(a.peerId, b.peerId));
    a.unlink(b);
    b.unlink(a);
  }

  unblock(a: MemoryTransport, b: MemoryTransport): void {
    this.blocked.delete(pairKey(a.peerId, b.peerId));
    this.relink();
  }

  /** @internal */
  join(t: MemoryTransport): void {
    this.members.add(t);
    this.relink();
  }

  /** @internal */
  leave(t: MemoryTransport): void {
    this.members.delete(t);
    for (const other of this.members) {
      other.unlink(t);
      t.unlink(other);
    }
  }

  /** @internal Delivers one message in order after `latencyMs`. */
  deliver(from: MemoryTransport, to: MemoryTransport, message: Uint8Array): void {
    let delay = this.latencyMs;
    if (this.jitterMs > 0) {
      // Random delays, but never overtaking an earlier message on the same link (a data channel is ordered).
      const key = `${from.peerId}>${to.peerId}`;
      const at = Math.max(performance.now() + this.latencyMs + this.random() * this.jitterMs, this.linkClock.get(key) ?? 0);
      this.linkClock.set(key, at);
      delay = at - performance.now();
    }
    setTimeout(() => to.receive(from, message), delay);
  }

  private relink(): void {
    const list = [...this.members];
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!;
        const b = list[j]!;
        if (this.blocked.has(pairKey(a.peerId, b.peerId)) || a.isLinked(b)) continue;
        a.link(b);
        b.link(a);
      }
    }
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

let counter = 0;

export class MemoryTransport extends ObservableV2<TransportEvents> implements MeshTransport {
  readonly peerId = `mem-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  readonly signaling: readonly string[] = [];
  /** The memory network has no silent links to replace. */
  readonly replacedLinks = 0;
  private readonly peers = new Map<MemoryTransport, { since: number; lastHeard: number | undefined }>();
  private isConnected = false;

  constructor(
    private readonly network: MemoryNetwork,
    readonly doc: Y.Doc,
    readonly awareness: awarenessProtocol.Awareness,
    /** Paces what this transport sends, like y-webrtc's patched send path. */
    readonly pacer: Pacer = new Pacer(),
  ) {
    super();
  }

  get connected(): boolean {
    return this.isConnected;
  }

  signalingConnected(): boolean {
    return false;
  }

  connect(): void {
    if (this.isConnected) return;
    this.isConnected = true;
    this.doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
    this.network.join(this);
  }

  disconnect(): void {
    if (!this.isConnected) return;
    // As y-webrtc does: tell the others we are gone, then stop listening.
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'disconnect');
    this.isConnected = false;
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.network.leave(this);
    this.emit('links', []);
  }

  links(): TransportLink[] {
    return [...this.peers].map(([peer, info]) => ({ peerId: peer.peerId, kind: 'memory', since: info.since, lastHeard: info.lastHeard }));
  }

  /** Sends raw bytes to every linked peer, as a faulty or hostile node would. */
  inject(message: Uint8Array): void {
    for (const peer of this.peers.keys()) this.network.deliver(this, peer, message);
  }

  override destroy(): void {
    this.disconnect();
    super.destroy();
  }

  /** @internal */
  isLinked(peer: MemoryTransport): boolean {
    return this.peers.has(peer);
  }

  /** @internal A link came up: start the sync handshake, as y-webrtc does on `connect`. */
  link(peer: MemoryTransport): void {
    this.peers.set(peer, { since: Date.now(), lastHeard: undefined });
    const sync = encoding.createEncoder();
    encoding.writeVarUint(sync, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(sync, this.doc);
    this.send(peer, 'sync', encoding.toUint8Array(sync));
    const states = [...this.awareness.getStates().keys()];
    if (states.length > 0) this.send(peer, 'presence', awarenessMessage(this.awareness, states));
    this.emit('links', []);
  }

  /** @internal */
  unlink(peer: MemoryTransport): void {
    if (this.peers.delete(peer)) this.emit('links', []);
  }

  /** @internal Like a data channel, what was sent before a link closed still arrives. */
  receive(from: MemoryTransport, message: Uint8Array): void {
    if (!this.isConnected) return;
    const link = this.peers.get(from);
    if (link) link.lastHeard = Date.now();
    let reply: Uint8Array | null;
    try {
      reply = this.read(message);
    } catch (error) {
      this.emit('rejected', [`memory: ${error instanceof Error ? error.message : String(error)}`]);
      return;
    }
    if (reply) this.send(from, reply[0] === MESSAGE_SYNC ? 'sync' : 'presence', reply);
  }

  /**
   * Sends one message through the pacer, as parts like a data channel's; the peer gets the whole
   * message when its last part leaves (what reassembly gives on the real link).
   */
  private send(peer: MemoryTransport, kind: MessageKind, message: Uint8Array): void {
    const parts = splitBytes(message, this.pacer.partBytes);
    const last = parts[parts.length - 1];
    this.pacer.submit(kind, parts, (part) => {
      if (!this.peers.has(peer)) return; // the link closed while the message waited
      this.network.onPart?.(this, part.byteLength);
      if (part === last) this.network.deliver(this, peer, message);
    });
  }

  private read(message: Uint8Array): Uint8Array | null {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    const encoder = encoding.createEncoder();
    switch (type) {
      case MESSAGE_SYNC: {
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        const kind = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
        return kind === syncProtocol.messageYjsSyncStep1 ? encoding.toUint8Array(encoder) : null;
      }
      case MESSAGE_AWARENESS:
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
        return null;
      case MESSAGE_QUERY_AWARENESS:
        return awarenessMessage(this.awareness, [...this.awareness.getStates().keys()]);
      default:
        throw new Error(`unknown message type ${type}`);
    }
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    const message = encoding.toUint8Array(encoder);
    // As y-webrtc: what came from a peer is forwarded to the others (relay).
    const kind: MessageKind = origin === this ? 'relay' : 'update';
    for (const peer of this.peers.keys()) this.send(peer, kind, message);
  };

  private readonly onAwarenessUpdate = (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    const message = awarenessMessage(this.awareness, [...change.added, ...change.updated, ...change.removed]);
    // As y-webrtc: others' presence is passed on too, as forwarded traffic.
    const kind: MessageKind = origin === this ? 'relay' : 'presence';
    for (const peer of this.peers.keys()) this.send(peer, kind, message);
  };
}

function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(encoder);
}

/** A `TransportFactory` for nodes on `network`. */
export function memoryTransport(network: MemoryNetwork) {
  return (doc: Y.Doc, awareness: awarenessProtocol.Awareness, pacer?: Pacer): MemoryTransport => new MemoryTransport(network, doc, awareness, pacer);
}
