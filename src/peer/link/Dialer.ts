/**
 * Opening a link to a peer whose id is known, by exchanging signals over some route: the
 * signaling server, or the mesh itself (a peer linked to both relays the signals). The same
 * dialer serves both routes, so peers find each other without a server.
 */

/** Somewhere signals to one peer can go. */
export interface SignalRoute {
  readonly name: 'server' | 'mesh';
  send(to: string, signal: unknown): void;
}

export interface Dialer {
  /** Starts opening a link to `peerId`; the link reaches the mesh's sink when it opens. */
  dial(peerId: string, route: SignalRoute): void;
  /**
   * A signal from `from` arrived over `route`, through `via` (the relaying peer's id, or the
   * server). Throws on a malformed or refused signal (the caller counts it).
   */
  signal(from: string, signal: unknown, route: SignalRoute, via?: string): void;
  /** Whether a link to `peerId` is being opened (by us or in answer to its offer). */
  dialing(peerId: string): boolean;
  /** Abandons every link being opened. */
  stop(): void;
}
