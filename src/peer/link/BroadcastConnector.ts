/**
 * Tabs of one browser meet over a BroadcastChannel, without a server: each tab says hello, and
 * every pair of tabs gets a link of addressed messages over the shared channel. With a room
 * password, everything on the channel is encrypted. A tab that reloads links again through it,
 * and through its linked tabs it reaches the rest of the mesh (signaling relayed by the mesh).
 */
import type { LinkReports } from '../MeshTransport.js';
import { LinkClosedError, LinkInbox, type Connector, type Link, type LinkHandlers, type LinkSink } from './Link.js';
import { deriveRoomKey, open, seal } from './roomCrypto.js';

/** Structured-clone messages are not limited like data channels; parts keep the pacing even. */
const BROADCAST_MAX_MESSAGE = 256 * 1024;

type Frame = { readonly kind: 'hello' | 'bye'; readonly from: string; readonly to?: string } | { readonly kind: 'data'; readonly from: string; readonly to: string; readonly data: Uint8Array };

class BroadcastLink implements Link {
  readonly kind = 'broadcastchannel' as const;
  readonly maxMessageBytes = BROADCAST_MAX_MESSAGE;
  readonly inbox = new LinkInbox();

  constructor(
    readonly remotePeerId: string,
    private readonly post: (frame: Frame) => void,
    private readonly from: string,
  ) {}

  attach(handlers: LinkHandlers): void {
    this.inbox.attach(handlers);
  }

  send(bytes: Uint8Array): void {
    if (this.inbox.isClosed) throw new LinkClosedError(`the tab link to ${this.remotePeerId} is closed`);
    this.post({ kind: 'data', from: this.from, to: this.remotePeerId, data: bytes.slice() });
  }

  close(reason = 'closed'): void {
    if (this.inbox.isClosed) return;
    this.inbox.close(reason);
    this.post({ kind: 'bye', from: this.from, to: this.remotePeerId });
  }
}

export class BroadcastConnector implements Connector {
  private channel: BroadcastChannel | undefined;
  private sink: LinkSink | undefined;
  private readonly links = new Map<string, BroadcastLink>();
  private readonly key: Promise<CryptoKey | undefined>;
  /** Encryption is asynchronous: a chain keeps frames in order both ways. */
  private sending: Promise<void> = Promise.resolve();
  private receiving: Promise<void> = Promise.resolve();

  constructor(
    private readonly room: string,
    password: string | undefined,
    private readonly reports: LinkReports,
  ) {
    this.key = password === undefined ? Promise.resolve(undefined) : deriveRoomKey(password, room);
  }

  start(sink: LinkSink): void {
    if (typeof BroadcastChannel === 'undefined') return;
    this.sink = sink;
    this.channel = new BroadcastChannel(`lattice-mesh:${this.room}`);
    this.channel.onmessage = (event: MessageEvent<unknown>) => {
      const data = event.data;
      this.receiving = this.receiving.then(() => this.receive(data));
    };
    this.post({ kind: 'hello', from: sink.peerId });
    if (typeof window !== 'undefined') window.addEventListener('pagehide', this.onPageHide);
  }

  poke(): void {
    if (this.sink) this.post({ kind: 'hello', from: this.sink.peerId });
  }

  stop(): void {
    for (const link of [...this.links.values()]) link.close('this tab left the mesh');
    this.links.clear();
    const channel = this.channel;
    this.channel = undefined;
    this.sink = undefined;
    // Let the byes leave first.
    this.sending = this.sending.then(() => channel?.close());
    if (typeof window !== 'undefined') window.removeEventListener('pagehide', this.onPageHide);
  }

  destroy(): void {
    this.stop();
  }

  private readonly onPageHide = (): void => this.stop();

  private post(frame: Frame): void {
    const channel = this.channel;
    if (!channel) return;
    this.sending = this.sending.then(async () => {
      const key = await this.key;
      const plain = frame.kind === 'data' ? { ...frame } : frame;
      const payload = key ? await seal(key, new TextEncoder().encode(JSON.stringify({ ...plain, data: frame.kind === 'data' ? Array.from(frame.data) : undefined }))) : plain;
      channel.postMessage(payload);
    }).catch((error: unknown) => console.warn(`lattice: a tab message could not be sent (${error instanceof Error ? error.message : String(error)})`));
  }

  private async receive(raw: unknown): Promise<void> {
    const sink = this.sink;
    if (!sink) return;
    const key = await this.key;
    let frame: unknown = raw;
    if (key) {
      if (!(raw instanceof Uint8Array)) {
        this.reports.undecryptable('broadcastchannel');
        return;
      }
      try {
        const parsed = JSON.parse(new TextDecoder().decode(await open(key, raw))) as Record<string, unknown>;
        frame = Array.isArray(parsed.data) ? { ...parsed, data: Uint8Array.from(parsed.data as number[]) } : parsed;
      } catch {
        this.reports.undecryptable('broadcastchannel');
        return;
      }
    } else if (raw instanceof Uint8Array) {
      this.reports.undecryptable('broadcastchannel');
      return;
    }
    const f = frame as Partial<Frame> & { data?: unknown } | null;
    if (typeof f !== 'object' || f === null || typeof f.from !== 'string' || f.from.length === 0 || f.from.length > 80 || f.from === sink.peerId) return;
    if (f.to !== undefined && f.to !== sink.peerId) return;
    if (f.kind === 'hello') {
      if (this.links.get(f.from)?.inbox.isClosed === false) return;
      if (!sink.wants(f.from)) return;
      const link = new BroadcastLink(f.from, (fr) => this.post(fr), sink.peerId);
      this.links.set(f.from, link);
      // The answer goes out before the session's first message: a tab drops data from a tab it
      // has no link to, and that first message is the session's hello, which the handshake needs.
      if (f.to === undefined) this.post({ kind: 'hello', from: sink.peerId, to: f.from });
      sink.accept(link);
    } else if (f.kind === 'bye') {
      this.links.get(f.from)?.inbox.close('the tab left');
      this.links.delete(f.from);
    } else if (f.kind === 'data' && f.data instanceof Uint8Array) {
      const link = this.links.get(f.from);
      if (link) link.inbox.message(f.data);
      else this.post({ kind: 'hello', from: sink.peerId, to: f.from });
    } else {
      this.reports.rejected('broadcastchannel: a malformed tab message');
    }
  }
}
