/**
 * A budgeted mesh stays unfenced: with every node's uplink narrow and one node writing far more
 * than its budget carries, what a node sends waits seconds in its uplink, clock probes included.
 * A clock sample taken from such a round trip is off by half the wait (the probe waited, the
 * answer did not), which once fenced honest nodes; samples count only when the round trip was
 * short (`MAX_CLOCK_RTT_MS`), so no honest node is ever fenced, while the mesh still measures
 * clocks where it can.
 */
import { expect } from 'chai';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { waitUntil } from './check.js';

describe('clocks under a tight uplink budget', () => {
  it('no honest node is ever fenced while a busy node\'s uplink backs up for seconds', async function () {
    this.timeout(40_000);
    const network = new MemoryNetwork();
    const open = (name: string) =>
      new MeshNode({
        identity: { nodeId: `budget-clock-${name}`, name, role: 'operator' },
        room: 'budget-clock',
        transport: memoryTransport(network),
        persist: false,
        // Frequent digests, so clocks are probed often (each digest goes with a probe).
        mesh: { antiEntropyMs: 250 },
      });
    const nodes = [open('Busy'), open('B'), open('C')];
    const [busy, b, c] = nodes as [MeshNode, MeshNode, MeshNode];
    let mover: ReturnType<typeof setInterval> | undefined;
    try {
      await waitUntil(() => nodes.every((n) => n.links().length === 2), 'all linked', 5000);
      busy.store.transact(() => {
        for (let i = 0; i < 150; i++) busy.store.create(`t${i}`, 'track', { position: { lat: i / 10, lon: 0, alt: 0 }, classification: { label: 'aircraft', confidence: 0.5 } });
      });
      await waitUntil(() => nodes.every((n) => n.store.size === 150), 'every node holds the tracks', 5000);
      for (const n of nodes) n.setBudget({ bytesPerSecond: 1500, burstBytes: 1024 });
      // Busy moves every track five times a second and reclassifies some (a few kB/s of changes
      // into a 1.5 kB/s uplink); the others write a little.
      let step = 0;
      mover = setInterval(() => {
        step++;
        busy.store.transact(() => {
          for (let i = 0; i < 150; i++) busy.store.update(`t${i}`, { position: { lat: i / 10 + step / 1e4, lon: step / 1e4, alt: 0 } });
          busy.store.update(`t${step % 150}`, { classification: { label: step % 2 ? 'aircraft' : 'vessel', confidence: 0.6 } });
        });
        if (step % 5 === 0) b.store.update(`t${step % 150}`, { threat: { level: step % 2 ? 'low' : 'medium' } });
        if (step % 7 === 0) c.store.update(`t${(step * 3) % 150}`, { threat: { level: 'high' } });
      }, 200);
      const fenced = new Set<string>();
      let longestWaitMs = 0;
      let samples = 0;
      const started = Date.now();
      while (Date.now() - started < 15_000) {
        for (const n of nodes) if (n.store.clockFence !== undefined) fenced.add(`${n.identity.name} (${n.status().problem ?? ''})`);
        // How long what Busy sends now waits in its uplink before it leaves.
        longestWaitMs = Math.max(longestWaitMs, (busy.uplink.pacer.pendingBytes / 1500) * 1000);
        samples += nodes.reduce((sum, n) => sum + n.transport.peerClockOffsets().length, 0);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect([...fenced], 'honest nodes fenced').to.deep.equal([]);
      // The budget really held Busy's messages back, for longer than a clock sample may take.
      expect(longestWaitMs, "the longest wait in Busy's uplink (ms)").to.be.above(1000);
      // And clocks were measured all along where round trips were short.
      expect(samples).to.be.above(0);
    } finally {
      clearInterval(mover);
      await Promise.all(nodes.map((n) => n.destroy()));
    }
  });
});
