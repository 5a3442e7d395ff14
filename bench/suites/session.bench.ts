// Session-layer figures of issue 12 on MeshNodes in this page, joined by a MemoryNetwork: the
// same PeerMesh and PeerSession code as over WebRTC, without a browser context per node.
//  - mesh.repair_bytes_ratio: two nodes hold a 5,000-entity picture; 1 % of it (50 entities)
//    diverges; bytes both nodes hand to their links (pacer totals, every class) from the start
//    of the repair until the digests are equal and the links are quiet, divided by the bytes of
//    the full state (Y.encodeStateAsUpdate of the mesh document: what a joining node receives).
//    Three paths (the first is mesh.repair_bytes_ratio, the others _sync and _range):
//      heal  — A–B cut with a link fault, 50 entities changed on A, heal (A's changes wait in
//              its outbox while no link carries data, and leave at the heal, with a Yjs sync
//              step and a digest each way);
//      sync  — 50 changes whose update to B was lost in transit: B's state vector lags, and
//              anti-entropy's Yjs repair sends what it lacks;
//      range — the state vectors agree but the resolved states differ (a deletion-only Yjs
//              update from A never reached B, so B still resolves 50 entities to the writes A
//              had replaced), and anti-entropy's range digests find and repair them.
//    Baseline: the full state.
//  - mesh.nodes_max: N nodes in one room (maxLinks 8, so above 9 the mesh is partial and updates
//    travel through relays), one write every 100 ms from each node in turn; the largest N
//    whose links form one connected mesh, whose p99 time from a write until all N nodes hold it
//    is ≤ 250 ms and whose digests are all equal afterwards. Every node runs on this page's one
//    thread, so it is a lower bound for nodes spread over browsers; what limits it is reported
//    (messages and bytes carried per write, event-loop lag). A size that misses only the p99 is
//    run once more (the machine is shared). With introductions (mesh.nodes_max) and with a
//    ring and discovery through the mesh (mesh.nodes_max_ring).
import * as Y from 'yjs';
import type { BenchFigure } from '../types.js';
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { ephemeralCredentials, type NodeCredentials } from '../../src/peer/trust/credentials.js';
import { MemoryLink } from '../../src/peer/link/MemoryLink.js';
import type { PeerSession } from '../../src/peer/session/PeerSession.js';
import { MSG } from '../../src/peer/session/wire.js';
import { CLEAN_LINK } from '../../src/peer/faults/LinkFaults.js';
import { LOG_NAME, encodeHlc } from '../../src/crdt/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (!probe()) {
    if (performance.now() - start > timeoutMs) throw new Error(`session bench: timed out waiting until ${what}`);
    await sleep(10);
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

const credentialsFor = (name: string) => ephemeralCredentials(`${name}-${Math.random().toString(36).slice(2, 8)}`);

type MeshOptions = NonNullable<ConstructorParameters<typeof MeshNode>[0]['mesh']>;

/** A node with credentials made beforehand, so what is timed after it is the mesh's own work. */
function meshNode(network: MemoryNetwork, credentials: NodeCredentials, name: string, mesh?: MeshOptions): MeshNode {
  return new MeshNode({
    identity: { nodeId: credentials.nodeId, name, role: 'operator' },
    credentials,
    room: 'bench',
    transport: memoryTransport(network),
    persist: false,
    ...(mesh ? { mesh } : {}),
  });
}

/** The node's sessions (the bench needs one as a transaction origin). */
const sessionsOf = (node: MeshNode) => (node.transport as unknown as { sessions: Map<string, PeerSession> }).sessions;

/** Bytes the node has handed to its links, per traffic class. */
const sentBytes = (node: MeshNode): Record<string, number> => ({ ...node.traffic().totalBytes });
const total = (r: Record<string, number>) => Object.values(r).reduce((s, b) => s + b, 0);

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

function sum(...rs: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rs) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Resolves once nothing has been sent for `quietMs` (the last replies of a repair included). */
async function quiet(nodes: readonly MeshNode[], quietMs = 500, timeoutMs = 20_000): Promise<void> {
  const start = performance.now();
  let last = nodes.map((n) => total(sentBytes(n))).join();
  let since = performance.now();
  while (performance.now() - since < quietMs) {
    if (performance.now() - start > timeoutMs) throw new Error('session bench: the links never went quiet');
    await sleep(25);
    const now = nodes.map((n) => total(sentBytes(n))).join();
    if (now !== last) {
      last = now;
      since = performance.now();
    }
  }
}

const MSG_NAMES = new Map<number, string>(Object.entries(MSG).map(([k, v]) => [v, k]));

