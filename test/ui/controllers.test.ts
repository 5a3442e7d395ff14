import { LitElement } from 'lit';
import * as Y from 'yjs';
import { EntityStore } from '../../src/crdt/index.js';
import { StoreChangesController, type StoreChangeBatch } from '../../src/ui/controllers/StoreChangesController.js';
import { MeshStatusController } from '../../src/ui/controllers/MeshStatusController.js';
import { PendingApprovalsController } from '../../src/ui/controllers/PendingApprovalsController.js';
import { TrafficController } from '../../src/ui/controllers/TrafficController.js';
import { MemoryNode } from './MemoryNode.js';
import { check, checkEqual, cleanup, nextFrame, waitUntil } from './assert.js';

class ChangesHost extends LitElement {
  store: EntityStore | undefined;
  batches: StoreChangeBatch[] = [];
  resets = 0;
  readonly changes = new StoreChangesController(this, () => this.store, (b) => this.batches.push({ changed: new Set(b.changed), deleted: new Set(b.deleted) }), {
    onReset: () => this.resets++,
  });
}
customElements.define('test-changes-host', ChangesHost);

class StatusHost extends LitElement {
  node: MemoryNode | undefined;
  renders = 0;
  readonly mesh = new MeshStatusController(this, () => this.node);
  protected override render() {
    this.renders++;
    return this.mesh.status?.state ?? 'none';
  }
}
customElements.define('test-status-host', StatusHost);

class TrafficHost extends LitElement {
  node: MemoryNode | undefined;
  readonly traffic = new TrafficController(this, () => this.node, 20);
  protected override render() {
    return String(this.traffic.report?.queueDepth ?? 'none');
  }
}
customElements.define('test-traffic-host', TrafficHost);

class ApprovalsHost extends LitElement {
  store: EntityStore | undefined;
  clock = 1_000_000;
  readonly approvals = new PendingApprovalsController(this, () => this.store, { now: () => this.clock, tickMs: 20 });
}
customElements.define('test-approvals-host', ApprovalsHost);

const newStore = () => new EntityStore(new Y.Doc(), { node: 'ctl', physicalNow: () => 1_000_000 });

