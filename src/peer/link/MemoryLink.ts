/**
 * The in-memory twin of a data channel, for tests: nodes in one page joined by a
 * `MemoryNetwork`. Links deliver whole messages asynchronously and in order, like a data
 * channel; what was sent before a close still arrives. The mesh runs the same `PeerSession`
 * over them as over WebRTC, so the acceptance suite tests the code that ships.
 */
import { LinkClosedError, LinkInbox, type Connector, type Link, type LinkHandlers, type LinkSink } from './Link.js';
import type { Dialer, SignalRoute } from './Dialer.js';

/** The largest message a memory link carries (the session splits larger ones), as a data channel. */
const MEMORY_MAX_MESSAGE = 64 * 1024;

export class MemoryLink implements Link {
  readonly kind = 'memory' as const;
  readonly maxMessageBytes = MEMORY_MAX_MESSAGE;
  readonly inbox = new LinkInbox();
  peer: MemoryLink | undefined;

  constructor(
    private readonly network: MemoryNetwork,
    readonly localPeerId: string,
    readonly remotePeerId: string,
  ) {}

  attach(handlers: LinkHandlers): void {
    this.inbox.attach(handlers);
  }

  send(bytes: Uint8Array): void {
    const peer = this.peer;
    if (this.inbox.isClosed || !peer) throw new LinkClosedError(`the memory link to ${this.remotePeerId} is closed`);
    this.network.onPart?.(this.localPeerId, bytes.byteLength);
    // A copy: the sender may reuse its buffer, as with a real channel.
    this.network.deliver(this, () => peer.inbox.message(bytes.slice()));
  }

  close(reason = 'closed'): void {
    if (this.inbox.isClosed) return;
    const peer = this.peer;
    this.inbox.close(reason);
    // The far end hears of it after what was already sent (in order).
    if (peer) this.network.deliver(this, () => peer.inbox.close(`the peer closed the link (${reason})`));
  }
}

/** A room of memory connectors. Every connected pair is linked unless `block`ed. */
export class MemoryNetwork {
  private readonly members = new Map<string, LinkSink>();
  private readonly blocked = new Set<string>();
  private readonly open = new Map<string, [MemoryLink, MemoryLink]>();
  /** Delay of each delivery (ms); 0 still delivers asynchronously. */
  latencyMs = 0;
  /** Extra random delay per message, up to this many ms; each link still delivers in order. */
  jitterMs = 0;
  /** Source of randomness for the jitter; tests pass a seeded one. */
  random: () => number = Math.random;
  private readonly linkClock = new WeakMap<MemoryLink, number>();
  /**
   * Whether the network introduces its members to each other (as a signaling server does).
   * Off, members link only by dialing through the mesh (relayed signaling).
   */
  introduces = true;
  /** Called for every message a link carries (tests measure egress with it). */
  onPart: ((fromPeerId: string, bytes: number) => void) | undefined;

  /** A connector for one mesh on this network. */
  connector(): Connector {
    let sink: LinkSink | undefined;
    return {
      start: (s) => {
        sink = s;
        this.members.set(s.peerId, s);
        this.relink();
      },
      poke: () => setTimeout(() => this.relink(), 0),
      stop: () => {
        if (sink) this.leave(sink.peerId);
        sink = undefined;
      },
      destroy: () => {
        if (sink) this.leave(sink.peerId);
        sink = undefined;
      },
    };
  }

  /** Cuts the links between two meshes (both directions) until `unblock`: a network partition. */
  block(a: { readonly peerId: string }, b: { readonly peerId: string }): void {
    const key = pairKey(a.peerId, b.peerId);
    this.blocked.add(key);
    const pair = this.open.get(key);
    if (pair) {
      this.open.delete(key);
      pair[0].close('the network between the two was cut');
    }
  }

  unblock(a: { readonly peerId: string }, b: { readonly peerId: string }): void {
    this.blocked.delete(pairKey(a.peerId, b.peerId));
    this.relink();
  }

  /** A dialer for the mesh `peerId`: links open when the dialed peer hears the relayed request. */
  dialer(peerId: string): Dialer {
    const dialing = new Map<string, number>();
    return {
      dial: (to: string, route: SignalRoute) => {
        dialing.set(to, Date.now());
        route.send(to, { type: 'memory-dial' });
        setTimeout(() => dialing.delete(to), 2000);
      },
      signal: (from: string, signal: unknown) => {
        if (typeof signal !== 'object' || signal === null || (signal as { type?: unknown }).type !== 'memory-dial') throw new Error('a malformed memory signal');
        this.pair(peerId, from);
      },
      dialing: (to: string) => dialing.has(to),
      stop: () => dialing.clear(),
    };
  }

  /** Links again every pair that is connected, not blocked and not linked (after a link closed). */
  relink(): void {
    if (!this.introduces) return;
    const list = [...this.members.values()];
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        this.pair(list[i]!.peerId, list[j]!.peerId);
      }
    }
  }

  /** Opens a link between two members, unless blocked, already linked or unwanted. */
  pair(x: string, y: string): void {
    const a = this.members.get(x);
    const b = this.members.get(y);
    if (!a || !b || a === b) return;
    const key = pairKey(a.peerId, b.peerId);
    const existing = this.open.get(key);
    if (existing && !existing[0].inbox.isClosed && !existing[1].inbox.isClosed) return;
    if (this.blocked.has(key) || !a.wants(b.peerId) || !b.wants(a.peerId)) return;
    const ab = new MemoryLink(this, a.peerId, b.peerId);
    const ba = new MemoryLink(this, b.peerId, a.peerId);
    ab.peer = ba;
    ba.peer = ab;
    this.open.set(key, [ab, ba]);
    a.accept(ab);
    b.accept(ba);
  }

  /** @internal Runs `fn` after this link's delay, never overtaking its earlier messages. */
  deliver(link: MemoryLink, fn: () => void): void {
    let delay = this.latencyMs;
    if (this.jitterMs > 0) {
      const at = Math.max(performance.now() + this.latencyMs + this.random() * this.jitterMs, this.linkClock.get(link) ?? 0);
      this.linkClock.set(link, at);
      delay = at - performance.now();
    }
    // Each timer runs the oldest delivery waiting on this link: timers of equal delay can fire
    // out of order (Chromium clamps nested timers to 4 ms but not those set from other tasks,
    // e.g. after a WebCrypto signature), and a data channel never reorders.
    let waiting = this.inFlight.get(link);
    if (!waiting) this.inFlight.set(link, (waiting = []));
    waiting.push(fn);
    setTimeout(() => waiting.shift()!(), delay);
  }

  private readonly inFlight = new WeakMap<MemoryLink, Array<() => void>>();

  private leave(peerId: string): void {
    this.members.delete(peerId);
    for (const [key, pair] of this.open) {
      if (pair[0].localPeerId !== peerId && pair[1].localPeerId !== peerId) continue;
      this.open.delete(key);
      pair[0].close('the peer left');
    }
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