/**
 * Counts what memory links carry, by message type (the first byte; a large message's parts
 * count as `part`), while `on`. Instruments MemoryLink.send until `stop`.
 */
function tapLinks() {
  const send = MemoryLink.prototype.send;
  const tap = {
    on: false,
    messages: 0,
    bytes: 0,
    byType: new Map<string, { messages: number; bytes: number }>(),
    reset() {
      tap.messages = 0;
      tap.bytes = 0;
      tap.byType.clear();
    },
    /** Bytes per message type. */
    bytesByType(): Record<string, number> {
      return Object.fromEntries([...tap.byType].map(([k, v]) => [k, v.bytes]));
    },
    /** Share of the messages, per message type. */
    mix(): Record<string, number> {
      return Object.fromEntries([...tap.byType].map(([k, v]) => [k, Math.round((v.messages / Math.max(1, tap.messages)) * 1000) / 1000]));
    },
    stop() {
      MemoryLink.prototype.send = send;
    },
  };
  MemoryLink.prototype.send = function (this: MemoryLink, part: Uint8Array) {
    if (tap.on) {
      tap.messages++;
      tap.bytes += part.byteLength;
      const name = MSG_NAMES.get(part[0]!) ?? 'other';
      const entry = tap.byType.get(name) ?? { messages: 0, bytes: 0 };
      entry.messages++;
      entry.bytes += part.byteLength;
      tap.byType.set(name, entry);
    }
    send.call(this, part);
  };
  return tap;
}

const converged = (a: MeshNode, b: MeshNode) => a.store.digest() === b.store.digest() && a.uplink.store.digest() === b.uplink.store.digest();

/** Deletes, with `origin`, every log entry of `doc` stamped `stamp`; returns how many. */
function deleteBatches(doc: Y.Doc, stamp: string, origin: unknown): number {
  const log = doc.getArray<unknown[]>(LOG_NAME);
  const positions = log
    .toArray()
    .map((raw, i) => (Array.isArray(raw) && raw[0] === stamp ? i : -1))
    .filter((i) => i >= 0);
  doc.transact(() => {
    for (const i of positions.reverse()) log.delete(i, 1);
  }, origin);
  return positions.length;
}

const sameVectors = (a: Y.Doc, b: Y.Doc) => {
  const x = Y.decodeStateVector(Y.encodeStateVector(a));
  const y = Y.decodeStateVector(Y.encodeStateVector(b));
  return x.size === y.size && [...x].every(([client, clock]) => y.get(client) === clock);
};

interface RepairRun {
  bytes: number;
  byClass: Record<string, number>;
  /** Bytes the links carried, per message type. */
  byType: Record<string, number>;
  ms: number;
}

interface RepairFigures {
  fullBytes: number;
  localBytes: number;
  heal: RepairRun;
  sync: RepairRun;
  range: RepairRun & { rangeRepairs: number; entities: number; rangeMessageBytes: number };
}

const ENTITIES = 5000;
const DIVERGED = 50;

