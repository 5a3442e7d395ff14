/**
 * The real transport: y-webrtc (patched, see patches/y-webrtc+10.3.0.patch) between browsers,
 * and BroadcastChannel between tabs of one browser, which y-webrtc does on its own.
 *
 * The patch gives every WebRTC connection the facts this needs (when it opened, when anything
 * last arrived) and makes y-webrtc emit `rejected` and `undecryptable` instead of swallowing
 * bad input. The watchdog here replaces links that carry no traffic.
 */
import type * as Y from 'yjs';
import { ObservableV2 } from 'lib0/observable';
import { WebrtcProvider } from 'y-webrtc';
import type { Awareness } from 'y-protocols/awareness';
import type { MeshTransport, TransportEvents, TransportLink } from './MeshTransport.js';
import { LinkWatchdog, type LinkWatchdogOptions, type WatchedLink } from './LinkWatchdog.js';
import type { Pacer } from './budget/Pacer.js';

export interface WebrtcTransportOptions {
  readonly room: string;
  readonly signaling: readonly string[];
  readonly password?: string | undefined;
  readonly iceServers?: readonly string[];
  /** `false` turns the watchdog off (tests of the glare fix need the bare link). */
  readonly watchdog?: boolean | LinkWatchdogOptions;
}

/** The fields of y-webrtc's (patched) internals this transport reads. */
interface PatchedConn {
  readonly remotePeerId: string;
  readonly connected: boolean;
  readonly createdAt: number;
  readonly connectedAt: number | null;
  readonly lastReceived: number | null;
  readonly peer: { send(data: Uint8Array): void; destroy(): void; once(name: 'connect', f: () => void): void };
  destroy(): void;
}
interface PatchedRoom {
  readonly peerId: string;
  readonly webrtcConns: Map<string, PatchedConn>;
  readonly bcConns: Set<string>;
}
interface PatchedProvider {
  readonly room: PatchedRoom | null;
  readonly signalingConns: { readonly connected: boolean }[];
  on(name: 'rejected', f: (e: { source: string; reason: string }) => void): void;
  on(name: 'undecryptable', f: (e: { source: string }) => void): void;
  on(name: 'peers', f: () => void): void;
}

/** y-webrtc's messageQueryAwareness: the peer answers with its awareness states. */
const PING = Uint8Array.of(3);

export class WebrtcTransport extends ObservableV2<TransportEvents> implements MeshTransport {
  readonly signaling: readonly string[];
  /** The y-webrtc provider; exposed for diagnostics and fault-injection tests. */
  readonly provider: WebrtcProvider;
  private readonly watchdog: LinkWatchdog | undefined;
  private readonly bcSince = new Map<string, number>();
  private lastSignaling = false;
  private openLinks = '';
  private readonly poll: ReturnType<typeof setInterval>;

  constructor(doc: Y.Doc, awareness: Awareness, pacer: Pacer, options: WebrtcTransportOptions) {
    super();
    this.signaling = [...options.signaling];
    this.provider = new WebrtcProvider(options.room, doc, {
      signaling: [...options.signaling],
      ...(options.password ? { password: options.password } : {}),
      awareness,
      peerOpts: { config: { iceServers: (options.iceServers ?? []).map((urls) => ({ urls })) } },
    });
    // y-webrtc connects in its constructor; the node decides when to join.
    this.provider.disconnect();
    // The patch sends every message through this (see budget/Pacer.ts).
    (this.provider as unknown as { pacer: Pacer }).pacer = pacer;
    const patched = this.provider as unknown as PatchedProvider;
    patched.on('rejected', ({ source, reason }) => this.emit('rejected', [`${source}: ${reason}`]));
    patched.on('undecryptable', ({ source }) => this.emit('undecryptable', [source]));
    patched.on('peers', () => {
      this.trackBroadcastPeers();
      this.hookNewConns();
      this.emit('links', []);
    });
    if (options.watchdog !== false) {
      this.watchdog = new LinkWatchdog(
        {
          list: () => this.watchedLinks(),
          ping: (id) => {
            const conn = this.conn(id);
            if (!conn) return;
            pacer.submit('presence', [PING], (part) => {
              try {
                conn.peer.send(part);
              } catch (error) {
                // The channel is already closing; the watchdog replaces it if it stays silent.
                console.warn(`lattice: could not ping a link (${error instanceof Error ? error.message : String(error)})`);
              }
            });
          },
          replace: (id) => this.conn(id)?.destroy(),
        },
        (id) => {
          this.emit('replaced', [id]);
          this.emit('links', []);
        },
        options.watchdog === true || options.watchdog === undefined ? {} : options.watchdog,
      );
    }
    // Signaling state has no event of its own in y-webrtc; links are checked here too, in case.
    this.poll = setInterval(() => this.checkChanges(), 250);
  }

