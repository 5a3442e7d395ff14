/**
 * No message from a peer can stop two honest nodes from linking directly (issue 13, §5).
 * Signals are not authenticated yet, so anyone in the room can open a link claiming to be a
 * peer, or send offers in its name:
 *  - the mesh keeps a session whose peer still answers and refuses the newcomer (counted),
 *    and replaces it only when the peer has gone silent on it (memory links dressed as WebRTC
 *    ones, the kind a fresh offer used to replace at once);
 *  - the WebRTC dialer answers each offer as a negotiation of its own, so forged offers never
 *    cancel an honest dial (real RTCPeerConnections in this page).
 */
import { expect } from 'chai';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { MemoryLink, MemoryNetwork } from '../../../src/peer/link/MemoryLink.js';
import { memoryTransport } from '../../../src/peer/memoryTransport.js';
import type { Link, LinkSink } from '../../../src/peer/link/Link.js';
import type { SignalRoute } from '../../../src/peer/link/Dialer.js';
import { WebrtcDialer } from '../../../src/peer/link/WebrtcDialer.js';
import { PROBE_MS } from '../../../src/peer/session/PeerMesh.js';
import { MSG } from '../../../src/peer/session/wire.js';
import { waitUntil } from '../check.js';

/** A memory link that says it is a WebRTC data channel. */
function asWebrtc(link: MemoryLink, via?: string): Link {
  return {
    kind: 'webrtc',
    remotePeerId: link.remotePeerId,
    maxMessageBytes: link.maxMessageBytes,
    via,
    attach: (h) => link.attach(h),
    send: (b) => link.send(b),
    close: (r) => link.close(r),
  };
}

/** Two ends of a memory link between `a` and `b` (peer ids). */
function memoryPair(network: MemoryNetwork, a: string, b: string): [MemoryLink, MemoryLink] {
  const ab = new MemoryLink(network, a, b);
  const ba = new MemoryLink(network, b, a);
  ab.peer = ba;
  ba.peer = ab;
  return [ab, ba];
}

interface Opened {
  readonly node: MeshNode;
  readonly sink: () => LinkSink;
}

/** A node that meets nobody by itself; the test hands links to its sink. */
async function openNode(name: string, mesh: { silenceMs?: number } = {}): Promise<Opened> {
  let sink: LinkSink | undefined;
  const node = await MeshNode.create({
    identity: { nodeId: `takeover-${name}-${Math.random().toString(36).slice(2, 8)}`, name, role: 'operator' },
    room: 'takeover',
    persist: false,
    mesh: { antiEntropyMs: 60_000, ...mesh },
    transport: () => ({ connectors: [{ start: (s) => (sink = s), stop: () => (sink = undefined), destroy: () => (sink = undefined) }] }),
  });
  return { node, sink: () => sink! };
}

const sessionTo = (node: MeshNode, peerId: string) => node.transport.sessionInfo().find((s) => s.peerId === peerId);

