/**
 * Convergence under churn, the way Yjs tests itself: nodes on the in-memory network, random
 * writes from a seeded generator, random delivery delays, random disconnects and cut links;
 * once everything heals, every node must resolve the same state.
 */
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { createScriptingApi, ViewerCannotWriteError } from '../../src/peer/scriptingApi.js';
import { check, checkEqual, waitUntil } from './check.js';
import { SeededRandom } from '../../src/workers/random.js';

/** Seeded uniform draws in [0, 1), to pick operations reproducibly. */
function prng(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** JSON with sorted keys: key order depends on the order writes arrived, values must not. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

async function fuzz(seed: number): Promise<void> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const network = new MemoryNetwork();
  network.jitterMs = 8;
  network.random = random;
  const nodes = await Promise.all(Array.from({ length: 4 }, (_, i) => MeshNode.create({ identity: { nodeId: `fuzz${i}`, name: `N${i}`, role: 'operator' }, room: 'fuzz', transport: memoryTransport(network), persist: false })));
  try {
    await Promise.all(nodes.map((n) => n.whenReady));
    await waitUntil(() => nodes.every((n) => n.transport.connected), 'all joined', 1000);
    const ids = Array.from({ length: 12 }, (_, i) => `x${i}`);
    for (let step = 0; step < 400; step++) {
      const node = pick(nodes);
      const r = random();
      const id = pick(ids);
      if (r < 0.05) {
        if (node.transport.connected) node.disconnect();
        else node.connect();
      } else if (r < 0.1) {
        const [a, b] = [pick(nodes).transport, pick(nodes).transport];
        if (a !== b && random() < 0.5) network.block(a, b);
        else if (a !== b) network.unblock(a, b);
      } else if (!node.store.has(id)) {
        node.store.create(id, pick(['track', 'asset', 'geo'] as const), { position: { lat: random() * 10, lon: random() * 10, alt: 0 } });
      } else if (r < 0.25) {
        node.store.delete(id);
      } else {
        node.store.update(id, random() < 0.5 ? { position: { lat: random() * 10, lon: random() * 10, alt: 0 } } : { threat: { level: pick(['none', 'low', 'medium', 'high'] as const) } });
      }
      if (step % 10 === 0) await new Promise((resolve) => setTimeout(resolve, random() * 5));
    }
    for (const a of nodes) for (const b of nodes) if (a !== b) network.unblock(a.transport, b.transport);
    for (const n of nodes) n.connect();
    await waitUntil(() => nodes.every((n) => n.store.digest() === nodes[0]!.store.digest()), `seed ${seed}: all nodes converge`, 5000, () => nodes.map((n) => n.store.digest()).join(' '));
    const views = nodes.map((n) => canonical(n.store.list().sort((p, q) => p.id.localeCompare(q.id))));
    check(views.every((v) => v === views[0]), `seed ${seed}: every node resolves every entity identically`);
  } finally {
    await Promise.all(nodes.map((n) => n.destroy()));
  }
}

describe('mesh convergence under churn (in-memory transport)', () => {
  for (const seed of [1, 2, 3, 4, 5]) it(`seed ${seed}`, () => fuzz(seed));
});

describe('viewer role', () => {
  it('reads but cannot write through window.lattice', async () => {
    const network = new MemoryNetwork();
    const op = await MeshNode.create({ identity: { nodeId: 'op', name: 'Op', role: 'operator' }, room: 'v', transport: memoryTransport(network), persist: false });
    const viewer = await MeshNode.create({ identity: { nodeId: 'viewer', name: 'View', role: 'viewer' }, room: 'v', transport: memoryTransport(network), persist: false });
    try {
      createScriptingApi(op).create('seen', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      const api = createScriptingApi(viewer);
      await waitUntil(() => api.get('seen') !== undefined, 'the viewer sees the operator’s entity', 2000);
      let error: unknown;
      try {
        api.create('nope', 'track');
      } catch (e) {
        error = e;
      }
      check(error instanceof ViewerCannotWriteError, 'a viewer write throws ViewerCannotWriteError');
      checkEqual(api.get('nope'), undefined, 'and writes nothing');
      checkEqual(api.peers().map((p) => [p.name, p.role]), [['Op', 'operator']], 'the viewer sees the operator');
    } finally {
      await Promise.all([op.destroy(), viewer.destroy()]);
    }
  });
});
