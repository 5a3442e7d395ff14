/** The browser's links: a signaling server and WebRTC between browsers, BroadcastChannel between tabs. */
import type { TransportFactory } from './MeshTransport.js';
import { BroadcastConnector } from './link/BroadcastConnector.js';
import { SignalingConnector } from './link/SignalingConnector.js';
import { WebrtcDialer } from './link/WebrtcDialer.js';
import type { LinkSink } from './link/Link.js';

export interface WebrtcLinksOptions {
  readonly room: string;
  readonly signaling: readonly string[];
  readonly password?: string | undefined;
  readonly iceServers?: readonly string[];
}

export function webrtcLinks(options: WebrtcLinksOptions): TransportFactory {
  return (peerId, reports) => {
    // The dialer needs the mesh's sink, which exists once the mesh starts its connectors.
    let dialer: WebrtcDialer | undefined;
    let sink: LinkSink | undefined;
    const lazySink: LinkSink = {
      peerId,
      wants: (id) => sink?.wants(id) ?? false,
      accept: (link) => (sink ? sink.accept(link) : link.close('the node is not in the mesh')),
    };
    const getDialer = () => (dialer ??= new WebrtcDialer(lazySink, options.iceServers ?? []));
    const signaling = new SignalingConnector(options.signaling, options.room, options.password, getDialer, reports);
    const tabs = new BroadcastConnector(options.room, options.password, reports);
    const capture = {
      start: (s: LinkSink) => {
        sink = s;
      },
      stop: () => {
        sink = undefined;
      },
      destroy: () => undefined,
    };
    return {
      connectors: [capture, signaling, tabs],
      dialer: getDialer(),
      signaling: options.signaling,
      signalingConnected: () => signaling.connected(),
    };
  };
}
