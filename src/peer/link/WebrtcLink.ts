/**
 * A WebRTC data channel as a link: one RTCPeerConnection with one negotiated, ordered,
 * reliable channel. It only moves bytes; offers, answers and ICE candidates go out through the
 * `signal` callback (over the signaling server or relayed by the mesh), and come in by `signal`.
 */
import { LinkClosedError, LinkInbox, type Link, type LinkHandlers } from './Link.js';

/** Data channels take up to 256 KiB in Chromium; larger messages go as parts of this size. */
const WEBRTC_MAX_MESSAGE = 64 * 1024;
const MAX_SDP = 100_000;
const CLOSE_GRACE_MS = 300;

export type WebrtcSignal =
  | { readonly type: 'offer' | 'answer'; readonly sdp: string }
  | { readonly type: 'candidate'; readonly candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null } };

/** Checks a signal from a peer or the server; throws on anything else. */
export function readWebrtcSignal(value: unknown): WebrtcSignal {
  const r = value as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null) throw new Error('a signal that is not an object');
  if ((r.type === 'offer' || r.type === 'answer') && typeof r.sdp === 'string' && r.sdp.length <= MAX_SDP) return { type: r.type, sdp: r.sdp };
  if (r.type === 'candidate' && typeof r.candidate === 'object' && r.candidate !== null) {
    const c = r.candidate as Record<string, unknown>;
    const mid = c.sdpMid ?? null;
    const index = c.sdpMLineIndex ?? null;
    if (typeof c.candidate === 'string' && c.candidate.length <= 2048 && (mid === null || (typeof mid === 'string' && mid.length <= 64)) && (index === null || (Number.isInteger(index) && (index as number) >= 0 && (index as number) < 64))) {
      return { type: 'candidate', candidate: { candidate: c.candidate, sdpMid: mid as string | null, sdpMLineIndex: index as number | null } };
    }
  }
  throw new Error('a malformed WebRTC signal');
}

export class WebrtcLink implements Link {
  readonly kind = 'webrtc' as const;
  readonly maxMessageBytes = WEBRTC_MAX_MESSAGE;
  private readonly inbox = new LinkInbox();
  private readonly pc: RTCPeerConnection;
  private readonly channel: RTCDataChannel;
  private readonly pendingCandidates: RTCIceCandidateInit[] = [];
  private opened = false;

  constructor(
    readonly remotePeerId: string,
    readonly initiator: boolean,
    iceServers: readonly string[],
    private readonly sendSignal: (signal: WebrtcSignal) => void,
    private readonly onOpen: (link: WebrtcLink) => void,
    private readonly onClosed: (link: WebrtcLink) => void = () => undefined,
    readonly via?: string,
  ) {
    this.pc = new RTCPeerConnection({ iceServers: iceServers.map((urls) => ({ urls })) });
    this.channel = this.pc.createDataChannel('lattice', { negotiated: true, id: 0, ordered: true });
    this.channel.binaryType = 'arraybuffer';
    this.channel.onopen = () => {
      this.opened = true;
      this.onOpen(this);
    };
    this.channel.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (typeof event.data === 'string') this.inbox.message(new TextEncoder().encode(event.data));
      else this.inbox.message(new Uint8Array(event.data));
    };
    this.channel.onclose = () => this.close('the data channel closed');
    this.pc.onicecandidate = (event) => {
      if (event.candidate) this.sendSignal({ type: 'candidate', candidate: { candidate: event.candidate.candidate, sdpMid: event.candidate.sdpMid, sdpMLineIndex: event.candidate.sdpMLineIndex } });
    };
    this.pc.onconnectionstatechange = () => {
      if (this.pc.connectionState === 'failed' || this.pc.connectionState === 'closed') this.close(`the connection ${this.pc.connectionState}`);
    };
    if (initiator) void this.offer();
  }

  get isOpen(): boolean {
    return this.opened && !this.inbox.isClosed;
  }

  get isClosed(): boolean {
    return this.inbox.isClosed;
  }

  attach(handlers: LinkHandlers): void {
    this.inbox.attach(handlers);
  }

  send(bytes: Uint8Array): void {
    if (this.inbox.isClosed || this.channel.readyState !== 'open') throw new LinkClosedError(`the data channel to ${this.remotePeerId} is ${this.channel.readyState}`);
    this.channel.send(bytes as Uint8Array<ArrayBuffer>);
  }

  close(reason = 'closed'): void {
    if (this.inbox.isClosed) return;
    this.inbox.close(reason);
    this.onClosed(this);
    this.channel.onclose = null;
    try {
      this.channel.close();
      // The connection closes a moment later: closing it at once drops what was just sent (the
      // goodbye in presence, as a node leaves).
      const pc = this.pc;
      setTimeout(() => pc.close(), CLOSE_GRACE_MS);
    } catch (error) {
      console.warn(`lattice: closing a WebRTC link failed (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  /** A signal from the peer. */
  async signal(signal: WebrtcSignal): Promise<void> {
    if (this.inbox.isClosed) return;
    try {
      if (signal.type === 'offer') {
        await this.pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
        await this.flushCandidates();
        const answer = await this.pc.createAnswer();
        await this.pc.setLocalDescription(answer);
        this.sendSignal({ type: 'answer', sdp: answer.sdp ?? '' });
      } else if (signal.type === 'answer') {
        if (this.pc.signalingState !== 'have-local-offer') return;
        await this.pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
        await this.flushCandidates();
      } else if (signal.type === 'candidate') {
        if (this.pc.remoteDescription) await this.pc.addIceCandidate(signal.candidate);
        else this.pendingCandidates.push(signal.candidate);
      }
    } catch (error) {
      this.close(`negotiation failed (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  private async offer(): Promise<void> {
    try {
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      this.sendSignal({ type: 'offer', sdp: offer.sdp ?? '' });
    } catch (error) {
      this.close(`could not make an offer (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  private async flushCandidates(): Promise<void> {
    for (const c of this.pendingCandidates.splice(0)) await this.pc.addIceCandidate(c);
  }
}
