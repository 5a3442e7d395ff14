/**
 * "Computed once per mesh", tested the way the store tests convergence: several replicas of one
 * document, each with its own pipeline and clock, linked by an in-memory network that can
 * partition and heal; ticks in a seeded random order.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import { ApprovalDesk, encodeHlc, EntityStore, isTerminal, TaskBoard } from '../../src/crdt/index.js';
import { fetchBuiltinScenario } from '../../src/workers/builtinScenarios.js';
import { Pipeline, type PipelineOptions } from '../../src/workers/Pipeline.js';
import { SeededRandom } from '../../src/workers/random.js';
import { clearRun, RunReader, writeRun } from '../../src/workers/RunConfig.js';
import { RunKeeper } from '../../src/workers/RunKeeper.js';
import { parseScenario, ScenarioError, type Scenario } from '../../src/workers/scenario.js';
import { syntheticScenario } from '../../src/workers/syntheticScenario.js';
import { runTag, runTagOf } from '../../src/workers/runIds.js';
import { NO_THREAT_HYSTERESIS } from '../../src/workers/threatHysteresis.js';

const NET = Symbol('net');
const START = 1_800_000_000_000;

class Mesh {
  readonly docs: Y.Doc[] = [];
  readonly stores: EntityStore[] = [];
  readonly pipelines: Pipeline[] = [];
  /** Partition group per node; null = gone. */
  readonly group: (number | null)[] = [];
  now = START;
  private readonly rng = new SeededRandom(99);

  constructor(n: number, options: Omit<PipelineOptions, 'holder'> = {}) {
    for (let i = 0; i < n; i++) {
      const doc = new Y.Doc();
      const store = new EntityStore(doc, { node: `n${i}-pl`, physicalNow: () => this.now });
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === NET || this.group[i] === null) return;
        this.docs.forEach((other, j) => {
          if (j !== i && this.group[j] === this.group[i]) Y.applyUpdate(other, update, NET);
        });
      });
      this.docs.push(doc);
      this.stores.push(store);
      this.pipelines.push(new Pipeline(store, { leaseTtlMs: 3_000, ...options, holder: `n${i}` }));
      this.group.push(0);
    }
  }

  /** Sets the partition groups, then lets every group exchange full state (a heal resyncs). */
  partition(groups: (number | null)[]): void {
    groups.forEach((g, i) => (this.group[i] = g));
    for (let i = 0; i < this.docs.length; i++) {
      for (let j = 0; j < this.docs.length; j++) {
        if (i !== j && groups[i] !== null && groups[i] === groups[j]) Y.applyUpdate(this.docs[j]!, Y.encodeStateAsUpdate(this.docs[i]!), NET);
      }
    }
  }

  /** Advances every clock by `ms` in ticks of 500 ms; live nodes tick in random order. */
  run(ms: number): void {
    for (let t = 0; t < ms; t += 500) {
      this.now += 500;
      const order = this.pipelines.map((_, i) => i).filter((i) => this.group[i] !== null);
      for (let k = order.length - 1; k > 0; k--) {
        const j = Math.floor(this.rng.next() * (k + 1));
        [order[k], order[j]] = [order[j]!, order[k]!];
      }
      for (const i of order) this.pipelines[i]!.tick();
    }
  }

  computing(): number[] {
    return this.pipelines.map((p, i) => (p.status().role === 'computing' && this.group[i] !== null ? i : -1)).filter((i) => i >= 0);
  }

  fused(i: number): string[] {
    return this.stores[i]!.list('track').filter((v) => v.components.source?.sensorType === 'fused').map((v) => v.id).sort();
  }
}

/** Waits for a condition, polling; fails with `what` after `timeoutMs`. Never a fixed sleep. */
async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function hard(): Promise<Scenario> {
  return parseScenario(await fetchBuiltinScenario('hard'));
}

