/**
 * The uplink budget on real `MeshNode`s over the in-memory transport: priority under a narrow
 * link, egress bounded by budget plus burst (measured on the network, not by the pacer),
 * offline changes leaving in order, and convergence once the budget is lifted.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { MemoryNetwork, memoryTransport } from '../../../src/peer/memoryTransport.js';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { ValidationError } from '../../../src/crdt/index.js';
import { waitUntil } from '../check.js';

const nodes: MeshNode[] = [];

async function open(network: MemoryNetwork, name: string): Promise<MeshNode> {
  const node = await MeshNode.create({ identity: { nodeId: `${name}-${Math.random().toString(36).slice(2, 8)}`, name, role: 'operator' }, room: 'budget', transport: memoryTransport(network), persist: false });
  nodes.push(node);
  return node;
}

async function converged(a: MeshNode, b: MeshNode, timeoutMs = 10_000): Promise<number> {
  return waitUntil(() => a.store.digest() === b.store.digest(), `${a.identity.name} and ${b.identity.name} converged`, timeoutMs, () => `${a.store.digest()} vs ${b.store.digest()}; queue ${a.traffic().queueDepth}/${b.traffic().queueDepth}`);
}

function createTracks(node: MeshNode, count: number): void {
  node.store.transact(() => {
    for (let i = 0; i < count; i++) {
      node.store.create(`t${i}`, 'track', { position: { lat: 10 + i / 1000, lon: 20, alt: 100 }, threat: { level: 'low' }, classification: { label: 'aircraft', confidence: 0.8 } });
    }
  });
}

function movePositions(node: MeshNode, count: number, step: number): void {
  node.store.transact(() => {
    for (let i = 0; i < count; i++) node.store.update(`t${i}`, { position: { lat: 10 + i / 1000 + step / 1e4, lon: 20 + step / 1e4, alt: 100 } });
  });
}

/** Largest excess of bytes sent over any span beyond `burst + rate × span` (≤ 0 when within budget). */
function worstExcess(sends: ReadonlyArray<{ at: number; bytes: number }>, rate: number, burst: number): number {
  let worst = -Infinity;
  for (let i = 0; i < sends.length; i++) {
    let total = 0;
    for (let j = i; j < sends.length; j++) {
      total += sends[j]!.bytes;
      worst = Math.max(worst, total - burst - (rate * (sends[j]!.at - sends[i]!.at)) / 1000);
    }
  }
  return worst;
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.destroy()));
});

