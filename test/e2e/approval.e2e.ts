/**
 * Human-on-the-loop approval across real nodes (one browser context each, WebRTC links):
 * a decision made on one node shows on the other; two operators deciding concurrently on
 * partitioned nodes converge after the heal to the same outcome (deny wins); a viewer cannot
 * decide and changes nothing.
 */
import { expect, test, type Page } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { freshRoom, openNode, type OpenNode } from './nodes.js';

const state = (page: Page, id: string) => page.evaluate((i) => window.lattice!.approval(i)?.state, id);

async function openMesh(browser: import('@playwright/test').Browser, extra: Array<{ name: string; role?: string }> = []): Promise<OpenNode[]> {
  const room = freshRoom('approval');
  const specs = [{ name: 'alpha' }, { name: 'bravo' }, ...extra];
  const nodes: OpenNode[] = [];
  for (const spec of specs) nodes.push(await openNode(browser, { room, name: spec.name, params: spec.role ? { role: spec.role } : {} }));
  for (const node of nodes) {
    await waitUntil(async () => (await node.handle.peers()).length === nodes.length - 1, `${node.handle.label} sees every other node`, 15_000);
  }
  return nodes;
}

async function highThreatRequest(a: OpenNode, others: OpenNode[]): Promise<string> {
  const requestId = await a.page.evaluate(() => {
    window.lattice!.create('trk-1', 'track', { position: { lat: 57.7, lon: 11.9, alt: 6_000 }, threat: { level: 'high' } });
    return window.lattice!.requestApproval('trk-1', ['intercept'], 120_000);
  });
  for (const node of others) await waitUntil(async () => (await state(node.page, 'trk-1')) === 'pending', `${node.handle.label} sees the request`, 10_000);
  return requestId;
}

test('a decision on one node shows on the other, with who decided', async ({ browser }) => {
  const [a, b] = await openMesh(browser);
  try {
    await highThreatRequest(a!, [b!]);
    const outcome = await b!.page.evaluate(() => window.lattice!.approve('trk-1'));
    expect(outcome.state).toBe('approved');
    await waitUntil(async () => (await state(a!.page, 'trk-1')) === 'approved', 'alpha sees the approval', 10_000);
    const seen = await a!.page.evaluate(() => window.lattice!.approval('trk-1')!);
    expect(seen.decidedBy?.operator).toBe('bravo');
    const nodeB = await b!.page.evaluate(() => window.lattice!.identity.nodeId);
    expect(seen.decisions.map((d) => d.at.node)).toEqual([nodeB]);
  } finally {
    await Promise.all([a!.context.close(), b!.context.close()]);
  }
});

test('two operators deciding concurrently on partitioned nodes converge after the heal: deny wins', async ({ browser }) => {
  const [a, b] = await openMesh(browser);
  try {
    await highThreatRequest(a!, [b!]);
    await a!.handle.disconnect();
    await waitUntil(async () => (await b!.handle.peers()).length === 0, 'bravo no longer hears alpha', 15_000);
    // Each side decides while cut off, and each sees its own decision stand.
    expect((await a!.page.evaluate(() => window.lattice!.approve('trk-1'))).state).toBe('approved');
    expect((await b!.page.evaluate(() => window.lattice!.deny('trk-1'))).state).toBe('denied');
    await a!.handle.connect();
    await waitUntil(async () => (await a!.handle.digest()) === (await b!.handle.digest()), 'both nodes converge after the heal', 15_000);
    expect(await state(a!.page, 'trk-1')).toBe('denied');
    expect(await state(b!.page, 'trk-1')).toBe('denied');
    // The audit trail keeps both decisions on both nodes.
    for (const node of [a!, b!]) {
      const kinds = await node.page.evaluate(() => window.lattice!.journal('trk-1').map((e) => (e.entry.kind === 'decision' ? e.entry.verdict : e.entry.kind)));
      expect(kinds.sort()).toEqual(['approve', 'deny', 'request']);
    }
  } finally {
    await Promise.all([a!.context.close(), b!.context.close()]);
  }
});

test('a viewer cannot decide, and nothing changes', async ({ browser }) => {
  const [a, b, viewer] = await openMesh(browser, [{ name: 'charlie', role: 'viewer' }]);
  try {
    await highThreatRequest(a!, [b!, viewer!]);
    const before = await viewer!.handle.digest();
    const error = await viewer!.page.evaluate(() => {
      try {
        window.lattice!.approve('trk-1');
        return 'no error';
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    });
    expect(error).toMatch(/PermissionError: Only an operator can approve a request; this node's role is viewer/);
    expect(await viewer!.handle.digest()).toBe(before);
    expect(await state(a!.page, 'trk-1')).toBe('pending');
  } finally {
    await Promise.all([a!.context.close(), b!.context.close(), viewer!.context.close()]);
  }
});
