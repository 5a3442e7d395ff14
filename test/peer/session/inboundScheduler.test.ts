/**
 * A flooding peer cannot freeze the page or starve the others: what peers send is applied in
 * slices that yield to the page, fairly, each peer within its share; past it the peer is slowed
 * and named, its backlog bounded. (How long the page is blocked is a figure of the bench.)
 */
import { expect } from 'chai';
import { InboundScheduler, QUEUED_OVERHEAD_BYTES } from '../../../src/peer/session/InboundScheduler.js';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../../src/peer/memoryTransport.js';
import { waitUntil } from '../check.js';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';

describe('inbound scheduler', () => {
  it('a flood is applied in slices that yield to the page, and an honest peer keeps getting its turn', async function () {
    this.timeout(20_000);
    // A simulated clock: each flood message "takes" 1 ms, so a 15 ms slice holds 15 of them.
    let t = 0;
    const scheduler = new InboundScheduler<string>({ sliceMs: 15, shareMessagesPerSecond: 1e9, shareBytesPerSecond: 1e9, now: () => t });
    let flood = 0;
    let honest = 0;
    let honestDoneAt = -1;
    let sinceYield = 0;
    let mostBetweenYields = 0;
    // A task of the page: it runs whenever the scheduler yields.
    const channel = new MessageChannel();
    let yields = 0;
    channel.port1.onmessage = () => {
      yields++;
      sinceYield = 0;
      if (flood < 2000) channel.port2.postMessage(0);
    };
    channel.port2.postMessage(0);
    for (let i = 0; i < 2000; i++) {
      scheduler.submit('flooder', 100, () => {
        t += 1;
        flood++;
        mostBetweenYields = Math.max(mostBetweenYields, ++sinceYield);
      });
    }
    for (let i = 0; i < 20; i++) scheduler.submit('honest', 100, () => ((honest += 1), honest === 20 && (honestDoneAt = flood)));
    await waitUntil(() => flood === 2000 && honest === 20, 'everything applied', 15_000);
    channel.port1.close();
    expect(mostBetweenYields, 'messages applied between two turns of the page').to.be.at.most(16);
    expect(yields).to.be.above(2000 / 16);
    // Round robin: the honest peer's 20 messages did not wait behind the flooder's 2,000.
    expect(honestDoneAt).to.be.below(100);
    scheduler.destroy();
  });

  it('a peer over its share is slowed and named; over its backlog, its messages are dropped and counted', async () => {
    // A clock the test moves: the loop below takes no time, however loaded the machine.
    let t = 1000;
    const scheduler = new InboundScheduler<string>({ shareMessagesPerSecond: 50, maxQueuedBytes: 10_000, now: () => t });
    let applied = 0;
    let refused = 0;
    for (let i = 0; i < 400; i++) if (!scheduler.submit('noisy', 100, () => applied++)) refused++;
    const appliedAtOnce = applied;
    let quiet = 0;
    scheduler.submit('quiet', 100, () => quiet++);
    await waitUntil(() => quiet === 1, 'the quiet peer is served at once', 1000);
    expect(appliedAtOnce, 'its share, at once').to.equal(50);
    // Each waiting message counts its bytes and what keeping it costs.
    const fits = Math.floor(10_000 / (100 + QUEUED_OVERHEAD_BYTES));
    expect(refused, 'beyond 10,000 bytes of backlog').to.equal(400 - fits - appliedAtOnce);
    const slowed = scheduler.slowed();
    expect(slowed.map((s) => s.peer)).to.deep.equal(['noisy']);
    expect(slowed[0]!.dropped).to.equal(refused);
    // A second later, it has a second's share again.
    t += 1000;
    await waitUntil(() => applied >= 50 + Math.min(fits, 50), 'the noisy peer goes on at its share', 3000);
    expect(applied).to.be.at.most(51 + fits);
    scheduler.destroy();
  });

  it('keeps at most ten seconds of a peer\'s message share waiting, however small its messages', () => {
    const scheduler = new InboundScheduler<string>({ shareMessagesPerSecond: 50, now: () => 0 });
    let refused = 0;
    for (let i = 0; i < 5000; i++) if (!scheduler.submit('tiny', 1, () => undefined)) refused++;
    expect(refused).to.equal(5000 - 50 - 500);
    scheduler.destroy();
  });
});

describe('a flooding peer on the memory mesh', () => {
  it('is slowed and named on the honest node, which keeps hearing honest writes', async function () {
    this.timeout(30_000);
    const network = new MemoryNetwork();
    const open = (name: string) => MeshNode.create({ identity: { nodeId: `flood-${name}`, name, role: 'operator' }, room: 'flood', transport: memoryTransport(network), persist: false });
    const [honest, other, flooder] = await Promise.all([open('Honest'), open('Other'), open('Flooder')]);
    try {
      await waitUntil(() => [honest, other, flooder].every((n) => n.links().length === 2), 'all linked', 5000);
      // The flooder pushes small valid Yjs updates as fast as it can, past its own checks.
      const doc = new Y.Doc();
      const log = doc.getArray('lattice.noise');
      const flood = setInterval(() => {
        for (let i = 0; i < 100; i++) {
          const before = Y.encodeStateVector(doc);
          log.push([i]);
          const encoder = encoding.createEncoder();
          encoding.writeVarUint(encoder, 0);
          encoding.writeVarUint(encoder, 2);
          encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(doc, before));
          flooder.transport.injectRaw(encoding.toUint8Array(encoder));
        }
      }, 10);
      await waitUntil(() => honest.transport.slowedPeers().some((p) => p.name === 'Flooder'), 'the honest node names the flooder', 5000);
      expect(honest.status().problem).to.match(/Flooder sends more than a peer's share/);
      other.store.create('honest-write', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      await waitUntil(() => honest.store.has('honest-write'), 'an honest write still arrives during the flood', 3000);
      clearInterval(flood);
      // The relay (Other) passes the flood on coalesced, so it is not taken for a flooder itself.
      expect(honest.transport.slowedPeers().map((p) => p.name)).to.deep.equal(['Flooder']);
    } finally {
      await Promise.all([honest, other, flooder].map((n) => n.destroy()));
    }
  });
});
