/**
 * The worker boundary fails safely: a failing worker is reported, replaced, and nothing it
 * computed is lost. Run against the in-memory twin and against the real module worker.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import { EntityStore } from '../../src/crdt/index.js';
import { PipelineHost, spawnModuleWorker, type PipelineFault } from '../../src/workers/PipelineHost.js';
import { runPipelineWorker } from '../../src/workers/PipelineWorker.js';
import { memoryPorts, type PipelinePort } from '../../src/workers/transport.js';

/** Waits for a condition, polling; fails with `what` after `timeoutMs`. Never a fixed sleep. */
async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function fusedIds(store: EntityStore): string[] {
  return store.list('track').filter((v) => v.components.source?.sensorType === 'fused').map((v) => v.id);
}

interface Setup {
  readonly name: string;
  readonly spawn: () => { port: PipelinePort; crash?: (message: string) => void };
  readonly drills: readonly ('throw' | 'tick' | 'hang' | 'crash')[];
}

const setups: Setup[] = [
  {
    name: 'in-memory twin',
    spawn: () => {
      const { host, worker } = memoryPorts();
      const handle = runPipelineWorker(worker);
      const close = host.close;
      return {
        port: { ...host, close: () => (close(), handle.destroy()) },
        crash: (message) => (worker.crash(message), handle.destroy()),
      };
    },
    drills: ['tick', 'crash'],
  },
  { name: 'module worker', spawn: () => ({ port: spawnModuleWorker() }), drills: ['tick', 'throw', 'hang'] },
];

for (const setup of setups) {
  describe(`PipelineHost over the ${setup.name}`, () => {
    let host: PipelineHost | undefined;
    afterEach(() => host?.destroy());

    for (const drill of setup.drills) {
      it(`recovers from a ${drill} fault without losing anything`, async () => {
        const doc = new Y.Doc();
        const page = new EntityStore(doc, { node: 'page' });
        const faults: PipelineFault[] = [];
        const logged: string[] = [];
        let crash: ((message: string) => void) | undefined;
        host = new PipelineHost({
          doc,
          node: 'tab1',
          spawn: () => {
            const s = setup.spawn();
            crash = s.crash;
            return s.port;
          },
          tickMs: 100,
          leaseTtlMs: 2_000,
          stallTimeoutMs: 3_000,
          restartDelayMs: 50,
          log: (m) => logged.push(m),
        });
        host.on('fault', (f) => faults.push(f));
        host.start();
        await host.loadBuiltinScenario('default');
        await until('fused tracks from the first worker', () => fusedIds(page).length >= 3);
        // The page writes too while the pipeline runs: an operator's own entity.
        page.create('op.marker', 'geo', { position: { lat: 52.4, lon: 4.2, alt: 0 } });
        await until('the pipeline running', () => host!.status().state === 'running');
        const before = fusedIds(page);
        const positions = new Map(before.map((id) => [id, JSON.stringify(page.get(id)!.components.position)]));

        if (drill === 'crash') crash!('simulated crash');
        else host.injectFault(drill);
        await until('the fault reported', () => faults.length === 1);
        expect(host.status().lastFault?.message).to.match(drill === 'hang' ? /did not answer/ : drill === 'crash' ? /simulated crash/ : /Fault drill/);
        expect(logged.join('\n')).to.contain('Pipeline worker failed');

        // Nothing lost: what the failed worker wrote is still in the page's document.
        for (const id of before) expect(page.has(id), id).to.equal(true);
        expect(page.has('op.marker')).to.equal(true);

        await until('a new worker running', () => host!.status().state === 'running' && host!.status().restarts === 1);
        // The new worker carries on with the same tracks (ids kept) and moves them.
        await until('tracks moved by the new worker', () => before.filter((id) => page.has(id) && JSON.stringify(page.get(id)!.components.position) !== positions.get(id)).length >= Math.ceil(before.length / 2));
        expect(page.get('op.marker')!.components.position).to.deep.equal({ lat: 52.4, lon: 4.2, alt: 0 });
        expect(host.status().pipeline?.role).to.equal('computing');
        expect(faults).to.have.length(1);
      });
    }

    it('hands the lease back on stop, and reports bad messages from the worker as faults', async () => {
      const doc = new Y.Doc();
      const { host: port, worker } = memoryPorts();
      host = new PipelineHost({ doc, node: 'tab2', spawn: () => port, restartDelayMs: 10_000, log: () => undefined });
      const faults: PipelineFault[] = [];
      host.on('fault', (f) => faults.push(f));
      host.start();
      worker.post({ type: 'status', status: { role: 'bogus' } });
      await until('the bad message reported', () => faults.length === 1);
      expect(faults[0]!.message).to.contain('not part of the protocol');
      expect(host.status().state).to.equal('restarting');
      doc.getMap('lattice.leases').set('pipeline', { holder: 'tab2', expires: '0000000000000tab2' });
      host.stop();
      expect(doc.getMap('lattice.leases').get('pipeline')).to.equal(undefined);
      expect(host.status().state).to.equal('stopped');
    });
  });
}