describe('a link claiming to be a peer we already have a session with', () => {
  const nodes: MeshNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.destroy()));
  });

  async function linkedPair(silenceMs?: number): Promise<{ network: MemoryNetwork; b: Opened; c: Opened; bPeer: string; cPeer: string }> {
    const network = new MemoryNetwork();
    const b = await openNode('B', silenceMs === undefined ? {} : { silenceMs });
    const c = await openNode('C', silenceMs === undefined ? {} : { silenceMs });
    nodes.push(b.node, c.node);
    await waitUntil(() => b.node.transport.connected && c.node.transport.connected, 'both joined', 2000);
    const [bPeer, cPeer] = [b.node.transport.peerId, c.node.transport.peerId];
    const [bc, cb] = memoryPair(network, bPeer, cPeer);
    b.sink().accept(asWebrtc(bc));
    c.sink().accept(asWebrtc(cb));
    await waitUntil(() => sessionTo(b.node, cPeer)?.name === 'C' && sessionTo(c.node, bPeer)?.name === 'B', 'B and C linked and said hello', 3000);
    return { network, b, c, bPeer, cPeer };
  }

  it('is refused, again and again, while the peer answers on its link: the old link stays and carries data', async function () {
    this.timeout(20_000);
    const { network, b, c, bPeer, cPeer } = await linkedPair();
    const before = sessionTo(c.node, bPeer)!.since;
    const forged: MemoryLink[] = [];
    // Mallory opens link after link to C claiming to be B, for 4 s.
    const started = Date.now();
    while (Date.now() - started < 4000) {
      const [mallory, toC] = memoryPair(network, bPeer, cPeer);
      mallory.attach({ message: () => undefined, closed: () => undefined });
      forged.push(mallory);
      c.sink().accept(asWebrtc(toC, 'Mallory'));
      expect(sessionTo(c.node, bPeer)?.since, 'C keeps its link to B').to.equal(before);
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitUntil(() => forged.every((m) => m.inbox.isClosed), 'every forged link is closed', PROBE_MS + 1000);
    expect(sessionTo(c.node, bPeer)?.since).to.equal(before);
    expect(c.node.transport.replacedLinks).to.equal(0);
    // Refused and counted, against the hop that brought them.
    expect(c.node.transport.refusalsByPeer().Mallory).to.equal(forged.length);
    expect(c.node.status().rejectedMessages).to.be.at.least(forged.length);
    // B's link to C never noticed anything, and still carries data both ways.
    expect(b.node.transport.links().map((l) => l.peerId)).to.deep.equal([cPeer]);
    b.node.store.create('after', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    await waitUntil(() => c.node.store.has('after'), "B's write reaches C over their link", 3000);
  });

  it('replaces the old link when the peer has gone silent on it (it dropped its side)', async function () {
    this.timeout(10_000);
    // Liveness off: only the probe can find the old link dead.
    const { network, c, bPeer, cPeer } = await linkedPair(0);
    const old = c.node.transport['sessions'].get(bPeer)!;
    // From now on nothing B sends reaches C's session on the old link.
    old.link.attach({ message: () => undefined, closed: () => undefined });
    const [far, toC] = memoryPair(network, bPeer, cPeer);
    const heard: Uint8Array[] = [];
    far.attach({ message: (m) => heard.push(m), closed: () => undefined });
    const at = Date.now();
    c.sink().accept(asWebrtc(toC));
    expect(sessionTo(c.node, bPeer)?.since, 'the old link is kept while it is checked').to.equal(old.since);
    await waitUntil(() => c.node.transport['sessions'].get(bPeer)?.link.remotePeerId === bPeer && c.node.transport['sessions'].get(bPeer) !== old, 'the new link replaces the silent one', PROBE_MS + 3000, () => {
      const now = c.node.transport['sessions'].get(bPeer);
      return `session ${now === old ? 'old' : now ? 'other' : 'none'}; old closed ${old.isClosed}; old heard ${old.lastHeard - at} ms after; refusals ${JSON.stringify(c.node.transport.refusalsByPeer())}; replaced ${c.node.transport.replacedLinks}`;
    });
    expect(Date.now() - at).to.be.at.least(PROBE_MS - 50);
    expect(old.isClosed).to.equal(true);
    expect(c.node.transport.replacedLinks).to.equal(1);
    // The new session runs its protocol on the new link: its hello (data waits for this bare
    // far end's proof of key, which never comes).
    await waitUntil(() => heard.length >= 1, 'C speaks on the new link', 2000);
    expect(heard[0]![0], 'a hello').to.equal(MSG.hello);
    expect(c.node.transport.refusalsByPeer()).to.deep.equal({});
  });

  it('a replacement is decided at once when the old link closes during the check', async function () {
    this.timeout(10_000);
    const { network, c, bPeer, cPeer } = await linkedPair(0);
    const old = c.node.transport['sessions'].get(bPeer)!;
    old.link.attach({ message: () => undefined, closed: () => undefined });
    const [far, toC] = memoryPair(network, bPeer, cPeer);
    far.attach({ message: () => undefined, closed: () => undefined });
    c.sink().accept(asWebrtc(toC));
    old.close('the channel closed');
    expect(c.node.transport['sessions'].get(bPeer)?.link.remotePeerId).to.equal(bPeer);
    expect(c.node.transport['sessions'].get(bPeer)).to.not.equal(old);
    expect(c.node.transport.replacedLinks).to.equal(0);
  });
});

