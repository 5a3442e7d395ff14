/**
 * Opens WebRTC links to peers by id, over whichever route carries the signals (the signaling
 * server or the mesh). The smaller peer id always offers, so two peers never offer to each
 * other at once (no glare); a fresh offer from a peer replaces any link it had with us.
 */
import type { Dialer, SignalRoute } from './Dialer.js';
import type { LinkSink } from './Link.js';
import { WebrtcLink, readWebrtcSignal } from './WebrtcLink.js';

/** A link that has not opened by then is abandoned. */
const OPEN_TIMEOUT_MS = 10_000;

export class WebrtcDialer implements Dialer {
  private readonly links = new Map<string, WebrtcLink>();

  constructor(
    private readonly sink: LinkSink,
    private readonly iceServers: readonly string[],
  ) {}

  dialing(peerId: string): boolean {
    const link = this.links.get(peerId);
    return link !== undefined && !link.isOpen && !link.isClosed;
  }

  dial(peerId: string, route: SignalRoute): void {
    if (this.dialing(peerId) || !this.sink.wants(peerId)) return;
    this.open(peerId, true, route);
  }

  signal(from: string, raw: unknown, route: SignalRoute): void {
    if (typeof from !== 'string' || from.length === 0 || from.length > 80 || from === this.sink.peerId) throw new Error('a signal from an invalid peer id');
    const signal = readWebrtcSignal(raw);
    let link = this.links.get(from);
    if (signal.type === 'offer') {
      // Both offering can only happen when one side is wrong about the order; the smaller id's offer wins.
      if (link && link.initiator && !link.isClosed && !link.isOpen && this.sink.peerId < from) return;
      link?.close('the peer offered a new link');
      link = this.open(from, false, route);
    }
    if (link) void link.signal(signal);
  }

  stop(): void {
    for (const link of this.links.values()) if (!link.isOpen) link.close('no longer dialing');
    this.links.clear();
  }

  private open(peerId: string, initiator: boolean, route: SignalRoute): WebrtcLink {
    const link = new WebrtcLink(
      peerId,
      initiator,
      this.iceServers,
      (signal) => route.send(peerId, signal),
      (opened) => {
        if (this.links.get(peerId) === opened) this.sink.accept(opened);
        else opened.close('superseded');
      },
      // Forgotten once closed (while open, late ICE candidates still find it).
      (closed) => {
        if (this.links.get(peerId) === closed) this.links.delete(peerId);
      },
    );
    this.links.set(peerId, link);
    setTimeout(() => {
      if (!link.isOpen && !link.isClosed) link.close(`did not open within ${OPEN_TIMEOUT_MS} ms`);
    }, OPEN_TIMEOUT_MS);
    return link;
  }
}
