/**
 * Meets peers through y-webrtc signaling servers (any of them works: they only relay published
 * messages between subscribers of a topic). On the room's topic a node announces itself and
 * exchanges WebRTC signals; with a room password every message is encrypted, so the server
 * learns only the room name. Everything read from the server is untrusted and checked.
 */
import { WebsocketClient } from 'lib0/websocket';
import type { LinkReports } from '../MeshTransport.js';
import type { SignalRoute } from './Dialer.js';
import type { Connector, LinkSink } from './Link.js';
import type { WebrtcDialer } from './WebrtcDialer.js';
import { deriveRoomKey, fromBase64, open, seal, toBase64 } from './roomCrypto.js';

const ANNOUNCE_EVERY_MS = 15_000;
const MAX_SIGNALING_TEXT = 200_000;

interface SignalingMessage {
  readonly type: 'announce' | 'signal';
  readonly from: string;
  readonly to?: string;
  readonly signal?: unknown;
}

export class SignalingConnector implements Connector {
  private clients: WebsocketClient[] = [];
  private sink: LinkSink | undefined;
  private key: Promise<CryptoKey | undefined>;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly route: SignalRoute = { name: 'server', send: (to, signal) => void this.publish({ type: 'signal', from: this.sink?.peerId ?? '', to, signal }) };

  constructor(
    private readonly urls: readonly string[],
    private readonly room: string,
    password: string | undefined,
    private readonly dialer: () => WebrtcDialer,
    private readonly reports: LinkReports,
  ) {
    this.key = password === undefined ? Promise.resolve(undefined) : deriveRoomKey(password, room);
  }

  connected(): boolean {
    return this.clients.some((c) => c.connected);
  }

  start(sink: LinkSink): void {
    this.sink = sink;
    this.clients = this.urls.map((url) => {
      const client = new WebsocketClient(url);
      client.on('connect', () => {
        client.send({ type: 'subscribe', topics: [this.room] });
        void this.publish({ type: 'announce', from: sink.peerId }, client);
      });
      client.on('message', (m: unknown) => void this.receive(m));
      return client;
    });
    this.timer = setInterval(() => this.poke(), ANNOUNCE_EVERY_MS);
  }

  /** Announces again (a link was lost: whoever is still there links again). */
  poke(): void {
    if (this.sink) void this.publish({ type: 'announce', from: this.sink.peerId });
  }

  stop(): void {
    clearInterval(this.timer);
    for (const c of this.clients) c.destroy();
    this.clients = [];
    this.sink = undefined;
  }

  destroy(): void {
    this.stop();
  }

  private async publish(message: SignalingMessage, only?: WebsocketClient): Promise<void> {
    const key = await this.key;
    const data = key ? toBase64(await seal(key, new TextEncoder().encode(JSON.stringify(message)))) : message;
    for (const c of only ? [only] : this.clients) if (c.connected) c.send({ type: 'publish', topic: this.room, data });
  }

  private async receive(m: unknown): Promise<void> {
    const sink = this.sink;
    const r = m as { type?: unknown; topic?: unknown; data?: unknown } | null;
    if (!sink || typeof r !== 'object' || r === null || r.type !== 'publish' || r.topic !== this.room) return;
    const key = await this.key;
    let data: unknown = r.data;
    if (key) {
      if (typeof data !== 'string') {
        if (typeof data === 'object' && data !== null && (data as { from?: unknown }).from !== sink.peerId) this.reports.undecryptable('signaling');
        return;
      }
      try {
        if (data.length > MAX_SIGNALING_TEXT) throw new Error('too long');
        data = JSON.parse(new TextDecoder().decode(await open(key, fromBase64(data)))) as unknown;
      } catch {
        this.reports.undecryptable('signaling');
        return;
      }
    } else if (typeof data === 'string') {
      this.reports.undecryptable('signaling');
      return;
    }
    try {
      this.handle(sink, data);
    } catch (error) {
      this.reports.rejected(`signaling: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private handle(sink: LinkSink, data: unknown): void {
    const d = data as Partial<SignalingMessage> | null;
    if (typeof d !== 'object' || d === null || typeof d.from !== 'string' || d.from.length === 0 || d.from.length > 80) throw new Error('a message without a sender');
    if (d.from === sink.peerId || (d.to !== undefined && d.to !== sink.peerId)) return;
    if (d.type === 'announce') {
      if (!sink.wants(d.from)) return;
      // The smaller id offers; the other asks it to (once: a directed announce is not answered).
      if (sink.peerId < d.from) this.dialer().dial(d.from, this.route);
      else if (d.to === undefined) void this.publish({ type: 'announce', from: sink.peerId, to: d.from });
    } else if (d.type === 'signal') {
      this.dialer().signal(d.from, d.signal, this.route, 'the signaling server');
    } else {
      throw new Error(`unknown signaling message ${JSON.stringify(d.type)?.slice(0, 20)}`);
    }
  }
}