describe('a relayed signal in the name of a peer linked to the relay', () => {
  it('is refused (and counted) when it arrives another way, and passed on when it comes from that peer', async function () {
    this.timeout(10_000);
    const network = new MemoryNetwork();
    const open = (name: string) => MeshNode.create({ identity: { nodeId: `relay-${name}-${Math.random().toString(36).slice(2, 8)}`, name, role: 'operator' }, room: 'relay', transport: memoryTransport(network), persist: false });
    const nodes = await Promise.all([open('B'), open('H'), open('Mallory')]);
    const [b, h, mallory] = nodes as [MeshNode, MeshNode, MeshNode];
    try {
      await waitUntil(() => nodes.every((n) => n.links().length === 2 && n.transport.sessionInfo().every((s) => s.name !== undefined && s.verified)), 'all linked, named and verified', 3000);
      const [bPeer, hPeer] = [b.transport.peerId, h.transport.peerId];
      const session = (from: MeshNode, to: string) => from.transport['sessions'].get(to)!;
      // Toward a node H knows nothing of: H would pass it on to its other links.
      const signal = (id: string, claimed: string) => ({ id, from: claimed, to: 'p-elsewhere', ttl: 2, signal: { type: 'offer', sdp: 'v=0', n: id } });
      // What linking itself refused (a message racing the proof of key) is not this test's.
      const before = { ...h.transport.refusalsByPeer() };
      session(mallory, hPeer).sendSignal(signal('forged-1', bPeer));
      await waitUntil(() => h.transport.refusalsByPeer().Mallory === (before.Mallory ?? 0) + 1, 'H refuses the forgery and counts it against Mallory', 2000);
      // B's own signal through its own link is passed on (to Mallory, H's other link).
      let heardByMallory = 0;
      const onSignal = mallory.transport['onSignal'].bind(mallory.transport);
      mallory.transport['onSignal'] = (payload: unknown, from: unknown) => {
        if ((payload as { id?: string }).id === 'honest-1') heardByMallory++;
        return onSignal(payload as never, from as never);
      };
      session(b, hPeer).sendSignal(signal('honest-1', bPeer));
      await waitUntil(() => heardByMallory === 1, "H passes B's own signal on", 2000);
      expect(h.transport.refusalsByPeer()).to.deep.equal({ ...before, Mallory: (before.Mallory ?? 0) + 1 });
    } finally {
      await Promise.all(nodes.map((n) => n.destroy()));
    }
  });
});

describe('forged WebRTC offers claiming to be a peer we dial with', () => {
  it('never cancel the honest negotiation: B and C link while Mallory keeps sending offers in B\'s name', async function () {
    this.timeout(20_000);
    // The smaller id offers: B dials C.
    const [bPeer, cPeer] = ['p0bravo', 'p1charlie'];
    const accepted: Record<string, Link[]> = { [bPeer]: [], [cPeer]: [] };
    const sink = (peerId: string): LinkSink => ({ peerId, wants: () => true, accept: (l) => accepted[peerId]!.push(l) });
    // Signals between B and C go through an honest relay, H.
    const toC: SignalRoute = { name: 'mesh', send: (_to, s) => setTimeout(() => dC.signal(bPeer, s, toB, 'H'), 1) };
    const toB: SignalRoute = { name: 'mesh', send: (_to, s) => setTimeout(() => dB.signal(cPeer, s, toC, 'H'), 1) };
    const dB = new WebrtcDialer(sink(bPeer), []);
    const dC = new WebrtcDialer(sink(cPeer), []);
    // Mallory's offers are real ones, from connections of its own; C's answers go nowhere.
    const nowhere: SignalRoute = { name: 'mesh', send: () => undefined };
    let forged = 0;
    let refused = 0;
    let forging = true;
    const forge = async () => {
      while (forging) {
        const pc = new RTCPeerConnection();
        pc.createDataChannel('lattice', { negotiated: true, id: 0 });
        const offer = await pc.createOffer();
        pc.close();
        try {
          dC.signal(bPeer, { type: 'offer', sdp: offer.sdp, n: `forged${++forged}` }, nowhere, 'Mallory');
        } catch {
          refused++;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const forgery = forge();
    try {
      await new Promise((r) => setTimeout(r, 300));
      const forgedBefore = forged;
      dB.dial(cPeer, toC);
      await waitUntil(() => accepted[cPeer]!.length === 1 && accepted[bPeer]!.length === 1, 'B and C each open a link to the other', 8000);
      // Forged offers came before the dial and kept coming while it was under way.
      expect(forgedBefore).to.be.above(0);
      expect(forged).to.be.above(forgedBefore);
      const [atB, atC] = [accepted[bPeer]![0]!, accepted[cPeer]![0]!];
      expect(atC.remotePeerId).to.equal(bPeer);
      expect(atC.via).to.equal('H');
      // It is B's link, not one of Mallory's: bytes cross it.
      const got = new Promise<Uint8Array>((resolve) => atC.attach({ message: resolve, closed: () => undefined }));
      atB.attach({ message: () => undefined, closed: () => undefined });
      atB.send(Uint8Array.of(7, 7, 7));
      expect([...(await got)]).to.deep.equal([7, 7, 7]);
      // An offer from a larger id is refused (the smaller id offers).
      expect(() => dB.signal(cPeer, { type: 'offer', sdp: 'v=0', n: 'x1' }, toC, 'H')).to.throw(/larger/);
      expect(refused).to.equal(0);
      atB.close();
      atC.close();
    } finally {
      forging = false;
      await forgery;
      dB.stop();
      dC.stop();
    }
  });
});
