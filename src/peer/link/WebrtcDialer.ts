/**
 * Opens WebRTC links to peers by id, over whichever route carries the signals (the signaling
 * server or the mesh). The smaller peer id always offers, so two peers never offer to each
 * other at once (no glare), and an offer from a larger id is refused.
 *
 * Signals are not authenticated (issue 14), so anyone in the room can send one claiming to be
 * any peer. Hence every offer is a negotiation of its own, named by an id the offerer picks and
 * every answer and candidate repeats: an offer never closes an open link, nor a negotiation
 * that came through another hop (a newer offer through the same hop replaces the one answered
 * there: the peer dialed again). Whether an opened link may replace a session the mesh already has
 * with that peer is the mesh's decision (`PeerMesh` keeps the old one while the peer answers
 * on it).
 */
import type { Dialer, SignalRoute } from './Dialer.js';
import type { LinkSink } from './Link.js';
import { WebrtcLink, readWebrtcSignal, type WebrtcSignal } from './WebrtcLink.js';

/** A link that has not opened by then is abandoned. */
const OPEN_TIMEOUT_MS = 10_000;
const NEGOTIATION_ID = /^[A-Za-z0-9_.-]{1,40}$/;

/** A signal as it travels: the WebRTC signal and the id of the negotiation it belongs to. */
export type NegotiationSignal = WebrtcSignal & { readonly n: string };

/** Checks a signal from a peer or the server; throws on anything else. */
export function readNegotiationSignal(value: unknown): { id: string; signal: WebrtcSignal } {
  const signal = readWebrtcSignal(value);
  const id = (value as { n?: unknown }).n;
  if (typeof id !== 'string' || !NEGOTIATION_ID.test(id)) throw new Error('a WebRTC signal without a negotiation id');
  return { id, signal };
}

let negotiations = 0;

export class WebrtcDialer implements Dialer {
  /** Links being opened and open ones (late ICE candidates still find them), by peer, by negotiation id. */
  private readonly links = new Map<string, Map<string, WebrtcLink>>();

  constructor(
    private readonly sink: LinkSink,
    private readonly iceServers: readonly string[],
  ) {}

  /** Whether a link to `peerId` is being opened, by us or in answer to its offer. */
  dialing(peerId: string): boolean {
    return this.pending(peerId).length > 0;
  }

  dial(peerId: string, route: SignalRoute): void {
    if (this.dialing(peerId) || !this.sink.wants(peerId)) return;
    const id = `${this.sink.peerId.slice(0, 12)}.${(++negotiations).toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
    this.open(peerId, id, true, route, route.name);
  }

  /**
   * A signal from `from` over `route`; `via` names the hop it came through (the peer id of the
   * session that relayed it, or the server). Offers from one peer are answered one per hop, so
   * at most as many at once as this node has links, plus the server, and forged offers through
   * one hop never touch an honest negotiation through another. Throws on a signal that is refused.
   */
  signal(from: string, raw: unknown, route: SignalRoute, via: string = route.name): void {
    if (typeof from !== 'string' || from.length === 0 || from.length > 80 || from === this.sink.peerId) throw new Error('a signal from an invalid peer id');
    const { id, signal } = readNegotiationSignal(raw);
    const mine = this.links.get(from);
    const existing = mine?.get(id);
    if (signal.type !== 'offer') {
      // Answers and candidates belong to a negotiation we know; late ones for a closed link go nowhere.
      if (existing) void existing.signal(signal);
      return;
    }
    if (existing) return;
    if (from > this.sink.peerId) throw new Error(`an offer from ${from}, whose id is larger than ours (the smaller id offers)`);
    // The same peer dialing again through the same hop: its earlier attempt there is stale.
    for (const link of this.pending(from)) if (!link.initiator && link.via === via) link.close('the peer offered again');
    void this.open(from, id, false, route, via).signal(signal);
  }

  stop(): void {
    for (const byId of this.links.values()) for (const link of byId.values()) if (!link.isOpen) link.close('no longer dialing');
    this.links.clear();
  }

  private pending(peerId: string): WebrtcLink[] {
    return [...(this.links.get(peerId)?.values() ?? [])].filter((l) => !l.isOpen && !l.isClosed);
  }

  private open(peerId: string, id: string, initiator: boolean, route: SignalRoute, via: string): WebrtcLink {
    let byId = this.links.get(peerId);
    if (!byId) this.links.set(peerId, (byId = new Map()));
    const link = new WebrtcLink(
      peerId,
      initiator,
      this.iceServers,
      (signal) => route.send(peerId, { ...signal, n: id } satisfies NegotiationSignal),
      (opened) => {
        if (this.links.get(peerId)?.get(id) === opened) this.sink.accept(opened);
        else opened.close('superseded');
      },
      // Forgotten once closed (while open, late ICE candidates still find it).
      (closed) => {
        const current = this.links.get(peerId);
        if (current?.get(id) !== closed) return;
        current.delete(id);
        if (current.size === 0) this.links.delete(peerId);
      },
      via,
    );
    byId.set(id, link);
    setTimeout(() => {
      if (!link.isOpen && !link.isClosed) link.close(`did not open within ${OPEN_TIMEOUT_MS} ms`);
    }, OPEN_TIMEOUT_MS);
    return link;
  }
}
