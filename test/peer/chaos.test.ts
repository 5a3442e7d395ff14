/**
 * Seeded chaos on memory links, running the production session code: five nodes and several
 * hundred random events per seed — pair cuts, group splits, latency, loss, duplication and
 * reordering, writes, deletes, conflicting writes across a cut, nodes leaving and rejoining,
 * nodes restarting from their stored data. Afterwards every node is identical to every other
 * and to an independent oracle of every write ever made: nothing acknowledged is lost, and each
 * component's winner is the write with the greatest HLC, tombstones included.
 *
 * Each seed is in its test's name; to replay a failure, run that seed alone (SEEDS below).
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import { LatticeError, type Components } from '../../src/crdt/index.js';
import type { RawBatch } from '../../src/crdt/batch.js';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { seededRandom } from '../../src/peer/faults/FaultGate.js';
import { oracle, recordBatches, resolved } from '../crdt/oracle.js';
import { waitUntil } from './check.js';

const SEEDS = [101, 202, 303];
const NODES = 5;
const EVENTS = 320;
const IDS = Array.from({ length: 14 }, (_, i) => `c${i}`);

interface Chaos {
  readonly network: MemoryNetwork;
  readonly nodes: MeshNode[];
  readonly history: Map<string, RawBatch>;
  readonly random: () => number;
}

function boot(chaos: Chaos, i: number, stored?: Uint8Array): MeshNode {
  const node = new MeshNode({
    identity: { nodeId: `chaos-n${i}`, name: `N${i}`, role: 'operator' },
    room: 'chaos',
    transport: memoryTransport(chaos.network),
    persist: false,
    autoConnect: false,
    mesh: { antiEntropyMs: 400, faultSeed: `chaos-${i}` },
  });
  recordBatches(node.doc, chaos.history);
  // What the node had stored (IndexedDB in the browser), loaded before it joins.
  if (stored) Y.applyUpdate(node.doc, stored);
  node.connect();
  return node;
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

function write(node: MeshNode, id: string, random: () => number): void {
  const comps: Components = random() < 0.6 ? { position: { lat: Math.round(random() * 1e6) / 1e4, lon: 1, alt: 0 } } : { threat: { level: pick(random, ['none', 'low', 'medium', 'high'] as const) } };
  try {
    if (node.store.has(id)) node.store.update(id, comps);
    else node.store.create(id, pick(random, ['track', 'asset', 'geo'] as const), comps);
  } catch (error) {
    // A create under a newer tombstone, say: a refusal, not a failure.
    if (!(error instanceof LatticeError)) throw error;
  }
}

/** A node just restarted may not know yet of a node that is offline: naming it is refused, as it would be for a person. */
function tolerate(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    if (!(error instanceof LatticeError)) throw error;
    return false;
  }
}

