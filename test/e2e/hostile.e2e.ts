/**
 * A modified client in the room, over WebRTC (the test drives its internals with
 * page.evaluate, as a hostile page would): what honest nodes, and a node joining afterwards,
 * end up with.
 */
import { expect, test } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { freshRoom, openNode, type OpenNode } from './nodes.js';

async function trio(browser: import('@playwright/test').Browser, room: string): Promise<OpenNode[]> {
  const nodes: OpenNode[] = [];
  for (const name of ['Honest-A', 'Honest-B', 'Mallory']) nodes.push(await openNode(browser, { room, name }));
  for (const n of nodes) await waitUntil(async () => (await n.handle.peers()).filter((p) => p.link !== 'relay').length === 2, `${n.handle.label} links to both others`, 20_000);
  return nodes;
}

test('erasing the shared log does not empty the mesh: honest nodes put back what was live, and a node joining later gets the whole picture', async ({ browser }) => {
  test.setTimeout(90_000);
  const room = freshRoom('erase');
  const nodes = await trio(browser, room);
  const [a, b, mallory] = nodes as [OpenNode, OpenNode, OpenNode];
  const late: OpenNode[] = [];
  try {
    await a.handle.createMany('e', 300);
    await waitUntil(async () => (await b.handle.ids()).length === 300 && (await mallory.handle.ids()).length === 300, 'everyone holds the 300 entities', 15_000);
    const digest = await a.handle.digest();
    // Mallory's modified page stops keeping its own picture whole, then deletes every item of the shared log.
    await mallory.page.evaluate(() => {
      const node = window.lattice!.node as unknown as { uplink: { doc: import('yjs').Doc; store: { destroy(): void } } };
      node.uplink.store.destroy();
      const log = node.uplink.doc.getArray('lattice.log');
      node.uplink.doc.transact(() => log.delete(0, log.length));
    });
    const meshSize = (n: OpenNode) => n.page.evaluate(() => (window.lattice!.node as unknown as { uplink: { store: { size: number } } }).uplink.store.size);
    await waitUntil(async () => (await meshSize(a)) === 0 && (await meshSize(b)) === 0, 'the erasure reaches the honest nodes', 10_000);
    // Mallory leaves (its modified page would not help repair): the honest nodes alone restore it.
    await mallory.handle.disconnect();
    // The honest nodes put back, after the wait that lets a late justification arrive. Whichever
    // node's wait ends first puts them back; the other then finds them covered and adds nothing.
    const restored = (n: OpenNode) => n.page.evaluate(() => (window.lattice!.node as unknown as { uplink: { store: { health(): { restoredBatches: number } } } }).uplink.store.health().restoredBatches);
    await waitUntil(async () => (await restored(a)) + (await restored(b)) > 0, 'an honest node put the removed batches back', 30_000);
    await waitUntil(async () => (await meshSize(a)) === 300 && (await meshSize(b)) === 300, 'both honest nodes share the whole picture again', 10_000);
    expect(await a.handle.digest()).toBe(digest);
    expect(await b.handle.digest()).toBe(digest);
    late.push(await openNode(browser, { room, name: 'Late' }));
    await waitUntil(async () => (await late[0]!.handle.digest()) === digest, 'a node joining afterwards receives the whole picture', 20_000, async () => `${await late[0]!.handle.digest()} vs ${digest}`);
  } finally {
    await Promise.all([...nodes, ...late].map((n) => n.context.close()));
  }
});

