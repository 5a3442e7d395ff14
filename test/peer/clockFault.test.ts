/**
 * A clock fault: a node one hour fast is fenced (it writes nothing, and says why), correct
 * nodes' writes win throughout (what it stamped ahead is held, not applied), and it writes
 * again once its clock is corrected.
 */
import { expect } from 'chai';
import { ClockFencedError } from '../../src/crdt/index.js';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { waitUntil } from './check.js';

const HOUR = 3_600_000;

describe('a node whose clock is an hour fast', () => {
  it('is fenced while it disagrees with its peers, correct writes win throughout, and it rejoins once corrected', async function () {
    this.timeout(30_000);
    const network = new MemoryNetwork();
    let skew = HOUR;
    const open = (name: string, physicalNow?: () => number) =>
      MeshNode.create({ identity: { nodeId: `clock-${name}`, name, role: 'operator' }, room: 'clock', transport: memoryTransport(network), persist: false, mesh: { antiEntropyMs: 200 }, ...(physicalNow ? { physicalNow } : {}) });
    const [a, b] = await Promise.all([open('A'), open('B')]);
    const fast = await open('Fast', () => Date.now() + skew);
    const nodes = [a, b, fast];
    try {
      await waitUntil(() => nodes.every((n) => n.links().length === 2), 'all linked', 5000);
      a.store.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      await waitUntil(() => fast.store.has('t1'), 'the fast node has t1', 3000);
      // Its peers report their clocks with the digests: it learns it is an hour off, and stops writing.
      await waitUntil(() => fast.store.clockFence !== undefined, 'the fast node fences itself', 5000);
      expect(() => fast.store.update('t1', { position: { lat: 50, lon: 50, alt: 0 } })).to.throw(ClockFencedError, /3600 s ahead of its peers'.*writes nothing/);
      expect(fast.status().problem).to.match(/clock is 3600 s ahead/);
      // The honest nodes are not fenced, and their writes keep winning everywhere.
      expect(a.store.clockFence).to.equal(undefined);
      b.store.update('t1', { position: { lat: 2, lon: 2, alt: 0 } });
      await waitUntil(() => nodes.every((n) => n.store.get('t1')?.components.position?.lat === 2), "B's write is what every node shows", 3000);
      // The clock is fixed: the fence lifts by itself and its writes count.
      skew = 0;
      await waitUntil(() => fast.store.clockFence === undefined, 'the fence lifts once the clock agrees', 8000);
      expect(fast.status().problem ?? '').to.not.match(/clock/);
      fast.store.update('t1', { position: { lat: 3, lon: 3, alt: 0 } });
      await waitUntil(() => nodes.every((n) => n.store.get('t1')?.components.position?.lat === 3), "the corrected node's write reaches everyone", 3000);
    } finally {
      await Promise.all(nodes.map((n) => n.destroy()));
    }
  });

  it('a write stamped an hour ahead by a node that was not fenced is held by correct nodes, which keep winning until that time', async function () {
    this.timeout(20_000);
    const network = new MemoryNetwork();
    const open = (name: string, physicalNow?: () => number) =>
      MeshNode.create({ identity: { nodeId: `held-${name}`, name, role: 'operator' }, room: 'held', transport: memoryTransport(network), persist: false, ...(physicalNow ? { physicalNow } : {}) });
    const [a, b] = await Promise.all([open('A'), open('B')]);
    try {
      await waitUntil(() => a.links().length === 1 && b.links().length === 1, 'linked', 5000);
      a.store.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      await waitUntil(() => b.store.has('t1'), 'B has t1', 3000);
      // Written offline by a fast node (no peer to fence it), then brought into the mesh.
      const fast = await open('Fast', () => Date.now() + HOUR);
      fast.disconnect();
      fast.store.create('t9', 'track', { position: { lat: 9, lon: 9, alt: 0 } });
      fast.connect();
      await waitUntil(() => a.uplink.store.health().held.count > 0, 'A holds the batch stamped an hour ahead', 5000);
      expect(a.store.has('t9')).to.equal(false);
      expect(a.status().problem).to.match(/stamped up to 3600 s ahead of this node's clock and held/);
      await fast.destroy();
    } finally {
      await Promise.all([a, b].map((n) => n.destroy()));
    }
  });
});
