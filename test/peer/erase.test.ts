/** A modified client erases the shared log: honest nodes put back what was live; a late joiner gets it all. */
import { expect } from 'chai';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { waitUntil } from './check.js';

describe('erasing the shared log', () => {
  it('does not empty the mesh: honest nodes put back what was live, and a node joining later gets the whole picture', async function () {
    this.timeout(20_000);
    const network = new MemoryNetwork();
    const open = (name: string) => MeshNode.create({ identity: { nodeId: `erase-${name}`, name, role: 'operator' }, room: 'erase', transport: memoryTransport(network), persist: false });
    const [a, b, mallory] = await Promise.all([open('A'), open('B'), open('Mallory')]);
    const nodes = [a, b, mallory];
    try {
      await waitUntil(() => nodes.every((n) => n.links().length === 2), 'all linked', 5000);
      a.store.transact(() => {
        for (let i = 0; i < 50; i++) a.store.create(`e${i}`, 'track', { position: { lat: 1, lon: i, alt: 0 } });
      });
      await waitUntil(() => nodes.every((n) => n.uplink.store.size === 50), 'every mesh store holds the 50', 3000);
      const digest = a.uplink.store.digest();
      // A modified page: it stops keeping its own picture whole and deletes every item of the log.
      mallory.uplink.store.destroy();
      const log = mallory.uplink.doc.getArray('lattice.log');
      mallory.uplink.doc.transact(() => log.delete(0, log.length));
      await waitUntil(() => [a, b].every((n) => n.uplink.store.size === 0), 'the erasure reaches A and B', 3000);
      // Mallory leaves (its modified page would not help repair): the honest nodes alone restore it.
      mallory.disconnect();
      await waitUntil(() => a.uplink.store.health().restoredBatches + b.uplink.store.health().restoredBatches > 0, 'an honest node put the batches back', 15_000);
      await waitUntil(() => [a, b].every((n) => n.uplink.store.digest() === digest), 'both honest mesh stores hold the picture again', 5000);
      expect(a.uplink.store.digest()).to.equal(digest);
      const late = await open('Late');
      nodes.push(late);
      await waitUntil(() => late.store.digest() === a.store.digest() && late.store.size === 50, 'a node joining afterwards gets the whole picture', 5000);
    } finally {
      await Promise.all(nodes.map((n) => n.destroy()));
    }
  });
});
