/**
 * The acceptance suite every mesh transport must pass (in the manner of automerge-repo's
 * `runNetworkAdapterTests`): the in-memory twin in test/peer/MeshNode.test.ts, the real
 * y-webrtc transport across browser contexts in test/e2e/acceptance.e2e.ts.
 *
 * Scenarios only talk to nodes through `NodeHandle`, a promise-returning mirror of
 * `window.lattice`, so they run unchanged in the browser and in Node.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { compareHlc, type Components, type EntityType, type EntityView, type Hlc } from '../../src/crdt/index.js';
import type { MeshStatus, PeerInfo } from '../../src/peer/LatticeNode.js';
import { check, checkEqual, waitUntil } from './check.js';

export interface NodeHandle {
  readonly label: string;
  create(id: string, type: EntityType, components?: Components): Promise<EntityView>;
  update(id: string, components: Components): Promise<EntityView>;
  delete(id: string): Promise<void>;
  get(id: string): Promise<EntityView | undefined>;
  ids(): Promise<string[]>;
  digest(): Promise<string>;
  /** The latest HLC this node issued or saw. */
  clock(): Promise<Hlc>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  peers(): Promise<PeerInfo[]>;
  status(): Promise<MeshStatus>;
  /** Creates `count` tracks `${prefix}0…` in batches of 500. */
  createMany(prefix: string, count: number): Promise<void>;
  /** Size of the whole document state (V1 update), bytes. */
  stateBytes(): Promise<number>;
  /** Sends raw bytes to every directly linked peer, as a broken or hostile node would. */
  inject(bytes: number[]): Promise<void>;
}

export interface MeshHarness {
  /** Opens a node in a fresh room shared by this scenario's nodes; resolves when ready. */
  open(label: string): Promise<NodeHandle>;
  /** Upper bound for one convergence wait. */
  readonly timeoutMs: number;
}

export interface Scenario {
  readonly name: string;
  run(h: MeshHarness): Promise<void>;
}

const pos = (lat: number, lon: number) => ({ position: { lat, lon, alt: 0 } });

async function digestsEqual(nodes: readonly NodeHandle[]): Promise<boolean> {
  const digests = await Promise.all(nodes.map((n) => n.digest()));
  return digests.every((d) => d === digests[0]);
}

async function describeDigests(nodes: readonly NodeHandle[]): Promise<string> {
  return (await Promise.all(nodes.map(async (n) => `${n.label}=${await n.digest()}`))).join(' ');
}

export async function waitConverged(nodes: readonly NodeHandle[], timeoutMs: number, what = 'all digests are equal'): Promise<number> {
  return waitUntil(() => digestsEqual(nodes), what, timeoutMs, () => describeDigests(nodes));
}

async function waitPeers(node: NodeHandle, count: number, timeoutMs: number): Promise<void> {
  await waitUntil(
    async () => (await node.peers()).filter((p) => p.link !== 'relay').length >= count,
    `${node.label} links directly to ${count} peers`,
    timeoutMs,
    async () => JSON.stringify((await node.peers()).map((p) => [p.name, p.link])),
  );
}