/** An in-memory worker that crashes whenever it computes `poison()`, as a bad input would make it. */
function poisonedWorker(poison: () => string | undefined): PipelinePort {
  const { host: port, worker } = memoryPorts();
  let destroyed = false;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    handle.destroy();
  };
  const handle = runPipelineWorker({
    ...worker,
    post: (m: unknown) => {
      const status = (m as { type?: string; status?: { role?: string; runId?: string } }).status;
      if (status?.role === 'computing' && status.runId !== undefined && status.runId === poison()) {
        worker.crash('Fault drill: the poisoned run crashed the worker.');
        destroy();
      } else worker.post(m);
    },
  });
  return { ...port, close: () => (port.close(), destroy()) };
}

describe('PipelineHost sets aside what crashes its worker, and fences it with the page', () => {
  let host: PipelineHost | undefined;
  afterEach(() => host?.destroy());

  it('sets a run aside after it crashed the worker twice, stays up without it, and computes the next run', async () => {
    const doc = new Y.Doc();
    const poisoned: { runId?: string } = {};
    const faults: PipelineFault[] = [];
    const logged: string[] = [];
    host = new PipelineHost({ doc, node: 'tab3', spawn: () => poisonedWorker(() => poisoned.runId), tickMs: 50, leaseTtlMs: 2_000, restartDelayMs: 10, maxRestartDelayMs: 20, log: (m) => logged.push(m) });
    host.on('fault', (f) => faults.push(f));
    host.start();
    await host.loadBuiltinScenario('default');
    const poison = (doc.getMap('lattice.pipeline').get('run') as { runId: string }).runId;
    poisoned.runId = poison;

    await until('the run set aside', () => host!.status().setAsideRun !== undefined);
    const aside = host.status().setAsideRun!;
    expect(aside.runId).to.equal(poison);
    expect(aside.message).to.match(/set run .* aside: it crashed the worker 2 times \(Fault drill: the poisoned run/);
    expect(aside.message).to.contain('load another scenario');
    expect(logged.join('\n')).to.contain(aside.message);
    // The next worker runs, idle: it reports the run as set aside instead of crashing again.
    await until('a worker running idle', () => host!.status().state === 'running' && host!.status().pipeline?.role === 'idle');
    expect(host.status().pipeline!.problem).to.contain('aside');
    expect(host.status().restarts).to.equal(2);
    expect(faults).to.have.length(2);

    // A different run is computed.
    await host.loadBuiltinScenario('default', { seed: 7 });
    await until('the next run computed', () => host!.status().pipeline?.role === 'computing');
    expect(host.status().pipeline!.runId).to.not.equal(poison);
    expect(host.status().setAsideRun).to.equal(undefined);
    expect(faults).to.have.length(2);
  });

  it('does not count fault drills against the run', async () => {
    const doc = new Y.Doc();
    host = new PipelineHost({ doc, node: 'tab5', spawn: () => poisonedWorker(() => undefined), tickMs: 50, restartDelayMs: 10, maxRestartDelayMs: 20, log: () => undefined });
    host.start();
    await host.loadBuiltinScenario('default');
    for (let i = 1; i <= 2; i++) {
      await until('computing', () => host!.status().state === 'running' && host!.status().pipeline?.role === 'computing');
      host.injectFault('tick');
      await until(`drill ${i} recovered`, () => host!.status().restarts === i);
    }
    await until('computing after the drills', () => host!.status().state === 'running' && host!.status().pipeline?.role === 'computing');
    expect(host.status().setAsideRun).to.equal(undefined);
  });

  it('fences the worker while the page is fenced, and lifts it with the page', async () => {
    const doc = new Y.Doc();
    const page = new EntityStore(doc, { node: 'page' });
    host = new PipelineHost({ doc, node: 'tab4', spawn: () => poisonedWorker(() => undefined), tickMs: 50, leaseTtlMs: 2_000, log: () => undefined });
    // Fenced before the worker starts: its first step already knows.
    host.setClockFence(3_600_000);
    host.start();
    await host.loadBuiltinScenario('default');
    await until('the worker fenced', () => host!.status().pipeline?.role === 'fenced' && host!.status().pipeline?.runId !== undefined);
    expect(host.status().pipeline!.problem).to.contain('ahead of its peers');
    expect(doc.getMap('lattice.leases').get('pipeline'), 'a fenced worker holds no lease').to.equal(undefined);
    expect(fusedIds(page)).to.deep.equal([]);

    host.setClockFence(undefined);
    await until('computing once the fence lifts', () => host!.status().pipeline?.role === 'computing');
    await until('fused tracks written', () => fusedIds(page).length > 0);
    host.setClockFence(-5_000);
    await until('fenced again', () => host!.status().pipeline?.role === 'fenced');
    expect(host.status().pipeline!.problem).to.contain('behind');
    expect(host.status().state).to.equal('running');
    expect(host.status().restarts, 'a fence is not a crash').to.equal(0);
    page.destroy();
  });
});