describe('reactive controllers', () => {
  afterEach(cleanup);

  it('StoreChangesController coalesces a burst of writes into one batch per frame and stops when the host leaves', async () => {
    const host = document.createElement('test-changes-host') as ChangesHost;
    host.store = newStore();
    document.body.appendChild(host);
    checkEqual(host.resets, 1, 'reset on connect');
    host.store.transact(() => {
      for (let i = 0; i < 100; i++) host.store!.create(`e${i}`, 'track', { position: { lat: 0, lon: i, alt: 0 } });
    });
    for (let i = 0; i < 50; i++) host.store.update(`e${i}`, { position: { lat: 1, lon: i, alt: 0 } });
    host.store.delete('e99');
    await nextFrame();
    await nextFrame();
    checkEqual(host.batches.length, 1, 'one batch');
    checkEqual(host.batches[0]!.changed.size, 99, 'changed ids');
    check(host.batches[0]!.deleted.has('e99') && !host.batches[0]!.changed.has('e99'), 'deleted, not changed');
    host.remove();
    host.store.update('e1', { position: { lat: 2, lon: 1, alt: 0 } });
    await nextFrame();
    await nextFrame();
    checkEqual(host.batches.length, 1, 'nothing delivered after disconnect');
    document.body.appendChild(host);
    host.store.update('e2', { position: { lat: 2, lon: 2, alt: 0 } });
    await waitUntil(() => host.batches.length === 2, 'resubscribed on reconnect');
    checkEqual(host.resets, 2, 'reset again');
  });

  it('StoreChangesController follows the host to a new store', async () => {
    const host = document.createElement('test-changes-host') as ChangesHost;
    const first = newStore();
    const second = newStore();
    host.store = first;
    document.body.appendChild(host);
    host.store = second;
    host.requestUpdate();
    await host.updateComplete;
    first.create('old', 'track');
    second.create('new', 'track');
    await waitUntil(() => host.batches.length === 1, 'a batch');
    await nextFrame();
    checkEqual([...host.batches.flatMap((b) => [...b.changed])], ['new'], 'only the current store is heard');
  });

  it('MeshStatusController renders on status events while connected, and unsubscribes', async () => {
    const node = new MemoryNode();
    const host = document.createElement('test-status-host') as StatusHost;
    host.node = node;
    document.body.appendChild(host);
    await host.updateComplete;
    checkEqual(host.shadowRoot!.textContent, 'online', 'initial status');
    node.disconnect();
    await host.updateComplete;
    checkEqual(host.shadowRoot!.textContent, 'offline', 'status event rendered');
    host.remove();
    const renders = host.renders;
    node.connect();
    await new Promise((r) => setTimeout(r, 30));
    checkEqual(host.renders, renders, 'no render after the host left');
    check(!((node as any)._observers as Map<string, Set<unknown>>).get('status')?.size, 'listener removed from the node');
  });

  it('TrafficController polls the node while connected, reads a new node at once, and stops when the host leaves', async () => {
    const node = new MemoryNode();
    const host = document.createElement('test-traffic-host') as TrafficHost;
    host.node = node;
    document.body.appendChild(host);
    await host.updateComplete;
    checkEqual(host.shadowRoot!.textContent, '0', 'read on connect');
    node.setTraffic({ queueDepth: 7 });
    await waitUntil(() => host.shadowRoot!.textContent === '7', 'polled');
    const other = new MemoryNode();
    other.setTraffic({ queueDepth: 3 });
    host.node = other;
    host.requestUpdate();
    await host.updateComplete;
    checkEqual(host.shadowRoot!.textContent, '3', 'the new node is read in the same update');
    host.remove();
    let reads = 0;
    other.traffic = () => {
      reads++;
      return MemoryNode.prototype.traffic.call(other);
    };
    await new Promise((r) => setTimeout(r, 100));
    checkEqual(reads, 0, 'no polling after the host left');
    document.body.appendChild(host);
    await waitUntil(() => reads > 1, 'polling again once back on the page');
  });

  it('PendingApprovalsController keeps pending requests by deadline and retires them with a reason', async () => {
    const host = document.createElement('test-approvals-host') as ApprovalsHost;
    const store = newStore();
    host.store = store;
    document.body.appendChild(host);
    const ask = (id: string, requestId: string, inS: number) =>
      store.update(id, { approval: { requestId, requestedAt: host.clock, deadline: host.clock + inS * 1000, tasks: ['intercept'], requestedBy: 'n1' } });
    for (const id of ['a', 'b', 'c', 'd']) store.create(id, 'track', { threat: { level: 'high' } });
    ask('a', 'ra', 30);
    ask('b', 'rb', 10);
    ask('c', 'rc', 20);
    await waitUntil(() => host.approvals.pending.length === 3, 'three pending');
    checkEqual(host.approvals.pending.map((r) => r.requestId), ['rb', 'rc', 'ra'], 'soonest deadline first');
    // A decision made here, a request replaced by a newer one, an entity deleted, a deadline passing.
    host.approvals.recordDecision('rc', 'deny', 'Ops North');
    ask('a', 'ra2', 40);
    store.delete('c');
    await waitUntil(() => host.approvals.history.length === 2, 'two retired');
    host.clock += 11_000;
    await waitUntil(() => host.approvals.history.length === 3, 'deadline passed');
    const outcomes = host.approvals.history.map((h) => `${h.request.requestId}: ${h.outcome}${h.by ? ` by ${h.by}` : ''}`).sort();
    checkEqual(outcomes, ['ra: closed', 'rb: timed_out', 'rc: denied by Ops North'], 'outcomes');
    checkEqual(host.approvals.pending.map((r) => r.requestId), ['ra2'], 'still pending');
  });
});