async function step(chaos: Chaos, e: number): Promise<string> {
  const { nodes, random } = chaos;
  const i = Math.floor(random() * nodes.length);
  const node = nodes[i]!;
  const other = nodes[(i + 1 + Math.floor(random() * (nodes.length - 1))) % nodes.length]!;
  const r = random();
  if (r < 0.4) {
    write(node, pick(random, IDS), random);
    return 'write';
  }
  if (r < 0.47) {
    const id = pick(random, IDS);
    if (node.store.has(id)) node.store.delete(id);
    return 'delete';
  }
  if (r < 0.55) {
    // Conflicting writes to one component on both ends of a cut.
    tolerate(() => node.faults.cut(node.identity.nodeId, other.identity.nodeId));
    const id = pick(random, IDS);
    write(node, id, random);
    write(other, id, random);
    return 'conflict across a cut';
  }
  if (r < 0.62) {
    return tolerate(() => node.faults.cut(node.identity.nodeId, other.identity.nodeId)) ? 'cut' : 'refused';
  }
  if (r < 0.66) {
    const names = nodes.map((n) => n.identity.nodeId);
    const left = names.filter(() => random() < 0.5);
    const right = names.filter((n) => !left.includes(n));
    if (left.length > 0 && right.length > 0) return tolerate(() => node.faults.split([left, right])) ? 'split' : 'refused';
    return 'no split';
  }
  if (r < 0.72) {
    const done = tolerate(() => node.faults.impair({ node: other.identity.nodeId, ...(random() < 0.5 ? { peer: node.identity.nodeId } : {}), latencyMs: Math.floor(random() * 30), jitterMs: Math.floor(random() * 20), loss: random() * 0.25, duplicate: random() * 0.15, reorder: random() * 0.15 }));
    return done ? 'impair' : 'refused';
  }
  if (r < 0.8) {
    const active = node.faults.list().filter((f) => !f.healed);
    if (active.length > 0) node.faults.heal(pick(random, active).id);
    return 'heal one';
  }
  if (r < 0.83) {
    node.faults.heal();
    return 'heal all';
  }
  if (r < 0.9) {
    if (node.transport.connected) node.disconnect();
    else node.connect();
    return 'leave or rejoin';
  }
  if (r < 0.94) {
    // Restart from stored data: the page reloads with what IndexedDB kept.
    const stored = Y.encodeStateAsUpdate(node.doc);
    await node.destroy();
    nodes[i] = boot(chaos, i, stored);
    return 'restart';
  }
  await new Promise((resolve) => setTimeout(resolve, random() * 30));
  return `pause (event ${e})`;
}

describe('chaos on memory links (seeded; every seed is replayable)', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: ${NODES} nodes, ${EVENTS} events of faults, writes and restarts, then every node equals the oracle`, async function () {
      this.timeout(90_000);
      const chaos: Chaos = { network: new MemoryNetwork(), nodes: [], history: new Map(), random: seededRandom(`chaos-${seed}`) };
      for (let i = 0; i < NODES; i++) chaos.nodes.push(boot(chaos, i));
      const log: string[] = [];
      try {
        await waitUntil(() => chaos.nodes.every((n) => n.links().length === NODES - 1), `seed ${seed}: all linked`, 5000);
        for (let e = 0; e < EVENTS; e++) {
          log.push(await step(chaos, e));
          if (e % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
        }
        // The end of the storm: everyone back, every fault healed.
        for (const n of chaos.nodes) n.connect();
        await waitUntil(() => chaos.nodes.every((n) => n.links().length > 0), `seed ${seed}: every node has a link`, 10_000);
        // "Heal all" heals what the node knows; a node that was away may bring faults set meanwhile.
        await waitUntil(() => chaos.nodes[0]!.faults.heal().length >= 0 && chaos.nodes.every((n) => n.faults.list().every((f) => f.healed)), `seed ${seed}: the heal reached every node`, 10_000, () => chaos.nodes.map((n) => n.faults.list().filter((f) => !f.healed).length).join(','));
        await waitUntil(
          () => chaos.nodes.every((n) => n.store.digest() === chaos.nodes[0]!.store.digest()),
          `seed ${seed}: all nodes converge`,
          20_000,
          () => chaos.nodes.map((n) => n.store.digest()).join(' '),
        );
        const expected = [...oracle(chaos.history.values())].sort(([a], [b]) => a.localeCompare(b));
        expect(expected.length, `seed ${seed}: the storm left entities`).to.be.above(0);
        for (const n of chaos.nodes) {
          const actual = [...resolved(n.store)].sort(([a], [b]) => a.localeCompare(b));
          expect(actual, `seed ${seed}: ${n.identity.name} resolves every write as the oracle does`).to.deep.equal(expected);
        }
        const kinds = new Set(log.map((l) => l.replace(/ \(event \d+\)/, '')));
        expect([...kinds]).to.include.members(['write', 'cut', 'split', 'impair', 'restart', 'conflict across a cut']);
      } finally {
        await Promise.all(chaos.nodes.map((n) => n.destroy()));
      }
    });
  }
});
