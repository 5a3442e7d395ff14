/**
 * A link moves whole messages, in order, between this node and one other node, and nothing
 * more: the per-peer protocol (sync, awareness, parts, liveness, faults) is the session's
 * (`PeerSession`), so every kind of link runs the same protocol code. Kinds: a WebRTC data
 * channel, a BroadcastChannel (tabs of one browser) and an in-memory link for tests.
 *
 * Links come from connectors (a signaling server, a BroadcastChannel, a memory network, or a
 * peer relaying signaling) and are handed to the mesh's `LinkSink`.
 */

/** How a link reaches its peer. `relay` (in `LinkKind`) is not a link: it means "through others". */
export type DirectLinkKind = 'webrtc' | 'broadcastchannel' | 'memory';

export interface LinkHandlers {
  /** One whole message from the peer. */
  message(bytes: Uint8Array): void;
  /** The link is gone (the peer left, the channel broke, or `close` was called). Called once. */
  closed(reason: string): void;
}

export interface Link {
  readonly kind: DirectLinkKind;
  /** The remote mesh's peer id (a random id per mesh instance, not the node id). */
  readonly remotePeerId: string;
  /** The largest message `send` takes; the session splits larger ones into parts. */
  readonly maxMessageBytes: number;
  /** Who carried the signals that opened it (the relaying peer's id, or the server), for reports. */
  readonly via?: string | undefined;
  /** Starts delivery; messages that arrived before are delivered first, in order. */
  attach(handlers: LinkHandlers): void;
  /** Sends one message. Throws `LinkClosedError` once the link is closed. */
  send(bytes: Uint8Array): void;
  /** Closes both directions; `closed` follows on both ends. */
  close(reason?: string): void;
}

export class LinkClosedError extends Error {
  override readonly name = 'LinkClosedError';
}

/** Where connectors hand the links they open. */
export interface LinkSink {
  /** This mesh's peer id. */
  readonly peerId: string;
  /** Whether the mesh wants a (new) link to `peerId` now: not linked yet, not over its cap. */
  wants(peerId: string): boolean;
  /** A link is open: the mesh runs a session over it, or closes it if unwanted. */
  accept(link: Link): void;
}

/** A way of meeting peers. The mesh starts it on connect and stops it on disconnect. */
export interface Connector {
  start(sink: LinkSink): void;
  /** The mesh lost a link: introduce again where that is how this connector works. */
  poke?(): void;
  stop(): void;
  destroy(): void;
}

/**
 * Delivers messages and the close to handlers that may be attached later (a link can receive
 * before its session exists). Links of every kind share it.
 */
export class LinkInbox {
  private handlers: LinkHandlers | undefined;
  private readonly early: Uint8Array[] = [];
  private closedWith: string | undefined;
  private done = false;

  get isClosed(): boolean {
    return this.done || this.closedWith !== undefined;
  }

  attach(handlers: LinkHandlers): void {
    this.handlers = handlers;
    for (const message of this.early.splice(0)) handlers.message(message);
    if (this.closedWith !== undefined) this.finish(this.closedWith);
  }

  message(bytes: Uint8Array): void {
    if (this.isClosed) return;
    if (this.handlers) this.handlers.message(bytes);
    else this.early.push(bytes);
  }

  close(reason: string): void {
    if (this.isClosed) return;
    this.closedWith = reason;
    if (this.handlers) this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.early.length = 0;
    this.handlers?.closed(reason);
  }
}
