/**
 * Link faults between real mesh nodes on memory links, running the production session code:
 * a cut really cuts (nothing of A reaches B directly) while data still flows through a third
 * node; a split separates groups; impairments (latency, loss, duplication, reordering) are
 * repaired by anti-entropy; faults travel to every node, and heals get through a cut.
 */
import { expect } from 'chai';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../../src/peer/memoryTransport.js';
import { waitUntil } from '../check.js';

const pos = (lat: number) => ({ position: { lat, lon: 1, alt: 0 } });

function open(network: MemoryNetwork, name: string, seed = 'faults'): Promise<MeshNode> {
  return MeshNode.create({
    identity: { nodeId: `${name}-${Math.random().toString(36).slice(2, 8)}`, name, role: 'operator' },
    room: 'faults',
    transport: memoryTransport(network),
    persist: false,
    mesh: { antiEntropyMs: 300, faultSeed: seed },
  });
}

async function mesh(names: string[]): Promise<{ network: MemoryNetwork; nodes: MeshNode[] }> {
  const network = new MemoryNetwork();
  const nodes = await Promise.all(names.map((n) => open(network, n)));
  await waitUntil(() => nodes.every((n) => n.links().length === names.length - 1 && n.status().peers.length === names.length - 1), 'every node links to every other', 5000);
  return { network, nodes };
}

const converged = (nodes: MeshNode[], timeoutMs = 5000) =>
  waitUntil(() => nodes.every((n) => n.store.digest() === nodes[0]!.store.digest()), 'all digests are equal', timeoutMs, () => nodes.map((n) => `${n.identity.name}=${n.store.digest()}`).join(' '));

const linkTo = (from: MeshNode, to: MeshNode) => from.links().find((l) => l.nodeId === to.identity.nodeId);

describe('link faults on memory links', () => {
  let nodes: MeshNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.destroy()));
    nodes = [];
  });

  it('a cut between two nodes stops everything between them; a heal from either end restores it', async () => {
    ({ nodes } = await mesh(['A', 'B']));
    const [a, b] = nodes as [MeshNode, MeshNode];
    const fault = a.faults.cut('A', 'B');
    await waitUntil(() => b.faults.list().some((f) => f.id === fault.id && !f.healed), 'B hears of the cut', 2000);
    expect(linkTo(a, b)!.policy.cut).to.equal(true);
    expect(a.status().peers.every((p) => p.name !== 'B') || a.transport.links().length === 0).to.equal(true);
    a.store.create('during', 'track', pos(1));
    b.store.create('other-side', 'track', pos(2));
    // Nothing passes: give it far longer than a delivery takes.
    await new Promise((r) => setTimeout(r, 400));
    expect(b.store.has('during')).to.equal(false);
    expect(a.store.has('other-side')).to.equal(false);
    expect(linkTo(a, b)!.faulted.cut).to.be.above(0);
    // The heal is issued on the far end: it crosses the cut (faults are management traffic).
    b.faults.heal(fault.id);
    await converged(nodes);
    expect(a.store.has('other-side') && b.store.has('during')).to.equal(true);
    expect(a.faults.list().find((f) => f.id === fault.id)!.healed).to.equal(true);
  });

  it('a cut A–B is partial: A and B still converge through C, which carries what A writes to B', async () => {
    ({ nodes } = await mesh(['A', 'B', 'C']));
    const [a, b, c] = nodes as [MeshNode, MeshNode, MeshNode];
    c.faults.cut('A', 'B');
    await waitUntil(() => linkTo(a, b)?.policy.cut === true && linkTo(b, a)?.policy.cut === true, 'both ends apply the cut', 2000);
    for (let i = 0; i < 20; i++) a.store.create(`a${i}`, 'track', pos(i));
    b.store.create('b0', 'track', pos(5));
    await converged(nodes);
    // It went through C: A dropped what it would have sent B directly.
    expect(linkTo(a, b)!.faulted.cut).to.be.above(0);
    expect(b.store.has('a19') && a.store.has('b0') && c.store.has('a0')).to.equal(true);
    expect(a.route(b.identity.nodeId)).to.deep.equal([a.identity.nodeId, c.identity.nodeId, b.identity.nodeId]);
    a.faults.heal();
    await waitUntil(() => linkTo(a, b)?.policy.cut === false && linkTo(b, a)?.policy.cut === false, 'the cut is healed on both ends', 2000);
    expect(a.route(b.identity.nodeId)).to.have.length(2);
  });

  it('a split keeps groups apart until healed, then all converge', async () => {
    ({ nodes } = await mesh(['A', 'B', 'C', 'D']));
    const [a, b, c, d] = nodes as [MeshNode, MeshNode, MeshNode, MeshNode];
    a.faults.split([['A', 'B'], ['C', 'D']]);
    await waitUntil(() => nodes.every((n) => n.links().filter((l) => l.policy.cut).length === 2), 'each node has its two links across the split cut', 2000);
    a.store.create('left', 'track', pos(1));
    d.store.create('right', 'track', pos(2));
    await waitUntil(() => b.store.has('left') && c.store.has('right'), 'each side converges within itself', 3000);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.store.has('left') || d.store.has('left') || a.store.has('right') || b.store.has('right')).to.equal(false);
    d.faults.heal();
    await converged(nodes);
  });

  it('latency, jitter, loss, duplication and reordering on every link: anti-entropy repairs what was lost and all converge', async () => {
    ({ nodes } = await mesh(['A', 'B', 'C']));
    for (const n of ['A', 'B', 'C']) nodes[0]!.faults.impair({ node: n, latencyMs: 5, jitterMs: 15, loss: 0.2, duplicate: 0.2, reorder: 0.2 });
    await waitUntil(() => nodes.every((n) => n.links().every((l) => l.policy.loss > 0.3)), 'the impairments reach every link', 3000);
    for (let round = 0; round < 10; round++) {
      for (const [i, n] of nodes.entries()) {
        const id = `e${round % 4}`;
        if (n.store.has(id)) n.store.update(id, pos(round * 3 + i));
        else n.store.create(id, 'track', pos(round));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const faulted = nodes.flatMap((n) => n.links()).reduce((s, l) => s + l.faulted.lost + l.faulted.duplicated + l.faulted.reordered, 0);
    expect(faulted, 'the faults acted').to.be.above(0);
    await converged(nodes, 10_000);
    nodes[1]!.faults.heal();
    expect(nodes.reduce((s, n) => s + n.status().repairs!, 0), 'anti-entropy repaired').to.be.above(0);
  });

  it('faults are refused with a clear error for bad input, and change nothing', async () => {
    const network = new MemoryNetwork();
    const a = await open(network, 'A');
    nodes = [a];
    expect(() => a.faults.cut('A', 'A')).to.throw(/two different nodes/);
    expect(() => a.faults.cut('A', 'nobody')).to.throw(/No node named "nobody"/);
    expect(() => a.faults.impair({ node: 'A', loss: 2 })).to.throw(/probability/);
    expect(() => a.faults.impair({ node: 'A', latencyMs: -1 })).to.throw(/ms/);
    expect(() => a.faults.impair({ node: 'A', bandwidthBps: 3 })).to.throw(/bandwidth/);
    expect(() => a.faults.heal('no-such-fault')).to.throw(/no fault/);
    expect(a.faults.list()).to.deep.equal([]);
  });
});