async function repairBytes(): Promise<RepairFigures> {
  const network = new MemoryNetwork();
  // Anti-entropy rounds only when the bench (or a heal) starts them, so none runs mid-measure.
  const mesh = { antiEntropyMs: 3_600_000 };
  const a = meshNode(network, await credentialsFor('A'), 'A', mesh);
  const b = meshNode(network, await credentialsFor('B'), 'B', mesh);
  const nodes = [a, b];
  const tap = tapLinks();
  try {
    await until(() => a.transport.links().length === 1 && b.transport.links().length === 1, 'A and B are linked', 10_000);
    for (let i = 0; i < ENTITIES; i += 500) {
      a.store.transact(() => {
        for (let j = i; j < i + 500; j++) {
          a.store.create(`big${j}`, 'track', { position: { lat: (j % 180) - 89.5, lon: (j % 360) - 179.5, alt: j }, velocity: { speed: j % 300, heading: j % 360 }, classification: { label: `label-${j % 17}`, confidence: 0.75 } });
        }
      });
    }
    await until(() => b.store.size === ENTITIES && converged(a, b), 'B holds the 5,000 entities', 30_000);
    await quiet(nodes);
    const fullBytes = Y.encodeStateAsUpdate(a.uplink.doc).byteLength;
    const localBytes = Y.encodeStateAsUpdate(a.doc).byteLength;

    /** Bytes both nodes send from `start` until they have converged and gone quiet. */
    const measure = async (what: string, start: () => void): Promise<RepairRun> => {
      const before = sum(sentBytes(a), sentBytes(b));
      tap.reset();
      tap.on = true;
      const t0 = performance.now();
      start();
      await until(() => converged(a, b), `A and B converge (${what})`, 20_000);
      const ms = performance.now() - t0;
      await quiet(nodes);
      tap.on = false;
      const byClass = diff(sum(sentBytes(a), sentBytes(b)), before);
      return { bytes: total(byClass), byClass, byType: tap.bytesByType(), ms };
    };
    let round = 0;
    /** 50 entities (1 %) changed on A, a different component each round. */
    const change50 = () => {
      const r = ++round;
      a.store.transact(() => {
        for (let i = 0; i < DIVERGED; i++) a.store.update(`big${i * 100 + r}`, { position: { lat: 10 + r + i / 1000, lon: 34, alt: 56 } });
      });
      return `big${r}`;
    };

    // ---- heal: A–B cut, 50 changes on A (they wait in A's outbox: no link carries data), heal
    const cut = a.transport.addFault({ kind: 'cut', a: a.identity.nodeId, b: b.identity.nodeId });
    await until(() => [...sessionsOf(a).values(), ...sessionsOf(b).values()].every((s) => s.gate.cut), 'both ends apply the cut', 5000);
    change50();
    await quiet(nodes);
    const heal = await measure('after the heal', () => a.transport.healFaults(cut.id));

    // ---- sync: 50 changes whose update never reaches B (lost on A's side of the link), so B's
    // state vector lags; anti-entropy's Yjs repair sends what it lacks
    const aToB = sessionsOf(a).get(b.transport.peerId);
    if (!aToB) throw new Error('session bench: A has no session with B');
    aToB.gate.setPolicy({ ...CLEAN_LINK, loss: 0.999999 });
    const lostId = change50();
    await until(() => a.uplink.store.get(lostId)?.components.position?.lat !== b.uplink.store.get(lostId)?.components.position?.lat && aToB.gate.counts.lost > 0, 'the update to B is lost', 5000);
    aToB.gate.setPolicy(CLEAN_LINK);
    await quiet(nodes);
    if (converged(a, b) || sameVectors(a.uplink.doc, b.uplink.doc)) throw new Error('session bench: the lost update left no gap in B\'s state vector');
    const sync = await measure('after a Yjs repair', () => {
      a.antiEntropy();
      b.antiEntropy();
    });

    // ---- range: equal state vectors, different resolved states
    const changedId = change50();
    await until(() => converged(a, b) && a.uplink.store.get(changedId)?.components.position?.lat === b.uplink.store.get(changedId)?.components.position?.lat, 'B has A\'s 50 changes', 10_000);
    await quiet(nodes);
    const stamp = encodeHlc(a.store.get(changedId)!.stamps.position!);
    // B loses that update: the batch leaves B's documents in a deletion-only transaction whose
    // origin is B's session with A, so B's mesh does not send it back to A.
    const bToA = sessionsOf(b).get(a.transport.peerId);
    if (!bToA) throw new Error('session bench: B has no session with A');
    const removedMesh = deleteBatches(b.uplink.doc, stamp, bToA);
    const removedLocal = deleteBatches(b.doc, stamp, 'bench');
    if (removedMesh !== 1 || removedLocal !== 1) throw new Error(`session bench: expected one batch stamped ${stamp} in each of B's documents, found ${removedMesh} and ${removedLocal}`);
    if (converged(a, b) || !sameVectors(a.uplink.doc, b.uplink.doc)) throw new Error('session bench: the divergence for the range repair is not one with equal state vectors');
    const stats = () => [...sessionsOf(a).values(), ...sessionsOf(b).values()].map((s) => ({ ...s.stats }));
    const statsBefore = stats();
    const range = await measure('after a range repair', () => {
      a.antiEntropy();
      b.antiEntropy();
    });
    const statsAfter = stats();
    const delta = (k: 'rangeRepairs' | 'entitiesRepaired' | 'repairBytes') => statsAfter.reduce((s, x, i) => s + x[k] - (statsBefore[i]?.[k] ?? 0), 0);
    if (delta('rangeRepairs') === 0) throw new Error('session bench: anti-entropy did not take the range path');
    return {
      fullBytes,
      localBytes,
      heal,
      sync,
      range: { ...range, rangeRepairs: delta('rangeRepairs'), entities: delta('entitiesRepaired'), rangeMessageBytes: delta('repairBytes') },
    };
  } finally {
    tap.stop();
    await Promise.all(nodes.map((n) => n.destroy()));
  }
}

// ------------------------------------------------------------------ nodes_max

