/**
 * The pipeline in the real app, across nodes: it is computed by one node of the mesh, its
 * picture reaches every node, another node takes over when the computing one closes, and a
 * high threat goes through a human's approval to an intercept task.
 */
import { expect, test, type Page } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { freshRoom, openNode, type OpenNode } from './nodes.js';

const role = (page: Page) => page.evaluate(() => window.lattice!.pipeline!.status().pipeline?.role);
const fusedIds = (page: Page) =>
  page.evaluate(() =>
    window
      .lattice!.list('track')
      .filter((t) => t.components.source?.sensorType === 'fused')
      .map((t) => t.id)
      .sort(),
  );

async function openPair(browser: import('@playwright/test').Browser): Promise<[OpenNode, OpenNode]> {
  const room = freshRoom('pipeline');
  const a = await openNode(browser, { room, name: 'alpha' });
  const b = await openNode(browser, { room, name: 'bravo' });
  for (const n of [a, b]) await waitUntil(async () => (await n.handle.peers()).length === 1, `${n.handle.label} sees its peer`, 15_000);
  return [a, b];
}

test('one node computes, every node sees the fused picture, and another takes over when it closes', async ({ browser }) => {
  const [a, b] = await openPair(browser);
  try {
    await a.page.evaluate(() => window.lattice!.pipeline!.load('default', 7));
    await waitUntil(async () => (await fusedIds(a.page)).length >= 3, 'fused tracks appear', 30_000);
    await waitUntil(async () => (await fusedIds(b.page)).length >= 3, 'the other node sees them', 15_000);
    const roles = [await role(a.page), await role(b.page)].sort();
    expect(roles).toEqual(['computing', 'standby']);
    const [computing, other] = (await role(a.page)) === 'computing' ? [a, b] : [b, a];
    await computing.context.close();
    await waitUntil(async () => (await role(other.page)) === 'computing', 'the remaining node takes over', 30_000);
    const before = await other.page.evaluate(() => window.lattice!.node.store.now().wall);
    await waitUntil(
      async () => other.page.evaluate((t) => window.lattice!.list('track').some((e) => e.components.source?.sensorType === 'fused' && e.stamps.position!.wall > t), before),
      'it keeps the fused tracks moving',
      15_000,
    );
    await other.context.close();
  } finally {
    await Promise.all([a.context.close().catch(() => undefined), b.context.close().catch(() => undefined)]);
  }
});

test('a high threat waits for approval on every node, then an interceptor is tasked and flies', async ({ browser }) => {
  const [a, b] = await openPair(browser);
  try {
    await a.page.evaluate(() => window.lattice!.pipeline!.load('default', 7));
    await waitUntil(async () => (await b.page.evaluate(() => window.lattice!.approvals().length)) > 0, 'an approval request for a high threat reaches bravo', 45_000);
    const target = await b.page.evaluate(() => {
      const [first] = window.lattice!.approvals();
      window.lattice!.approve(first!.entityId);
      return first!.entityId;
    });
    expect(await a.page.evaluate((id) => window.lattice!.get(id)!.components.threat!.level, target)).toBe('high');
    await waitUntil(
      async () => a.page.evaluate((id) => window.lattice!.tasks().some((t) => t.targetId === id && t.status === 'executing'), target),
      'the intercept is tasked and executing',
      20_000,
    );
    const task = await b.page.evaluate((id) => window.lattice!.tasks().find((t) => t.targetId === id)!, target);
    expect(task.assetId).toMatch(/^scn\./);
    await waitUntil(async () => (await b.page.evaluate((id) => window.lattice!.get(id)?.components.taskCatalog ?? [], target)).includes('intercept'), 'intercept enters the catalog', 10_000);
    const trail = await b.page.evaluate((t) => window.lattice!.journal(t).map((e) => (e.entry.kind === 'task' ? e.entry.status : e.entry.kind)), task.id);
    expect(trail.slice(0, 4)).toEqual(['created', 'sent', 'acknowledged', 'executing']);
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
});