export const meshScenarios: Scenario[] = [
  {
    name: 'a write on one node reaches every other node',
    async run(h) {
      const [a, b, c] = [await h.open('A'), await h.open('B'), await h.open('C')];
      await waitPeers(a, 2, h.timeoutMs);
      await a.create('t1', 'track', pos(10, 20));
      await waitUntil(async () => (await b.get('t1')) !== undefined && (await c.get('t1')) !== undefined, 't1 is on B and C', h.timeoutMs);
      checkEqual((await c.get('t1'))!.components.position, { lat: 10, lon: 20, alt: 0 }, 'C resolves the position A wrote');
      await c.update('t1', pos(11, 21));
      await waitConverged([a, b, c], h.timeoutMs);
      checkEqual((await a.get('t1'))!.components.position, { lat: 11, lon: 21, alt: 0 }, 'A sees the update C wrote');
    },
  },
  {
    name: 'partition and heal: conflicts go to the greater HLC, deletes against updates by HLC, nothing lost',
    async run(h) {
      const [a, b, c] = [await h.open('A'), await h.open('B'), await h.open('C')];
      await waitPeers(a, 2, h.timeoutMs);
      for (const id of ['e1', 'e2', 'e3', 'e4', 'e5']) await a.create(id, 'track', pos(1, 1));
      await waitConverged([a, b, c], h.timeoutMs);

      await b.disconnect();
      await waitUntil(async () => (await a.peers()).every((p) => p.name !== 'B'), 'A no longer sees B', h.timeoutMs);

      // Conflicting updates of one component on both sides.
      const wA = (await a.update('e1', pos(2, 2))).stamps.position!;
      const wB = (await b.update('e1', { ...pos(3, 3), threat: { level: 'high' } })).stamps.position!;
      // Delete on B, update on A; and the reverse; and update then delete on the same side pair.
      await b.delete('e2');
      const delE2 = await b.clock();
      const updE2 = (await a.update('e2', pos(4, 4))).stamps.position!;
      await a.delete('e3');
      const delE3 = await a.clock();
      const updE3 = (await b.update('e3', pos(5, 5))).stamps.position!;
      const updE4 = (await c.update('e4', pos(6, 6))).stamps.position!;
      await b.delete('e4');
      const delE4 = await b.clock();
      // Creates on each side, and an update of an untouched component on the isolated side.
      await a.create('fromA', 'asset', pos(7, 7));
      await c.create('fromC', 'geo', pos(8, 8));
      await b.create('fromB', 'track', pos(9, 9));
      await b.update('e5', { affiliation: { value: 'friend' } });
      await a.update('e5', { classification: { label: 'uav', confidence: 0.5 } });

      check(!(await digestsEqual([a, b])), 'the partition kept A and B apart');
      await b.connect();
      await waitConverged([a, b, c], h.timeoutMs, 'A, B and C converge after the heal');

      for (const n of [a, b, c]) {
        const e1 = (await n.get('e1'))!;
        const winner = compareHlc(wA, wB) > 0 ? { lat: 2, lon: 2, alt: 0 } : { lat: 3, lon: 3, alt: 0 };
        checkEqual(e1.components.position, winner, `${n.label}: e1.position is the write with the greater HLC`);
        checkEqual(e1.components.threat, { level: 'high' }, `${n.label}: e1 keeps B's uncontested threat`);
        const expectAlive = (update: Hlc, del: Hlc) => compareHlc(update, del) > 0;
        check(((await n.get('e2')) !== undefined) === expectAlive(updE2, delE2), `${n.label}: e2 (delete on B vs update on A) resolved by HLC`);
        check(((await n.get('e3')) !== undefined) === expectAlive(updE3, delE3), `${n.label}: e3 (delete on A vs update on B) resolved by HLC`);
        check(((await n.get('e4')) !== undefined) === expectAlive(updE4, delE4), `${n.label}: e4 (update on C vs delete on B) resolved by HLC`);
        for (const id of ['fromA', 'fromB', 'fromC']) check((await n.get(id))?.components.position !== undefined, `${n.label}: ${id} is present with its position`);
        const e5 = (await n.get('e5'))!;
        checkEqual([e5.components.affiliation, e5.components.classification, e5.components.position], [{ value: 'friend' }, { label: 'uav', confidence: 0.5 }, { lat: 1, lon: 1, alt: 0 }], `${n.label}: e5 has every component written on either side`);
      }
      const ids = await a.ids();
      const expected = ['e1', 'e5', 'fromA', 'fromB', 'fromC'];
      if (compareHlc(updE2, delE2) > 0) expected.push('e2');
      if (compareHlc(updE3, delE3) > 0) expected.push('e3');
      if (compareHlc(updE4, delE4) > 0) expected.push('e4');
      checkEqual(ids.sort(), expected.sort(), 'no entity lost, none resurrected');
    },
  },
  {
    name: 'presence: every node sees the others, their link and whether they converged',
    async run(h) {
      const [a, b, c] = [await h.open('A'), await h.open('B'), await h.open('C')];
      await a.create('p1', 'track', pos(1, 2));
      for (const n of [a, b, c]) {
        await waitUntil(
          async () => {
            const peers = await n.peers();
            return peers.length === 2 && peers.every((p) => p.converged && p.link !== 'relay');
          },
          `${n.label} sees two converged, directly linked peers`,
          h.timeoutMs,
          async () => JSON.stringify(await n.peers()),
        );
      }
      const peers = await a.peers();
      checkEqual(peers.map((p) => p.name).sort(), ['B', 'C'], 'A knows its peers by name');
      for (const p of peers) {
        check(p.role === 'operator' && /^[A-Za-z0-9_-]+$/.test(p.nodeId), `${p.name} has a role and a node id`);
        check(p.connectedSince > 0 && p.lastHeard >= p.connectedSince - 60_000, `${p.name} has link times`);
        checkEqual(p.digest, await a.digest(), `${p.name} publishes the converged digest`);
      }
      // B leaves: the others stop listing it; B's writes made meanwhile show as not converged.
      await b.disconnect();
      await waitUntil(async () => (await a.peers()).length === 1, 'A stops listing B', h.timeoutMs);
      const status = await a.status();
      check(status.state === 'online' && status.peers.length === 1, 'A is still online with C');
      const out = await b.status();
      check(out.state === 'offline' && out.peers.length === 0, 'B, out of the mesh, is offline and lists nobody');
    },
  },
  {
    name: 'a late joiner receives a document of 5,000 entities (state over 256 KiB)',
    async run(h) {
      const a = await h.open('A');
      await a.createMany('big', 5000);
      const bytes = await a.stateBytes();
      check(bytes > 256 * 1024, `the document state is over 256 KiB (it is ${bytes} B)`);
      const late = await h.open('late');
      await waitUntil(async () => (await late.ids()).length === 5000, 'the late joiner holds all 5,000 entities', h.timeoutMs * 2);
      await waitConverged([a, late], h.timeoutMs);
      // Its own later writes flow both ways (they stalled behind the lost state before the fix).
      await late.update('big42', pos(42, 42));
      await a.update('big7', pos(7, 7));
      await waitConverged([a, late], h.timeoutMs, 'later small updates flow both ways');
    },
  },
  {
    name: 'bad input from a peer is counted and the node keeps working',
    async run(h) {
      const [a, b] = [await h.open('A'), await h.open('B')];
      await waitPeers(a, 1, h.timeoutMs);
      const before = (await b.status()).rejectedMessages;
      // An unknown message type, a truncated sync message, a corrupt Yjs update, an awareness
      // update that is not one, and 255s all along.
      await a.inject([42, 1, 2, 3]);
      await a.inject([0]);
      await a.inject([0, 2, 5, 1, 2, 3, 4, 5]);
      await a.inject([1, 3, 9, 9, 9]);
      await a.inject(Array.from({ length: 64 }, () => 255));
      // The first part of a "chunked" message claiming 2^30 parts (64 GiB): refused, not buffered.
      await a.inject([5, 0x80, 0x80, 0x80, 0x80, 0x04, 0, 1, 2, 3]);
      // A well-formed Yjs update that puts things that are not batches into the entity log:
      // refused whole, before it is applied (one refusal, not one per entry).
      const hostile = new Y.Doc();
      hostile.getArray('lattice.log').push(['not a batch', [1, 2, 3], { evil: true }]);
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      syncProtocol.writeUpdate(encoder, Y.encodeStateAsUpdate(hostile));
      await a.inject(Array.from(encoding.toUint8Array(encoder)));
      await waitUntil(async () => (await b.status()).rejectedMessages >= before + 7, 'B counted the bad messages', h.timeoutMs, async () => String((await b.status()).rejectedMessages));
      await a.create('after-garbage', 'track', pos(3, 4));
      await b.create('from-b', 'track', pos(4, 5));
      await waitConverged([a, b], h.timeoutMs, 'both nodes still sync');
      check((await b.get('after-garbage')) !== undefined && (await a.get('from-b')) !== undefined, 'writes still flow both ways');
    },
  },
];
