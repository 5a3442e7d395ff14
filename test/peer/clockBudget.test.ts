/**
 * A budgeted mesh stays unfenced: with every node's uplink narrow and one node writing far more
 * than its budget carries, what a node sends waits seconds in its uplink, clock probes included.
 * A clock sample taken from such a round trip is off by half the wait (the probe waited, the
 * answer did not), which once fenced honest nodes; a sample counts less its uncertainty (half
 * its round trip), so no honest node is ever fenced, while the mesh still measures clocks.
 */
import { expect } from 'chai';
import { ClockFencedError } from '../../src/crdt/index.js';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { waitUntil } from './check.js';

describe('clocks under a tight uplink budget', () => {
  it('no honest node is ever fenced while a busy node\'s uplink backs up for seconds', async function () {
    this.timeout(40_000);
    const network = new MemoryNetwork();
    const open = (name: string) =>
      MeshNode.create({
        identity: { nodeId: `budget-clock-${name}`, name, role: 'operator' },
        room: 'budget-clock',
        transport: memoryTransport(network),
        persist: false,
        // A digest, and a clock probe with it, every 2 s: a reply to a probe that waited less
        // than that still answers the last one, so only the round-trip bound can refuse it.
        mesh: { antiEntropyMs: 2000 },
      });
    const nodes = await Promise.all([open('Busy'), open('B'), open('C')]);
    const [busy, b, c] = nodes as [MeshNode, MeshNode, MeshNode];
    let mover: ReturnType<typeof setInterval> | undefined;
    try {
      await waitUntil(() => nodes.every((n) => n.links().length === 2), 'all linked', 5000);
      busy.store.transact(() => {
        for (let i = 0; i < 150; i++) busy.store.create(`t${i}`, 'track', { position: { lat: i / 10, lon: 0, alt: 0 }, classification: { label: 'aircraft', confidence: 0.5 } });
      });
      await waitUntil(() => nodes.every((n) => n.store.size === 150), 'every node holds the tracks', 5000);
      // Every uplink is narrow, Busy's narrowest.
      busy.setBudget({ bytesPerSecond: 400, burstBytes: 1024 });
      for (const n of [b, c]) n.setBudget({ bytesPerSecond: 2000, burstBytes: 1024 });
      // Busy moves every track five times a second and reclassifies one (kilobytes a second of
      // changes into a 400 B/s uplink); the others write a little.
      const fenced = new Set<string>();
      const write = (n: MeshNode, change: () => void) => {
        try {
          n.store.transact(change);
        } catch (error) {
          if (!(error instanceof ClockFencedError)) throw error;
          fenced.add(`${n.identity.name}: ${error.message}`);
        }
      };
      let step = 0;
      mover = setInterval(() => {
        step++;
        write(busy, () => {
          for (let i = 0; i < 150; i++) busy.store.update(`t${i}`, { position: { lat: i / 10 + step / 1e4, lon: step / 1e4, alt: 0 } });
          busy.store.update(`t${step % 150}`, { classification: { label: step % 2 ? 'aircraft' : 'vessel', confidence: 0.6 } });
        });
        if (step % 5 === 0) write(b, () => b.store.update(`t${step % 150}`, { threat: { level: step % 2 ? 'low' : 'medium' } }));
        if (step % 7 === 0) write(c, () => c.store.update(`t${(step * 3) % 150}`, { threat: { level: 'high' } }));
      }, 200);
      let longestWaitMs = 0;
      let measured = false;
      const started = Date.now();
      while (Date.now() - started < 20_000) {
        for (const n of nodes) if (n.store.clockFence !== undefined) fenced.add(`${n.identity.name}: ${n.status().problem ?? ''}`);
        // How long what Busy sends now waits in its uplink before it leaves.
        longestWaitMs = Math.max(longestWaitMs, (busy.uplink.pacer.pendingBytes / 400) * 1000);
        measured ||= nodes.some((n) => n.transport.peerClockOffsets().length > 0);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect([...fenced], 'honest nodes fenced').to.deep.equal([]);
      // The budget really held Busy's messages back, for longer than a clock sample may take.
      expect(longestWaitMs, "the longest wait in Busy's uplink (ms)").to.be.above(1000);
      // And clocks were measured where round trips were short.
      expect(measured, 'a node held a clock sample').to.equal(true);
    } finally {
      clearInterval(mover);
      await Promise.all(nodes.map((n) => n.destroy()));
    }
  });
});