describe('finding peers without a server', () => {
  let nodes: MeshNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.destroy()));
    nodes = [];
  });

  it('with introductions gone, two nodes whose link dropped link again directly through a third', async () => {
    const made = await mesh(['A', 'B', 'C']);
    nodes = made.nodes;
    const [a, b] = nodes as [MeshNode, MeshNode, MeshNode];
    // Stop the "signaling server": the memory network no longer introduces anyone.
    made.network.introduces = false;
    a.transport.dropLinks(b.transport.peerId);
    await waitUntil(() => linkTo(a, b) === undefined, 'A lost its link to B', 2000);
    await waitUntil(() => linkTo(a, b) !== undefined && linkTo(b, a) !== undefined, 'A and B link again directly (signaling relayed by C)', 8000);
    a.store.create('direct', 'track', pos(3));
    await waitUntil(() => b.store.has('direct'), 'data flows', 2000);
  });

  it('with a link cap, a larger mesh is partial, every node still has a route to every other, and all converge', async () => {
    const network = new MemoryNetwork();
    nodes = await Promise.all(Array.from({ length: 9 }, (_, i) => MeshNode.create({ identity: { nodeId: `cap${i}`, name: `N${i}`, role: 'operator' }, room: 'cap', transport: memoryTransport(network), persist: false, mesh: { maxLinks: 3 } })));
    await waitUntil(() => nodes.every((n) => n.status().peers.length === 8), 'every node knows of every other', 8000);
    // Never over twice the cap; thinned to a partial mesh (a full one has 36 links).
    for (const n of nodes) expect(n.links().length).to.be.at.most(6);
    await waitUntil(() => nodes[0]!.topology().edges.length < 30, 'the mesh is partial', 8000, () => String(nodes[0]!.topology().edges.length));
    nodes[0]!.store.create('spread', 'track', pos(1));
    nodes[8]!.store.create('back', 'track', pos(2));
    await converged(nodes, 8000);
    await waitUntil(() => nodes.every((n) => nodes.every((m) => n.route(m.identity.nodeId) !== undefined)), 'every node has a route to every other', 4000);
  });
});