interface ScaleRun {
  n: number;
  topology: Topology;
  connected: boolean;
  settleMs: number;
  components: number;
  meanLinks: number;
  writes: number;
  arrived: number;
  p50: number;
  p99: number;
  convergedAll: boolean;
  messagesPerWrite: number;
  bytesPerWrite: number;
  /** Share of the messages carried, by message type. */
  mix: Record<string, number>;
  lagP99: number;
  ok: boolean;
}

const WRITES = 100;
const WRITE_EVERY_MS = 100;
const P99_GOAL = 250;

/** Connected components of the link graph (links as the sessions see them, both ends up). */
function components(nodes: readonly MeshNode[]): number {
  const index = new Map(nodes.map((n, i) => [n.transport.peerId, i]));
  const parent = nodes.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  nodes.forEach((n, i) => {
    for (const l of n.transport.links()) {
      const j = index.get(l.peerId);
      if (j !== undefined) parent[find(i)] = find(j);
    }
  });
  return new Set(nodes.map((_, i) => find(i))).size;
}

/**
 * How the nodes meet: `introduced`, as a signaling server does (every node is introduced to
 * every other as it joins, and takes links while under its cap), or `ring`: no introductions;
 * the bench links each node to the next in a ring, and nodes add links to peers they learn of
 * from presence (dialing through the mesh), as they do with no server.
 */
type Topology = 'introduced' | 'ring';

async function scaleRun(n: number, topology: Topology): Promise<ScaleRun> {
  const network = new MemoryNetwork();
  network.introduces = topology === 'introduced';
  const nodes: MeshNode[] = [];
  const tap = tapLinks();
  let lagTimer: ReturnType<typeof setInterval> | undefined;
  try {
    const credentials = await Promise.all(Array.from({ length: n }, (_, i) => credentialsFor(`n${i}`)));
    const t0 = performance.now();
    for (let i = 0; i < n; i++) nodes.push(meshNode(network, credentials[i]!, `n${i}`));
    if (topology === 'ring') {
      await until(() => nodes.every((x) => x.transport.connected), 'every node is in the mesh', 10_000);
      for (let i = 0; i < n; i++) network.pair(nodes[i]!.transport.peerId, nodes[(i + 1) % n]!.transport.peerId);
    }
    let connected = true;
    try {
      await until(() => components(nodes) === 1 && nodes.every((x) => x.awareness.getStates().size === n), `${n} nodes form one mesh and see each other`, 20_000 + 500 * n);
    } catch {
      connected = false;
    }
    if (connected) {
      // Until the links stop changing (nodes dial peers they learn of, up to their cap).
      const linkCount = () => nodes.reduce((sum, x) => sum + x.transport.links().length, 0);
      let last = linkCount();
      let since = performance.now();
      const deadline = performance.now() + 15_000;
      while (performance.now() - since < 2000 && performance.now() < deadline) {
        await sleep(100);
        if (linkCount() !== last) {
          last = linkCount();
          since = performance.now();
        }
      }
    }
    const settleMs = performance.now() - t0;
    const meanLinks = nodes.reduce((s, x) => s + x.transport.links().length, 0) / n;
    const parts = components(nodes);
    if (!connected) {
      return { n, topology, connected, settleMs, components: parts, meanLinks, writes: 0, arrived: 0, p50: NaN, p99: NaN, convergedAll: false, messagesPerWrite: NaN, bytesPerWrite: NaN, mix: {}, lagP99: NaN, ok: false };
    }
    const pending = new Map<string, { sent: number; seen: Set<number>; done?: number }>();
    const stops = nodes.map((x, i) =>
      x.store.watch((events) => {
        const t = performance.now();
        for (const e of events) {
          const w = pending.get(e.id);
          if (!w || w.seen.has(i)) continue;
          w.seen.add(i);
          if (w.seen.size === n) w.done = t;
        }
      }),
    );
    const lags: number[] = [];
    let expected = performance.now() + 20;
    lagTimer = setInterval(() => {
      const now = performance.now();
      lags.push(Math.max(0, now - expected));
      expected = now + 20;
    }, 20);
    tap.on = true;
    for (let k = 0; k < WRITES; k++) {
      const writer = nodes[k % n]!;
      const id = `w${k}`;
      pending.set(id, { sent: performance.now(), seen: new Set() });
      writer.store.create(id, 'track', { position: { lat: 1 + k / 1000, lon: 2, alt: 3 } });
      await sleep(WRITE_EVERY_MS);
    }
    try {
      await until(() => [...pending.values()].every((w) => w.done !== undefined), `every write reaches all ${n} nodes`, 10_000);
    } catch {
      // Counted below as writes that did not arrive.
    }
    tap.on = false;
    clearInterval(lagTimer);
    lagTimer = undefined;
    let convergedAll = true;
    try {
      await until(() => new Set(nodes.map((x) => x.store.digest())).size === 1, `${n} nodes converge`, 20_000);
    } catch {
      convergedAll = false;
    }
    for (const stop of stops) stop();
    const delays = [...pending.values()].map((w) => (w.done === undefined ? Infinity : w.done - w.sent));
    const p99 = percentile(delays, 0.99);
    return {
      n,
      topology,
      connected,
      settleMs,
      components: parts,
      meanLinks,
      writes: WRITES,
      arrived: delays.filter(Number.isFinite).length,
      p50: percentile(delays, 0.5),
      p99,
      convergedAll,
      messagesPerWrite: tap.messages / WRITES,
      bytesPerWrite: tap.bytes / WRITES,
      mix: tap.mix(),
      lagP99: percentile(lags, 0.99),
      ok: connected && convergedAll && p99 <= P99_GOAL,
    };
  } finally {
    if (lagTimer !== undefined) clearInterval(lagTimer);
    tap.stop();
    await Promise.all(nodes.map((x) => x.destroy()));
  }
}