test('a flooding peer is slowed and named on honest nodes, whose writes keep flowing', async ({ browser }) => {
  test.setTimeout(60_000);
  const nodes = await trio(browser, freshRoom('flood'));
  const [a, b, mallory] = nodes as [OpenNode, OpenNode, OpenNode];
  try {
    // About 1,500 small valid Yjs updates a second for 8 s, straight onto Mallory's links (the
    // page goes on flooding while the test looks at the honest nodes).
    await mallory.page.evaluate(() => {
      const node = window.lattice!.node as unknown as { uplink: { doc: object }; transport: { injectRaw(b: Uint8Array): void } };
      // A throwaway document of the same Yjs (its constructor), whose every change is an update.
      type Doc = { on(e: 'update', f: (u: Uint8Array) => void): void; getArray(n: string): { push(v: unknown[]): void } };
      const DocClass = node.uplink.doc.constructor as new () => Doc;
      const noise = new DocClass();
      const updates: Uint8Array[] = [];
      noise.on('update', (u) => updates.push(u));
      const list = noise.getArray('lattice.noise');
      for (let i = 0; i < 9000; i++) list.push([i]);
      const varUint = (n: number) => {
        const out: number[] = [];
        while (n > 0x7f) {
          out.push(0x80 | (n & 0x7f));
          n >>>= 7;
        }
        out.push(n);
        return out;
      };
      const frames = updates.map((u) => Uint8Array.from([0, 2, ...varUint(u.length), ...u]));
      const started = performance.now();
      let next = 0;
      const pump = setInterval(() => {
        const due = Math.floor(((performance.now() - started) / 1000) * 1500);
        for (; next < Math.min(due, frames.length); next++) node.transport.injectRaw(frames[next]!);
        if (next >= frames.length || performance.now() - started > 8000) clearInterval(pump);
      }, 10);
    });
    // Mallory sends far over a peer's share: honest nodes slow it and say so, by name.
    for (const n of [a, b]) {
      await waitUntil(async () => /Mallory sends more than a peer's share/.test((await n.handle.status()).problem ?? ''), `${n.handle.label} names the flooder`, 10_000, async () => String((await n.handle.status()).problem));
    }
    // Meanwhile honest writes flow.
    await a.handle.create('honest', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    await waitUntil(async () => (await b.handle.get('honest')) !== undefined, 'an honest write still arrives during the flood', 10_000);
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});

test('forged WebRTC offers in an honest peer\'s name, sent for 10 s, never take two honest nodes\' direct link down', async ({ browser }) => {
  test.setTimeout(90_000);
  const nodes = await trio(browser, freshRoom('forged-offers'));
  const [a, b, mallory] = nodes as [OpenNode, OpenNode, OpenNode];
  type Internals = { transport: { peerId: string; sessionInfo(): Array<{ peerId: string; kind: string; since: number }> } };
  const peerId = (n: OpenNode) => n.page.evaluate(() => (window.lattice!.node as unknown as Internals).transport.peerId);
  // The link between two honest nodes as each end sees it: when it opened, or undefined.
  const linkSince = (n: OpenNode, to: string) => n.page.evaluate((p) => (window.lattice!.node as unknown as Internals).transport.sessionInfo().find((s) => s.peerId === p && s.kind === 'webrtc')?.since, to);
  try {
    const [pa, pb] = [await peerId(a), await peerId(b)];
    // The smaller id offers, so Mallory claims to be the smaller one, offering to the larger.
    const [claimed, victim] = pa < pb ? [a, b] : [b, a];
    const [claimedPeer, victimPeer] = pa < pb ? [pa, pb] : [pb, pa];
    const before = [await linkSince(claimed, victimPeer), await linkSince(victim, claimedPeer)];
    expect(before.every((t) => t !== undefined)).toBe(true);
    // Mallory's modified page: every 200 ms a real offer from a connection of its own, relayed
    // to the victim as if from the claimed node; it catches the victim's answers and candidates
    // (addressed to the claimed node, they pass through it) and completes the connection.
    await mallory.page.evaluate(
      ({ claimed, victim }) => {
        type Signal = { type: string; sdp?: string; candidate?: RTCIceCandidateInit; n?: string };
        type Relayed = { id: string; from: string; to: string; ttl: number; signal: Signal };
        const transport = (window.lattice!.node as unknown as { transport: { sessions: Map<string, { sendSignal(p: Relayed): void }>; onSignal(p: unknown, from: unknown): void } }).transport;
        const toVictim = transport.sessions.get(victim)!;
        const forged = new Map<string, RTCPeerConnection>();
        const honestOnSignal = transport.onSignal.bind(transport);
        transport.onSignal = (payload, from) => {
          const r = payload as Relayed;
          const pc = forged.get(r?.signal?.n ?? '');
          if (!pc || r.from !== victim || r.to !== claimed) return honestOnSignal(payload, from);
          if (r.signal.type === 'answer') void pc.setRemoteDescription({ type: 'answer', sdp: r.signal.sdp! }).catch(() => undefined);
          else if (r.signal.type === 'candidate') void pc.addIceCandidate(r.signal.candidate).catch(() => undefined);
        };
        let k = 0;
        const send = (n: string, signal: Signal) => toVictim.sendSignal({ id: `forged-${n}-${Math.random().toString(36).slice(2)}`, from: claimed, to: victim, ttl: 0, signal: { ...signal, n } });
        const started = performance.now();
        void (async () => {
          while (performance.now() - started < 10_000) {
            const n = `m${++k}`;
            const pc = new RTCPeerConnection({ iceServers: [] });
            forged.set(n, pc);
            pc.createDataChannel('lattice', { negotiated: true, id: 0, ordered: true });
            pc.onicecandidate = (e) => {
              if (e.candidate) send(n, { type: 'candidate', candidate: { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex } });
            };
            const offer = await pc.createOffer();
            await pc.setLocalDescription(offer);
            send(n, { type: 'offer', sdp: offer.sdp! });
            if (forged.size > 20) {
              const [oldest, old] = forged.entries().next().value!;
              old.close();
              forged.delete(oldest);
            }
            await new Promise((r) => setTimeout(r, 200));
          }
          (window as unknown as { __forged: number }).__forged = k;
        })();
      },
      { claimed: claimedPeer, victim: victimPeer },
    );
    // Throughout the 10 s, and after, the honest nodes keep the very link they had.
    const started = Date.now();
    while (Date.now() - started < 11_000) {
      expect([await linkSince(claimed, victimPeer), await linkSince(victim, claimedPeer)], 'the honest nodes keep their direct link').toEqual(before);
      await new Promise((r) => setTimeout(r, 250));
    }
    await waitUntil(async () => (await mallory.page.evaluate(() => (window as unknown as { __forged?: number }).__forged ?? 0)) > 20, 'Mallory has sent its forged offers', 5_000);
    for (const [n, other] of [[claimed, victim], [victim, claimed]] as const) {
      const otherId = await other.page.evaluate(() => window.lattice!.identity.nodeId);
      expect((await n.page.evaluate(() => window.lattice!.links())).some((l) => l.nodeId === otherId && l.kind === 'webrtc' && !l.policy.cut), `${n.handle.label} lists its direct link to ${other.handle.label}`).toBe(true);
    }
    expect([await linkSince(claimed, victimPeer), await linkSince(victim, claimedPeer)]).toEqual(before);
    // What the victim refused is counted against Mallory, the hop that brought it.
    const refused = (await victim.handle.status()).rejectedByPeer?.Mallory ?? 0;
    console.log(`hostile: Mallory sent ${await mallory.page.evaluate(() => (window as unknown as { __forged: number }).__forged)} forged offers; the victim refused ${refused} of its signals and links`);
    expect(refused).toBeGreaterThan(0);
    // And the link carries data: a write crosses it.
    await claimed.handle.create('after-forgery', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    await waitUntil(async () => (await victim.handle.get('after-forgery')) !== undefined, 'a write of the claimed node reaches the victim', 10_000);
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});