describe('pipeline computed once per mesh', () => {
  it('has exactly one node computing, and only it writes derived entities', async () => {
    const mesh = new Mesh(3);
    const scenario = await hard();
    writeRun(mesh.docs[1]!, scenario, scenario.seed, mesh.now);
    mesh.run(30_000);
    const [holder, ...others] = [mesh.computing(), mesh.pipelines.filter((p) => p.status().role === 'standby').length];
    expect(holder).to.have.length(1);
    expect(others[0]).to.equal(2);
    const writer = `n${holder![0]}-pl`;
    const fused = mesh.stores[0]!.list('track').filter((v) => v.components.source?.sensorType === 'fused');
    expect(fused.length).to.be.within(15, 24); // 20 targets in the hard scenario
    for (const view of fused) {
      expect(view.stamps.position!.node).to.equal(writer);
      expect(view.components.classification).to.not.equal(undefined);
      expect(view.components.threat).to.not.equal(undefined);
      expect(view.components.fusion!.sourceIds.length).to.be.greaterThan(0);
    }
    expect(new Set(mesh.stores.map((s) => s.digest())).size).to.equal(1);
  });

  it('moves to another node when the holder is gone, keeping the fused tracks', async () => {
    const mesh = new Mesh(3);
    const scenario = await hard();
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    mesh.run(30_000);
    const [first] = mesh.computing();
    const before = mesh.fused((first! + 1) % 3);
    // The holder vanishes (tab closed): no release, its lease must expire.
    mesh.partition(mesh.group.map((_, i) => (i === first ? null : 0)));
    mesh.run(1_000);
    expect(mesh.computing(), 'nobody before the lease expires').to.deep.equal([]);
    mesh.run(4_000);
    const next = mesh.computing();
    expect(next).to.have.length(1);
    expect(next[0]).to.not.equal(first);
    mesh.run(10_000);
    const after = mesh.fused(next[0]!);
    const kept = before.filter((id) => after.includes(id));
    expect(kept.length / before.length, `${kept.length} of ${before.length} tracks kept their ids`).to.be.at.least(0.8);
    expect(after.length).to.be.within(15, 24);
  });

  it('merges the work both sides of a partition did, and one node computes after the heal', async () => {
    const mesh = new Mesh(3);
    const scenario = await hard();
    writeRun(mesh.docs[2]!, scenario, scenario.seed, mesh.now);
    mesh.run(30_000);
    const [holder] = mesh.computing();
    mesh.partition(mesh.group.map((_, i) => (i === holder ? 1 : 0)));
    mesh.run(20_000);
    expect(mesh.computing(), 'each side computes while cut off').to.have.length(2);
    const sideA = mesh.fused(holder!);
    const sideB = mesh.fused((holder! + 1) % 3);
    const shared = sideA.filter((id) => sideB.includes(id));
    expect(shared.length, 'both sides continued the same tracks under the same ids').to.be.at.least(12);

    mesh.partition([0, 0, 0]);
    mesh.run(10_000);
    expect(mesh.computing()).to.have.length(1);
    const digests = new Set(mesh.stores.map((s) => s.digest()));
    expect(digests.size, 'replicas converged').to.equal(1);
    // One track per object: what is in the document is exactly the holder's picture.
    const [winner] = mesh.computing();
    const ids = mesh.fused(0);
    expect(ids.length).to.equal(mesh.pipelines[winner!]!.status().confirmedTracks);
    expect(ids.length).to.be.within(15, 24);
    const leases = new Set(mesh.docs.map((d) => JSON.stringify(d.getMap('lattice.leases').get('pipeline'))));
    expect(leases.size).to.equal(1);
  });

  it('merges a duplicate of a track written by another node into the original', async () => {
    const mesh = new Mesh(3);
    const scenario = await hard();
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    mesh.run(30_000);
    const [holder] = mesh.computing();
    const other = (holder! + 1) % 3;
    // Another node (during a partition, say) fused one object under an id of its own.
    const original = mesh.stores[other]!.list('track').find((v) => v.components.source?.sensorType === 'fused' && v.components.fusion!.sourceIds.some((s) => s.startsWith('eo-1.')))!;
    const { position, velocity, fusion, source } = original.components;
    mesh.stores[other]!.create('fus.zzzzzzzz', 'track', { position, velocity, fusion, source });
    expect(mesh.stores[holder!]!.has('fus.zzzzzzzz')).to.equal(true);
    mesh.run(8_000);
    for (const store of mesh.stores) {
      expect(store.has('fus.zzzzzzzz'), 'the duplicate is gone').to.equal(false);
      expect(store.has(original.id), 'the original stays').to.equal(true);
    }
    const merged = mesh.stores[0]!.get(original.id)!;
    expect(merged.stamps.position!.node).to.equal(`n${holder}-pl`);
  });

  it('leaves the picture as it was when the run ends, with nobody computing', async () => {
    const mesh = new Mesh(2);
    const scenario = { ...(await hard()), durationS: 300 };
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    mesh.run(305_000);
    expect(mesh.pipelines.map((p) => p.status().role)).to.deep.equal(['finished', 'finished']);
    const left = mesh.fused(0);
    expect(left.length).to.be.greaterThan(10);
    mesh.run(30_000); // well past every lease and every coasting limit
    expect(mesh.fused(0)).to.deep.equal(left);
    expect(mesh.fused(1)).to.deep.equal(left);
    // A new run after it starts afresh.
    writeRun(mesh.docs[1]!, scenario, scenario.seed, mesh.now);
    mesh.run(10_000);
    expect(mesh.pipelines.map((p) => p.status().role).sort()).to.deep.equal(['computing', 'standby']);
    expect(mesh.fused(0).filter((id) => left.includes(id))).to.deep.equal([]);
    expect(mesh.fused(0).length).to.be.greaterThan(10);
  });

  it('clears what the run derived when it is unloaded, and ignores a malformed run from a peer', async () => {
    const mesh = new Mesh(2);
    const scenario = await hard();
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    mesh.run(20_000);
    expect(mesh.fused(1).length).to.be.greaterThan(10);
    expect(mesh.stores[1]!.list('asset')).to.have.length(2);
    // An operator's asset and a real EO feed's track: not the run's, so they stay.
    mesh.stores[1]!.create('asset.own', 'asset', { position: { lat: 52, lon: 4, alt: 0 } });
    mesh.stores[1]!.create('eo-real.7', 'track', { position: { lat: 52, lon: 4, alt: 0 }, source: { sensorId: 'eo-real', sensorType: 'eo' } });
    clearRun(mesh.docs[1]!);
    mesh.run(1_000);
    expect(mesh.pipelines.map((p) => p.status().role)).to.deep.equal(['idle', 'idle']);
    expect(mesh.fused(0)).to.deep.equal([]);
    expect(mesh.stores[0]!.list('track').filter((v) => v.components.source?.sensorType === 'eo').map((v) => v.id)).to.deep.equal(['eo-real.7']);
    expect(mesh.stores[0]!.list('asset').map((a) => a.id)).to.deep.equal(['asset.own']);

    mesh.docs[1]!.getMap('lattice.pipeline').set('run', { runId: 'x', scenario: '{"name": 1}', seed: 1, startedAt: mesh.now });
    mesh.run(1_000);
    const status = mesh.pipelines[0]!.status();
    expect(status.role).to.equal('idle');
    expect(status.problem).to.contain('name must be a string');
    expect(mesh.fused(0)).to.deep.equal([]);
  });

  it('replaces the picture of an earlier run when another scenario is loaded', async () => {
    const mesh = new Mesh(2);
    const scenario = await hard();
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    mesh.run(20_000);
    const first = mesh.fused(0);
    expect(first.length).to.be.greaterThan(10);
    // Same targets, another seed: new plots, so new fused ids; none of the old may linger.
    writeRun(mesh.docs[1]!, { ...scenario, assets: scenario.assets.slice(0, 1) }, scenario.seed + 1, mesh.now);
    mesh.run(500);
    expect(mesh.fused(0).filter((id) => first.includes(id)), 'tracks of the old run, at once').to.deep.equal([]);
    mesh.run(20_000);
    const second = mesh.fused(0);
    expect(second.length).to.be.within(15, 24);
    expect(second.filter((id) => first.includes(id))).to.deep.equal([]);
    expect(mesh.stores[0]!.list('asset').map((a) => a.id)).to.deep.equal([`scn.${scenario.assets[0]!.id}`]);
  });

  /** Tracks on node i that are not the live picture: unwritten for over 5 s, or without a source (a partial leftover). */
  function ghostsOn(mesh: Mesh, i: number): string[] {
    return mesh.stores[i]!
      .list('track')
      .filter((v) => v.components.source === undefined || mesh.now - Math.max(...Object.values(v.stamps).map((h) => h!.wall)) > 5_000)
      .map((v) => v.id);
  }

  it('removes on every node the tracks of a run replaced while its node was cut off', async () => {
    const mesh = new Mesh(3);
    const scenario = await hard();
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    mesh.run(40_000);
    // An operator approves what is asked: intercepts of the first run fly.
    const desk = new ApprovalDesk(mesh.stores[0]!, () => ({ role: 'operator', name: 'alice' }));
    for (const request of desk.pending()) desk.decide(request.entityId, 'approve');
    mesh.run(3_000);
    const flying = new TaskBoard(mesh.stores[0]!, () => ({ role: 'operator', name: 'alice' })).list().filter((t) => !isTerminal(t.status));
    expect(flying.length, 'intercepts of the first run').to.be.greaterThan(0);
    const [holder] = mesh.computing();
    const cut = (holder! + 1) % 3;
    // Node `cut` goes offline and loads another scenario there; the rest go on with the first.
    mesh.partition(mesh.group.map((_, i) => (i === cut ? 1 : 0)));
    mesh.run(2_000);
    writeRun(mesh.docs[cut]!, { ...scenario, assets: scenario.assets.slice(0, 1) }, scenario.seed + 1, mesh.now);
    mesh.run(20_000);
    const old = mesh.fused(holder!);
    expect(old.length, 'the first run went on').to.be.greaterThan(10);
    expect(mesh.computing()).to.have.length(2);

    mesh.partition([0, 0, 0]);
    mesh.run(3_000);
    const run = JSON.stringify(mesh.docs[0]!.getMap('lattice.pipeline').get('run'));
    expect(JSON.stringify(mesh.docs[cut]!.getMap('lattice.pipeline').get('run')), 'the later load is the mesh\'s run').to.equal(run);
    for (let i = 0; i < 3; i++) {
      expect(mesh.fused(i).filter((id) => old.includes(id)), `node ${i}: tracks of the replaced run`).to.deep.equal([]);
      expect(ghostsOn(mesh, i), `node ${i}: frozen or partial tracks`).to.deep.equal([]);
    }
    mesh.run(20_000);
    expect(mesh.computing()).to.have.length(1);
    expect(mesh.fused(0).length).to.be.within(15, 24);
    expect(new Set(mesh.stores.map((s) => s.digest())).size, 'replicas converged').to.equal(1);
    for (let i = 0; i < 3; i++) {
      expect(ghostsOn(mesh, i), `node ${i}, later`).to.deep.equal([]);
      // Requests live on their track and left with it; its intercepts ended, as the target is gone.
      const store = mesh.stores[i]!;
      expect(new ApprovalDesk(store, () => ({ role: 'operator', name: 'alice' })).pending().filter((r) => old.includes(r.entityId)), `node ${i}: requests`).to.deep.equal([]);
      const board = new TaskBoard(store, () => ({ role: 'operator', name: 'alice' }));
      expect(flying.map((t) => board.get(t.id)?.status), `node ${i}: intercepts`).to.deep.equal(flying.map(() => 'done_not_ok'));
      expect(store.list('asset').map((v) => v.id), `node ${i}: the assets are the new scenario's`).to.deep.equal([`scn.${scenario.assets[0]!.id}`]);
    }
  });

  it('removes on every node the tracks of a run ended while its node was cut off', async () => {
    const mesh = new Mesh(3);
    const scenario = await hard();
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    mesh.run(20_000);
    // The computing node is cut off and ends the run there (clearing its picture); the others
    // take the lease over and go on writing the same tracks.
    const [cut] = mesh.computing();
    mesh.partition(mesh.group.map((_, i) => (i === cut ? 1 : 0)));
    clearRun(mesh.docs[cut!]!);
    mesh.run(15_000);
    const [other] = mesh.computing();
    expect(other, 'the other side goes on').to.not.equal(undefined);
    expect(mesh.fused(other!).length).to.be.greaterThan(10);
    mesh.partition([0, 0, 0]);
    mesh.run(1_000);
    for (let i = 0; i < 3; i++) {
      expect(mesh.pipelines[i]!.status().role).to.equal('idle');
      expect(mesh.stores[i]!.list('track'), `node ${i}: tracks`).to.deep.equal([]);
    }
    expect(new Set(mesh.stores.map((s) => s.digest())).size).to.equal(1);
  });

  it('removes the losing run\'s tracks when both sides of a partition loaded a scenario', async () => {
    const mesh = new Mesh(3);
    const scenario = await hard();
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    mesh.run(10_000);
    mesh.partition([0, 0, 1]);
    // Each side keeps one of the two assets (and removes the other when it begins its run).
    const [one, two] = scenario.assets;
    writeRun(mesh.docs[0]!, { ...scenario, assets: [one!] }, scenario.seed + 1, mesh.now);
    writeRun(mesh.docs[2]!, { ...scenario, assets: [two!] }, scenario.seed + 2, mesh.now);
    mesh.run(20_000);
    const sides = [mesh.fused(0), mesh.fused(2)];
    expect(sides.every((ids) => ids.length > 10)).to.equal(true);

    mesh.partition([0, 0, 0]);
    // The run that lost the merge was never the mesh's on the winning side: its tracks may go
    // once they are quiet, but no later.
    mesh.run(15_000);
    const kept = mesh.fused(0);
    const loser = sides.find((ids) => !ids.some((id) => kept.includes(id)))!;
    expect(loser, 'one side\'s tracks are gone').to.not.equal(undefined);
    for (let i = 0; i < 3; i++) {
      expect(mesh.fused(i).filter((id) => loser.includes(id)), `node ${i}: tracks of the losing run`).to.deep.equal([]);
      expect(ghostsOn(mesh, i), `node ${i}: frozen or partial tracks`).to.deep.equal([]);
    }
    expect(kept.length).to.be.within(15, 24);
    expect(new Set(mesh.stores.map((s) => s.digest())).size).to.equal(1);
    // The winning run's asset is there, put back if the losing side had removed it; the other is gone.
    const winner = mesh.pipelines[0]!.status().runId === mesh.pipelines[2]!.status().runId ? new RunReader().read(mesh.docs[0]!).config! : undefined;
    expect(winner).to.not.equal(undefined);
    for (let i = 0; i < 3; i++) expect(mesh.stores[i]!.list('asset').map((v) => v.id), `node ${i}: assets`).to.deep.equal([`scn.${winner!.scenario.assets[0]!.id}`]);
  });

  it('removes tracks of a replaced run that arrive after the new run has finished, with nobody computing', async () => {
    const mesh = new Mesh(2);
    const scenario = await hard();
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    mesh.run(10_000);
    mesh.partition([0, 1]);
    // Node 1, alone, loads a short run that ends before the heal; node 0 goes on with the first.
    const short = { ...scenario, durationS: 20, targets: scenario.targets.map((t) => ({ ...t, manoeuvres: t.manoeuvres.filter((m) => m.atS <= 20) })) };
    writeRun(mesh.docs[1]!, short, scenario.seed + 1, mesh.now);
    mesh.run(30_000);
    expect(mesh.pipelines[1]!.status().role).to.equal('finished');
    const old = mesh.fused(0);
    mesh.partition([0, 0]);
    mesh.run(2_000);
    expect(mesh.pipelines.map((p) => p.status().role)).to.deep.equal(['finished', 'finished']);
    for (let i = 0; i < 2; i++) expect(mesh.fused(i).filter((id) => old.includes(id)), `node ${i}`).to.deep.equal([]);
    expect(new Set(mesh.stores.map((s) => s.digest())).size).to.equal(1);
  });

  it('erases nothing when a peer writes a run entry that cannot be read; a valid load then replaces the picture', async () => {
    const mesh = new Mesh(3);
    const scenario = await hard();
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    mesh.run(20_000);
    const before = mesh.fused(0);
    expect(before.length).to.be.greaterThan(10);
    mesh.docs[2]!.getMap('lattice.pipeline').set('run', { runId: 'junk', scenario: '{"name": 1}', seed: 1, startedAt: mesh.now });
    mesh.run(15_000); // past the ghost sweep's quiet time
    for (let i = 0; i < 3; i++) {
      expect(mesh.pipelines[i]!.status().problem, `node ${i}`).to.contain('name must be a string');
      expect(mesh.fused(i), `node ${i}: the picture stays`).to.deep.equal(before);
    }
    writeRun(mesh.docs[1]!, scenario, scenario.seed + 1, mesh.now);
    mesh.run(1_000);
    for (let i = 0; i < 3; i++) expect(mesh.fused(i).filter((id) => before.includes(id)), `node ${i}: the old run's tracks`).to.deep.equal([]);
  });

  it('converges to the current run\'s picture alone after random loads, ends, partitions and heals', async function () {
    this.timeout(120_000);
    const scenario = await hard();
    for (const seed of Array.from({ length: 12 }, (_, i) => i + 1)) {
      const mesh = new Mesh(3);
      const rng = new SeededRandom(seed);
      const pick = (n: number) => Math.floor(rng.next() * n);
      // An operator's track, with a run-like id: never removed.
      mesh.stores[0]!.create('fus.0badc0de.mine', 'track', { position: { lat: scenario.origin.lat, lon: scenario.origin.lon, alt: 0 }, source: { sensorId: 'alice', sensorType: 'operator' } });
      writeRun(mesh.docs[0]!, scenario, seed, mesh.now);
      const log: string[] = [];
      for (let step = 0; step < 8; step++) {
        // Loads most often, ends seldom (an ended mesh has nothing left to check).
        const roll = pick(20);
        const action = roll < 7 ? 0 : roll < 9 ? 1 : roll < 15 ? 2 : 3;
        const node = pick(3);
        if (action === 0) {
          writeRun(mesh.docs[node]!, { ...scenario, assets: scenario.assets.slice(pick(2)) }, seed * 100 + step, mesh.now);
          log.push(`load@${node}`);
        } else if (action === 1) {
          clearRun(mesh.docs[node]!);
          log.push(`end@${node}`);
        } else if (action === 2) {
          const groups = [0, 1, 2].map(() => pick(2));
          mesh.partition(groups);
          log.push(`split ${groups.join('')}`);
        } else {
          mesh.partition([0, 0, 0]);
          log.push('heal');
        }
        mesh.run(2_000 + pick(10) * 1_000);
      }
      mesh.partition([0, 0, 0]);
      mesh.run(15_000);
      const what = `seed ${seed}: ${log.join(', ')}`;
      expect(new Set(mesh.stores.map((s) => s.digest())).size, `${what}: converged`).to.equal(1);
      const config = new RunReader().read(mesh.docs[0]!).config;
      const finished = config !== undefined && (mesh.now - config.startedAt) / 1000 >= config.scenario.durationS;
      for (let i = 0; i < 3; i++) {
        const store = mesh.stores[i]!;
        expect(store.has('fus.0badc0de.mine'), `${what}: node ${i} keeps the operator's track`).to.equal(true);
        const runTracks = store.list('track').filter((v) => v.id !== 'fus.0badc0de.mine');
        if (!config) {
          expect(runTracks.map((v) => v.id), `${what}: node ${i}, no run`).to.deep.equal([]);
          continue;
        }
        const tag = runTag(config.runId);
        expect(runTracks.filter((v) => runTagOf(v.id) !== tag).map((v) => v.id), `${what}: node ${i}, other runs' tracks`).to.deep.equal([]);
        if (!finished) expect(ghostsOn(mesh, i).filter((id) => id !== 'fus.0badc0de.mine'), `${what}: node ${i}, frozen or partial`).to.deep.equal([]);
      }
    }
  });

  it('refuses a run too large to reach the other nodes, writing nothing', () => {
    const doc = new Y.Doc();
    // Past what parseScenario admits too (target-seconds): writeRun checks the size on its own.
    const base = syntheticScenario(1_000);
    const huge = { ...base, targets: [...base.targets, ...base.targets.map((t) => ({ ...t, id: `${t.id}b` }))] };
    expect(() => writeRun(doc, huge, 1, START)).to.throw(ScenarioError, /at most 200,000/);
    expect(doc.getMap('lattice.pipeline').size).to.equal(0);
    expect(() => writeRun(doc, syntheticScenario(1_000), 1, START)).to.not.throw();
  });

  it('goes on computing when a peer removes the run outright, and honest nodes put it back', async () => {
    const mesh = new Mesh(3);
    const scenario = await hard();
    // Nodes 0 and 1 are honest; node 2's document is the hostile peer's.
    const put: string[] = [];
    const keepers = [0, 1].map((i) => new RunKeeper(mesh.docs[i]!, { putBackAfterMs: 20, onPutBack: (m) => put.push(m) }));
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    mesh.run(20_000);
    const before = mesh.fused(0);
    expect(before.length).to.be.greaterThan(10);
    const run = JSON.stringify(mesh.docs[0]!.getMap('lattice.pipeline').get('run'));

    mesh.docs[2]!.getMap('lattice.pipeline').delete('run');
    expect(mesh.docs[0]!.getMap('lattice.pipeline').has('run'), 'the removal reached the honest nodes').to.equal(false);
    mesh.run(2_000);
    expect(mesh.pipelines.map((p) => p.status().role).sort(), 'the run goes on meanwhile').to.deep.equal(['computing', 'standby', 'standby']);
    expect(mesh.fused(0).filter((id) => before.includes(id)).length, 'nothing derived was cleared').to.be.at.least(before.length * 0.8);
    expect(keepers.map((k) => k.pending)).to.deep.equal([true, true]);
    await until('the run put back everywhere', () => mesh.docs.every((d) => JSON.stringify(d.getMap('lattice.pipeline').get('run')) === run));
    expect(put.length).to.be.within(1, 2);
    expect(put[0]).to.contain('put back');
    // A node that joins now reads the run.
    expect(new RunReader().read(mesh.docs[2]!).config?.scenario.name).to.equal(scenario.name);

    // An honest unload is a value, and it is not undone.
    clearRun(mesh.docs[1]!);
    expect(mesh.docs[0]!.getMap('lattice.pipeline').get('run')).to.include({ stopped: true });
    mesh.run(1_000);
    expect(mesh.pipelines.map((p) => p.status().role)).to.deep.equal(['idle', 'idle', 'idle']);
    expect(mesh.fused(0)).to.deep.equal([]);
    expect(keepers.map((k) => k.pending), 'nothing to put back').to.deep.equal([false, false]);
    for (const k of keepers) k.destroy();
  });

  it('reads a document with no run entry, or a stopped one, as no run', () => {
    const doc = new Y.Doc();
    expect(new RunReader().read(doc)).to.deep.equal({ config: undefined, problem: undefined });
    clearRun(doc);
    expect(doc.getMap('lattice.pipeline').has('run'), 'nothing to stop, nothing written').to.equal(false);
    doc.getMap('lattice.pipeline').set('run', { runId: 'x', stopped: true, stoppedAt: START });
    expect(new RunReader().read(doc)).to.deep.equal({ config: undefined, problem: undefined });
  });

  it('treats a lease expiring further ahead than ttl + the maximum clock offset as no lease', async () => {
    const mesh = new Mesh(2);
    const scenario = await hard();
    writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
    // A peer claims the lease until the year 3000.
    mesh.docs[1]!.getMap('lattice.leases').set('pipeline', { holder: 'evil', expires: encodeHlc({ wall: Date.UTC(3000, 0, 1), counter: 0, node: 'evil' }) });
    mesh.run(2_000);
    expect(mesh.computing(), 'an honest node computes regardless').to.have.length(1);
    expect(mesh.pipelines.map((p) => p.status().leaseHolder)).to.deep.equal([`n${mesh.computing()[0]}`, `n${mesh.computing()[0]}`]);
    // An honest lease (now + ttl, within the offset) still holds off the others.
    mesh.run(10_000);
    expect(mesh.computing()).to.have.length(1);
    expect(mesh.fused(0).length).to.be.greaterThan(5);
  });

  it('continues the threat level the document holds when another node takes over, not its own first estimate', async () => {
    const scenario = await hard();
    const levelsAfterTakeover = (options: Omit<PipelineOptions, 'holder'>) => {
      const mesh = new Mesh(2, options);
      writeRun(mesh.docs[0]!, scenario, scenario.seed, mesh.now);
      mesh.run(60_000);
      const [holder] = mesh.computing();
      const other = 1 - holder!;
      const store = mesh.stores[holder!]!;
      // The trailing group flies at 330 kn: aircraft band, 20 kn below the high edge, inside the margin.
      const ids = store
        .list('track')
        .filter((v) => v.components.source?.sensorType === 'fused' && v.components.threat!.level !== 'high' && Math.abs(v.components.velocity!.speed / 0.514444 - 335) < 12)
        .map((v) => v.id);
      // The document says high (as the holder had it a moment before it vanished).
      store.transact(() => ids.forEach((id) => store.update(id, { threat: { level: 'high' } })));
      mesh.partition(mesh.group.map((_, i) => (i === holder ? null : 0)));
      mesh.run(4_000);
      expect(mesh.computing()).to.deep.equal([other]);
      mesh.run(3_000);
      return { ids, levels: ids.map((id) => mesh.stores[other]!.get(id)?.components.threat?.level) };
    };
    const held = levelsAfterTakeover({});
    expect(held.ids.length, 'tracks near the edge to test with').to.be.at.least(2);
    expect(held.levels.every((l) => l === 'high'), `levels after the takeover: ${held.levels.join(', ')}`).to.equal(true);
    // Without hysteresis the new holder writes its own estimate's level at once.
    const unheld = levelsAfterTakeover({ threatHysteresis: NO_THREAT_HYSTERESIS });
    expect(unheld.levels.filter((l) => l === 'high')).to.deep.equal([]);
  });
});
