/**
 * Seeded chaos on memory links, running the production session code: random events — pair
 * cuts, group splits, latency, loss, duplication and reordering, writes, deletes, conflicting
 * writes across a cut, nodes leaving and rejoining, nodes restarting from their stored data —
 * and the settling that follows, for `chaos.test.ts` and `chaosFaulty.test.ts`.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import { LatticeError, type Components } from '../../src/crdt/index.js';
import type { RawBatch } from '../../src/crdt/batch.js';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { oracle, recordBatches, resolved } from '../crdt/oracle.js';
import { waitUntil } from './check.js';

const IDS = Array.from({ length: 14 }, (_, i) => `c${i}`);

export interface Chaos {
  readonly network: MemoryNetwork;
  readonly nodes: MeshNode[];
  readonly history: Map<string, RawBatch>;
  readonly random: () => number;
  /** Nodes that take part in events (default: all). */
  readonly actors?: (nodes: readonly MeshNode[]) => number[];
}

export async function boot(chaos: Chaos, i: number, stored?: Uint8Array, physicalNow?: () => number): Promise<MeshNode> {
  const node = await MeshNode.create({
    identity: { nodeId: `chaos-n${i}`, name: `N${i}`, role: 'operator' },
    room: 'chaos',
    transport: memoryTransport(chaos.network),
    persist: false,
    autoConnect: false,
    mesh: { antiEntropyMs: 400, faultSeed: `chaos-${i}` },
    ...(physicalNow ? { physicalNow } : {}),
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
  // Drawn whether or not it is used, so a seed's events do not depend on what a node holds.
  const type = pick(random, ['track', 'asset', 'geo'] as const);
  try {
    if (node.store.has(id)) node.store.update(id, comps);
    else node.store.create(id, type, comps);
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

export async function step(chaos: Chaos, e: number): Promise<string> {
  const { nodes, random } = chaos;
  const actors = chaos.actors?.(nodes) ?? nodes.map((_, n) => n);
  const i = actors[Math.floor(random() * actors.length)]!;
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
    if (left.length > 0 && right.length > 0) return tolerate(() => node.faults.split([left, right])) ? 'split' : 'split refused';
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
    nodes[i] = await boot(chaos, i, stored);
    return 'restart';
  }
  await new Promise((resolve) => setTimeout(resolve, random() * 30));
  return `pause (event ${e})`;
}


/** Runs `events` random events, yielding to the links now and then; returns what happened. */
export async function storm(chaos: Chaos, events: number, between?: (e: number) => void): Promise<string[]> {
  const log: string[] = [];
  for (let e = 0; e < events; e++) {
    log.push(await step(chaos, e));
    between?.(e);
    if (e % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return log;
}

/** The end of the storm: everyone back, every fault healed, and `nodes` converged. */
export async function settle(chaos: Chaos, label: string, nodes: readonly MeshNode[] = chaos.nodes): Promise<void> {
  for (const n of chaos.nodes) n.connect();
  await waitUntil(() => chaos.nodes.every((n) => n.links().length > 0), `${label}: every node has a link`, 10_000);
  // "Heal all" heals what the node knows; a node that was away may bring faults set meanwhile.
  await waitUntil(() => nodes[0]!.faults.heal().length >= 0 && chaos.nodes.every((n) => n.faults.list().every((f) => f.healed)), `${label}: the heal reached every node`, 10_000, () => chaos.nodes.map((n) => n.faults.list().filter((f) => !f.healed).length).join(','));
  await waitUntil(
    () => nodes.every((n) => n.store.digest() === nodes[0]!.store.digest()),
    `${label}: all nodes converge`,
    20_000,
    () => nodes.map((n) => n.store.digest()).join(' '),
  );
}

/** Every node in `nodes` resolves exactly what the oracle of `batches` does. */
export function expectOracle(label: string, nodes: readonly MeshNode[], batches: Iterable<RawBatch>): void {
  const expected = [...oracle(batches)].sort(([a], [b]) => a.localeCompare(b));
  expect(expected.length, `${label}: the storm left entities`).to.be.above(0);
  for (const n of nodes) {
    const actual = [...resolved(n.store)].sort(([a], [b]) => a.localeCompare(b));
    expect(actual, `${label}: ${n.identity.name} resolves every write as the oracle does`).to.deep.equal(expected);
  }
}