async function nodesMax(topology: Topology): Promise<{ max: number; runs: ScaleRun[] }> {
  const runs: ScaleRun[] = [];
  let best = 0;
  let failed: number | undefined;
  const attempt = async (n: number) => {
    let run = await scaleRun(n, topology);
    console.info(`session bench: ${JSON.stringify(run)}`);
    if (!run.ok && run.connected && run.convergedAll) {
      // Only the p99 missed: on a shared machine a neighbour's burst can do that; once more.
      run = await scaleRun(n, topology);
      console.info(`session bench: again ${JSON.stringify(run)}`);
    }
    runs.push(run);
    return run.ok;
  };
  for (const n of [5, 10, 20, 40, 80]) {
    if (!(await attempt(n))) {
      failed = n;
      break;
    }
    best = n;
  }
  // Narrow the step where it failed (to within a fifth of it).
  while (failed !== undefined && failed - best > Math.max(1, best / 5)) {
    const n = Math.round((best + failed) / 2);
    if (await attempt(n)) best = n;
    else failed = n;
  }
  return { max: best, runs };
}

function scaleFigures(suffix: string, scale: { max: number; runs: ScaleRun[] }): BenchFigure[] {
  const at = scale.runs.find((r) => r.n === scale.max);
  const over = scale.runs.filter((r) => !r.ok && r.n > scale.max).sort((x, y) => x.n - y.n)[0];
  const figures: BenchFigure[] = [
    { key: `mesh.nodes_max${suffix}`, value: scale.max, unit: 'nodes', goal: `p99 ≤ ${P99_GOAL} ms, converged`, ...(at ? { baseline: { key: `mesh.nodes_max${suffix}_p99_ms`, value: at.p99 } } : {}) },
  ];
  if (at) figures.push({ key: `mesh.nodes_max${suffix}_messages_per_write`, value: at.messagesPerWrite, unit: 'msgs', baseline: { key: `mesh.nodes_max${suffix}_awareness_share`, value: at.mix.awareness ?? 0 } });
  if (over) figures.push({ key: `mesh.nodes_over_max${suffix}`, value: over.n, unit: 'nodes', baseline: { key: `mesh.nodes_over_max${suffix}_p99_ms`, value: over.connected ? over.p99 : NaN } });
  return figures;
}

export default async function session(): Promise<BenchFigure[]> {
  const repair = await repairBytes();
  console.info(`session bench: repair ${JSON.stringify(repair)}`);
  const introduced = await nodesMax('introduced');
  const ring = await nodesMax('ring');
  return [
    ...(['heal', 'sync', 'range'] as const).flatMap((path): BenchFigure[] => {
      const run = repair[path];
      const ratio = run.bytes / repair.fullBytes;
      const suffix = path === 'heal' ? '' : `_${path}`;
      return [
        { key: `mesh.repair_bytes_ratio${suffix}`, value: ratio, unit: '×', goal: '≤ 0.05', ok: ratio <= 0.05 },
        { key: `mesh.repair_bytes_${path}`, value: run.bytes, unit: 'B', baseline: { key: 'mesh.full_state_bytes_5000', value: repair.fullBytes } },
        { key: `mesh.repair_ms_${path}`, value: run.ms, unit: 'ms' },
      ];
    }),
    ...scaleFigures('', introduced),
    ...scaleFigures('_ring', ring),
  ];
}