describe('uplink budget on the memory mesh', () => {
  it('at 1 kB/s with 200 tracks moving, a high-threat change arrives within 3 s, positions are decimated, egress stays within budget plus burst, and lifting the budget converges', async function () {
    this.timeout(40_000);
    const network = new MemoryNetwork();
    const a = await open(network, 'A');
    const b = await open(network, 'B');
    createTracks(a, 200);
    await converged(a, b);
    // The link's first sync must be over before the budget: A's answer to B's first request (a
    // full state, as the tracks came while the link came up) would otherwise leave under it and
    // hold the pacer for ten seconds (a new link's resync is paced like everything else). A
    // digest B sends now reaches A after that request (one link keeps its order), and once A
    // has read it and its pacer is empty, the answer has left.
    const rounds = () => a.links()[0]?.antiEntropy.rounds ?? 0;
    const before = rounds();
    b.antiEntropy();
    await waitUntil(() => rounds() > before && a.traffic().pendingBytes === 0, 'the first sync is over', 5000);

    const rate = 1000;
    const burst = 1024;
    a.setBudget({ bytesPerSecond: rate, burstBytes: burst });
    const sends: Array<{ at: number; bytes: number }> = [];
    const transportA = a.transport;
    network.onPart = (from, bytes) => {
      if (from === transportA.peerId) sends.push({ at: performance.now(), bytes });
    };
    let positionsSeenByB = 0;
    b.store.watch((events) => {
      for (const e of events) if (e.components.includes('position')) positionsSeenByB++;
    });

    let step = 0;
    const mover = setInterval(() => movePositions(a, 200, ++step), 250);
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const changedAt = performance.now();
      a.store.update('t7', { threat: { level: 'high' } });
      const latency = await waitUntil(() => b.store.component('t7', 'threat')?.level === 'high', 'B saw the high threat', 3000, () => `${JSON.stringify(a.traffic())} links A ${JSON.stringify(a.links().map((l) => l.antiEntropy))} B ${JSON.stringify(b.links().map((l) => l.antiEntropy))} refused ${JSON.stringify([a.status().rejectedByPeer, b.status().rejectedByPeer])}`);
      expect(performance.now() - changedAt).to.be.below(3000);
      expect(latency).to.be.below(3000);
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      clearInterval(mover);
    }
    const made = step * 200;
    expect(positionsSeenByB, `B saw ${positionsSeenByB} of ${made} position changes`).to.be.below(made * 0.25);
    const traffic = a.traffic();
    expect(traffic.coalesced).to.be.above(0);
    expect(traffic.queued.position).to.be.above(0);
    expect(worstExcess(sends, rate, burst), 'bytes beyond budget plus burst').to.be.at.most(0);
    expect(sends.length).to.be.above(5);
    // The node's own monitor, reading its uplink once a second, saw the budget kept too.
    a.monitor.check();
    expect(a.monitor.report().byRule['uplink.budget'] ?? 0, 'the monitor saw no excess').to.equal(0);

    a.setBudget({ bytesPerSecond: 0 });
    await converged(a, b, 5000);
    expect(a.traffic().queueDepth).to.equal(0);
  });

  it('changes made offline wait coalesced and leave by priority when the link is back', async function () {
    this.timeout(30_000);
    const network = new MemoryNetwork();
    const a = await open(network, 'A');
    const b = await open(network, 'B');
    createTracks(a, 60);
    await converged(a, b);
    a.setBudget({ bytesPerSecond: 600, burstBytes: 512 });
    a.disconnect();
    for (let step = 1; step <= 5; step++) movePositions(a, 60, step);
    a.store.delete('t3');
    a.store.update('t9', { threat: { level: 'high' } });
    const waiting = a.traffic();
    // One position per track (t3's waits too, and is skipped as moot when it leaves), the delete, the threat.
    expect(waiting.queueDepth).to.equal(62);
    expect(waiting.coalesced).to.equal(4 * 60);
    expect(waiting.queued).to.deep.include({ delete: 1, priority: 1, position: 60 });

    let positionsSeenByB = 0;
    b.store.watch((events) => {
      for (const e of events) if (e.components.includes('position')) positionsSeenByB++;
    });
    a.connect();
    await waitUntil(() => !b.store.has('t3') && b.store.component('t9', 'threat')?.level === 'high', 'B saw the delete and the high threat', 10_000);
    expect(positionsSeenByB, 'positions B had seen when the priority changes arrived').to.be.below(15);
    a.setBudget({ bytesPerSecond: 0 });
    await converged(a, b, 5000);
    expect(b.store.component('t59', 'position')?.lat).to.be.closeTo(10 + 59 / 1000 + 5 / 1e4, 1e-6);
  });

  it('refuses a bad budget and keeps the one in force', async () => {
    const a = await open(new MemoryNetwork(), 'A');
    a.setBudget({ bytesPerSecond: 8000 });
    expect(() => a.setBudget({ bytesPerSecond: -5 })).to.throw(ValidationError);
    expect(() => a.setBudget({ bytesPerSecond: 1000, burstBytes: 10 })).to.throw(ValidationError);
    expect(a.budget()).to.deep.equal({ bytesPerSecond: 8000, burstBytes: 8000 });
  });

  it('three nodes with random budgets, edits and partitions converge once budgets are lifted and links healed (property)', async function () {
    this.timeout(120_000);
    type Step = { kind: 'edit'; node: number; track: number; lat: number; threat: number } | { kind: 'delete'; node: number; track: number } | { kind: 'toggle'; node: number } | { kind: 'wait'; ms: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('edit' as const), node: fc.integer({ min: 0, max: 2 }), track: fc.integer({ min: 0, max: 19 }), lat: fc.integer({ min: -80, max: 80 }), threat: fc.integer({ min: 0, max: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), node: fc.integer({ min: 0, max: 2 }), track: fc.integer({ min: 0, max: 19 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('toggle' as const), node: fc.integer({ min: 0, max: 2 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 150 }) }) },
    );
    const levels = ['none', 'low', 'medium', 'high'] as const;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 3, maxLength: 3 }), fc.array(step, { minLength: 10, maxLength: 60 }), async (budgets, steps) => {
        const network = new MemoryNetwork();
        const mesh = await Promise.all([open(network, 'N0'), open(network, 'N1'), open(network, 'N2')]);
        createTracks(mesh[0]!, 20);
        await waitUntil(() => mesh.every((n) => n.store.digest() === mesh[0]!.store.digest()), 'seeded', 5000);
        budgets.forEach((bps, i) => mesh[i]!.setBudget({ bytesPerSecond: bps < 300 ? 0 : bps, burstBytes: 512 }));
        for (const s of steps) {
          if (s.kind === 'wait') await new Promise((r) => setTimeout(r, s.ms));
          else if (s.kind === 'toggle') {
            const n = mesh[s.node]!;
            if (n.transport.connected) n.disconnect();
            else n.connect();
          } else {
            const n = mesh[s.node]!;
            const id = `t${s.track}`;
            if (s.kind === 'delete') {
              if (n.store.has(id)) n.store.delete(id);
            } else if (n.store.has(id)) n.store.update(id, { position: { lat: s.lat, lon: 0, alt: 0 }, threat: { level: levels[s.threat]! } });
            else n.store.create(id, 'track', { position: { lat: s.lat, lon: 0, alt: 0 } });
          }
        }
        for (const n of mesh) {
          n.setBudget({ bytesPerSecond: 0 });
          n.connect();
        }
        await waitUntil(() => mesh.every((n) => n.store.digest() === mesh[0]!.store.digest()), 'all converged', 10_000, () => mesh.map((n) => `${n.store.digest()} q${n.traffic().queueDepth}`).join(' | '));
        await Promise.all(nodes.splice(0).map((n) => n.destroy()));
      }),
      { numRuns: 12 },
    );
  });
});
