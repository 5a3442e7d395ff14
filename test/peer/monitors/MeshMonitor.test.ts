/**
 * The monitor on a running node: silent while the node keeps its rules; each rule broken on
 * purpose (the fault switches are what the monitor reads) is counted, kept with its evidence and
 * shown in `status().checks`.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import { EntityStore, approvalOutcome, type DecodedBatch, type StampedEntry } from '../../../src/crdt/index.js';
import { MeshMonitor, TASK_GRACE_MS } from '../../../src/peer/monitors/MeshMonitor.js';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../../src/peer/memoryTransport.js';
import type { TrafficReport } from '../../../src/peer/LatticeNode.js';
import { waitUntil } from '../check.js';

describe('MeshMonitor', () => {
  it('a node that keeps its rules shows every rule held; a request decided on two nodes breaks none', async function () {
    this.timeout(20_000);
    const network = new MemoryNetwork();
    const open = (name: string) => MeshNode.create({ identity: { nodeId: `mon-${name}`, name, role: 'operator' }, room: 'monitors', transport: memoryTransport(network), persist: false });
    const [a, b] = await Promise.all([open('A'), open('B')]);
    try {
      await waitUntil(() => a.links().length === 1 && b.links().length === 1, 'linked', 5000);
      a.setBudget({ bytesPerSecond: 4_000 });
      a.store.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      a.approvals.request('t1', ['intercept']);
      await waitUntil(() => b.approvals.outcome('t1')?.state === 'pending', 'B sees the request', 5000);
      b.approvals.decide('t1', 'deny');
      a.approvals.decide('t1', 'approve');
      for (let i = 0; i < 50; i++) a.store.update('t1', { position: { lat: 1 + i / 100, lon: 1, alt: 0 } });
      await waitUntil(() => a.approvals.outcome('t1')?.state === 'denied' && b.approvals.outcome('t1')?.state === 'denied', 'deny wins on both', 5000);
      a.monitor.check();
      b.monitor.check();
      // The picture rebuilt from the document alone equals the live one, on both.
      a.monitor.checkRebuild(true);
      b.monitor.checkRebuild(true);
      for (const n of [a, b]) expect(n.status().checks, n.identity.name).to.deep.include({ violations: 0 });
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });

  it('fires for each rule broken on purpose, keeps the evidence, and tells the node', async () => {
    const store = new EntityStore(new Y.Doc(), { node: 'mon' });
    let traffic: TrafficReport | undefined;
    let changed = 0;
    // The fault switch for approvals: an outcome that ignores denies.
    const ignoresDenies = (journal: readonly StampedEntry[], now: number) => {
      const honest = approvalOutcome(journal.filter((s) => !(s.entry.kind === 'decision' && s.entry.verdict === 'deny')), now);
      return honest && { ...honest, decisions: honest.decisions };
    };
    const monitor = new MeshMonitor({ store, physicalNow: () => Date.now(), outcome: ignoresDenies, traffic: () => traffic!, changed: () => changed++, checkEveryMs: 60_000 });
    try {
      traffic = { budget: { bytesPerSecond: 1_000, burstBytes: 1_024 }, totalBytes: { alert: 0, track: 0, bulk: 0, control: 0 } } as unknown as TrafficReport;
      monitor.check();
      expect(monitor.report().violations).to.equal(0);
      // A deny and an approve on one request: the switch's outcome says approved.
      store.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      store.record('t1', { kind: 'request', requestId: 'r1', deadline: store.wallNow() + 30_000, tasks: ['intercept'], auto: false });
      store.record('t1', { kind: 'decision', requestId: 'r1', verdict: 'approve', operator: 'A' });
      store.record('t1', { kind: 'decision', requestId: 'r1', verdict: 'deny', operator: 'B' });
      // The break stays in the journal: the entity moving on does not report it again.
      monitor.check();
      store.update('t1', { position: { lat: 2, lon: 1, alt: 0 } });
      monitor.check();
      // A sender past its budget: 5 kB within a second at 1 kB/s.
      await new Promise((r) => setTimeout(r, 200));
      traffic = { ...traffic, totalBytes: { alert: 0, track: 5_000, bulk: 0, control: 0 } } as unknown as TrafficReport;
      monitor.check();
      // A clock that steps back: a local batch stamped before the last one.
      const batch = (wall: number) => ({ hlc: { wall, counter: 0, node: 'mon' } }) as unknown as DecodedBatch;
      store.emit('appended', [[batch(Date.now() + 10), batch(Date.now() - 10_000)], 'local']);
      // A peer's stamp adopted an hour ahead.
      store.emit('appended', [[{ hlc: { wall: Date.now() + 3_600_000, counter: 0, node: 'peer' } } as unknown as DecodedBatch], 'document']);
      const report = monitor.report();
      expect(report.byRule).to.deep.equal({ 'approval.deny-wins': 1, 'uplink.budget': 1, 'clock.monotonic': 1, 'clock.within-offset': 1 });
      expect(report.violations).to.equal(4);
      expect(changed).to.equal(4);
      expect(monitor.violations().map((v) => v.rule)).to.include('approval.deny-wins');
      expect(monitor.violations().find((v) => v.rule === 'uplink.budget')!.evidence).to.match(/5000 B sent/);
    } finally {
      monitor.destroy();
    }
  });

  it('a task for a request nobody approved is reported once it has lasted the grace; a rebuild that differs, once it stays different', async () => {
    let now = Date.now();
    const store = new EntityStore(new Y.Doc(), { node: 'mon', physicalNow: () => now });
    let rebuilt = () => store.digest();
    const monitor = new MeshMonitor({ store, physicalNow: () => now, checkEveryMs: 60_000, rebuildDigest: () => rebuilt(), rebuildEveryMs: 60_000, rebuildConfirmMs: 30 });
    try {
      store.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      store.record('t1', { kind: 'request', requestId: 'r1', deadline: store.wallNow() + 30_000, tasks: ['intercept'], auto: false });
      store.record('t1', { kind: 'withdraw', requestId: 'r1', reason: 'threat fell' });
      // A page that tasks it anyway.
      store.create('task.r1', 'task', { task: { kind: 'intercept', targetId: 't1', assetId: 'a1', requestId: 'r1', status: 'created' } });
      monitor.check();
      expect(monitor.report().violations, 'within the grace').to.equal(0);
      now += TASK_GRACE_MS;
      monitor.check();
      monitor.check();
      expect(monitor.report().byRule).to.deep.equal({ 'task.only-approved': 1 });
      // The store's fault switch: a rebuild that disagrees, for a moment, then for good.
      rebuilt = () => 'different';
      monitor.checkRebuild();
      rebuilt = () => store.digest();
      await new Promise((r) => setTimeout(r, 80));
      expect(monitor.report().byRule['store.rebuild'] ?? 0, 'a passing difference').to.equal(0);
      rebuilt = () => 'different';
      monitor.checkRebuild();
      await new Promise((r) => setTimeout(r, 80));
      expect(monitor.report().byRule['store.rebuild']).to.equal(1);
    } finally {
      monitor.destroy();
    }
  });
});
