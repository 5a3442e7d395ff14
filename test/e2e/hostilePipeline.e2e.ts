/**
 * An input the page accepts must not stop the pipeline anywhere (issue 13): a modified client
 * writes, through its store as any node may, an approved intercept request whose id is too long
 * to name the task it asks for. Before, tasking threw on every step, on every node that took the
 * lease, and the workers restarted in a loop, also after reloads. Now that track is set aside for
 * tasking and said so; everything else goes on, and no worker fails on any node.
 */
import { expect, test } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { freshRoom, openNode, type OpenNode } from './nodes.js';

test('an approved request a peer wrote that tasking cannot name is set aside; no worker fails on any node, and the rest is tasked', async ({ browser }) => {
  test.setTimeout(120_000);
  const room = freshRoom('setaside');
  const nodes: OpenNode[] = [];
  for (const name of ['Honest-A', 'Honest-B', 'Mallory']) nodes.push(await openNode(browser, { room, name }));
  const mallory = nodes[2]!;
  try {
    for (const n of nodes) await waitUntil(async () => (await n.handle.peers()).length === 2, `${n.handle.label} sees the others`, 20_000);
    await nodes[0]!.page.evaluate(() =>
      window.lattice!.pipeline!.load({
        name: 'one asset',
        durationS: 600,
        origin: { lat: 52, lon: 4 },
        targets: [],
        assets: [{ id: 'a1', position: { lat: 52, lon: 4 } }],
        sensors: [{ id: 'eo-1', kind: 'eo', position: { lat: 52, lon: 4 }, rateHz: 1, rangeM: 10_000 }],
      }),
    );
    await waitUntil(async () => (await mallory.handle.ids()).some((id) => id.includes('a1')), 'the run reaches Mallory', 30_000);
    // Two approved requests on high-threat tracks; one request id is too long to name a task.
    await mallory.page.evaluate(() => {
      const store = window.lattice!.node.store;
      // Its decisions name its own operator key (peers refuse one that names another's).
      const key = window.lattice!.node.status().operatorFingerprint;
      for (const [id, requestId] of [['t.bad', 'r'.repeat(64)], ['t.good', 'r1']] as const) {
        store.create(id, 'track', { position: { lat: 52.01, lon: 4, alt: 0 }, threat: { level: 'high' } });
        store.record(id, { kind: 'request', requestId, deadline: Date.now() + 120_000, tasks: ['intercept'], auto: false });
        store.record(id, { kind: 'decision', requestId, verdict: 'approve', operator: 'op', ...(key ? { key } : {}) });
      }
    });
    for (const n of nodes) await waitUntil(async () => (await n.handle.get('task.r1')) !== undefined, `the good request is tasked, as ${n.handle.label} sees`, 30_000);
    const aside = async (n: OpenNode) => n.page.evaluate(() => window.lattice!.pipeline!.status().pipeline?.setAside ?? []);
    let computing: OpenNode | undefined;
    await waitUntil(
      async () => {
        for (const n of nodes) if ((await aside(n)).some((e) => e.id === 't.bad')) computing = n;
        return computing !== undefined;
      },
      'the computing node sets the bad one aside',
      20_000,
    );
    // Several more steps run: none of them fails, anywhere.
    const runTime = () => computing!.page.evaluate(() => window.lattice!.pipeline!.status().pipeline?.runTimeS ?? 0);
    const since = await runTime();
    await waitUntil(async () => (await runTime()) >= since + 3, 'three more seconds of the run are computed', 20_000);
    for (const n of nodes) {
      const status = await n.page.evaluate(() => window.lattice!.pipeline!.status());
      expect(status.lastFault, `${n.handle.label}'s worker never failed`).toBeUndefined();
      expect(status.restarts).toBe(0);
    }
    expect((await aside(computing!)).find((e) => e.id === 't.bad')!.reason).toContain('too long to name its task');
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});