  get peerId(): string {
    return this.room()?.peerId ?? '';
  }

  /** Whether the node wants to be in the mesh (y-webrtc's `connected` stays false until its room key is derived). */
  get connected(): boolean {
    return this.provider.shouldConnect;
  }

  signalingConnected(): boolean {
    return (this.provider as unknown as PatchedProvider).signalingConns.some((c) => c.connected);
  }

  /** Links replaced by the watchdog so far. */
  get replacedLinks(): number {
    return this.watchdog?.replaced ?? 0;
  }

  connect(): void {
    if (this.provider.shouldConnect) return;
    this.provider.connect();
    this.watchdog?.start();
    this.emit('links', []);
  }

  disconnect(): void {
    this.watchdog?.stop();
    if (!this.provider.shouldConnect) return;
    this.provider.disconnect();
    this.bcSince.clear();
    this.emit('links', []);
  }

  links(): TransportLink[] {
    const room = this.room();
    if (!room || !this.provider.shouldConnect) return [];
    const out: TransportLink[] = [];
    for (const conn of room.webrtcConns.values()) {
      if (!conn.connected) continue;
      out.push({ peerId: conn.remotePeerId, kind: 'webrtc', since: conn.connectedAt ?? conn.createdAt, lastHeard: conn.lastReceived ?? undefined });
    }
    for (const peerId of room.bcConns) out.push({ peerId, kind: 'broadcastchannel', since: this.bcSince.get(peerId) ?? Date.now(), lastHeard: undefined });
    return out;
  }

  override destroy(): void {
    clearInterval(this.poll);
    this.watchdog?.stop();
    this.provider.destroy();
    super.destroy();
  }

  private room(): PatchedRoom | null {
    return (this.provider as unknown as PatchedProvider).room;
  }

  private conn(id: string): PatchedConn | undefined {
    return this.room()?.webrtcConns.get(id);
  }

  private watchedLinks(): WatchedLink[] {
    const room = this.room();
    if (!room) return [];
    return [...room.webrtcConns.values()].map((c) => ({
      id: c.remotePeerId,
      open: c.connected,
      createdAt: c.createdAt,
      openedAt: c.connectedAt,
      lastReceived: c.lastReceived,
    }));
  }

  private readonly hooked = new WeakSet<PatchedConn>();

  /** y-webrtc announces a link when it is created, not when it opens; report the opening too. */
  private hookNewConns(): void {
    for (const conn of this.room()?.webrtcConns.values() ?? []) {
      if (this.hooked.has(conn)) continue;
      this.hooked.add(conn);
      conn.peer.once('connect', () => this.checkChanges());
    }
  }

  private trackBroadcastPeers(): void {
    const room = this.room();
    if (!room) return;
    for (const id of room.bcConns) if (!this.bcSince.has(id)) this.bcSince.set(id, Date.now());
    for (const id of this.bcSince.keys()) if (!room.bcConns.has(id)) this.bcSince.delete(id);
  }

  private checkChanges(): void {
    const signaling = this.signalingConnected();
    const open = this.links()
      .map((l) => `${l.kind}:${l.peerId}`)
      .sort()
      .join(',');
    if (signaling !== this.lastSignaling || open !== this.openLinks) {
      this.lastSignaling = signaling;
      this.openLinks = open;
      this.emit('links', []);
    }
  }
}
