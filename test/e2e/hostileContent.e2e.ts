/**
 * A faulty device and a modified client in the room, over WebRTC (the test drives the modified
 * page's internals with page.evaluate): content no honest node writes, and a clock an hour fast.
 * Each case checks what the honest nodes, and a node joining afterwards, end up with.
 */
import { expect, test, type Browser } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { freshRoom, newNodeContext, openNode, openPage, pageHandle, type OpenNode } from './nodes.js';

const LAYOUT = ['lattice.log', 'lattice.leases', 'lattice.pipeline'];

async function linkedTrio(nodes: OpenNode[]): Promise<void> {
  for (const n of nodes) await waitUntil(async () => (await n.handle.peers()).filter((p) => p.link !== 'relay').length === nodes.length - 1, `${n.handle.label} links to the others`, 20_000);
}

/** What a node's shared (mesh) document holds: its roots, and whether every log entry is a batch. */
function meshContents(n: OpenNode): Promise<{ roots: string[]; entries: number; allBatches: boolean; leaseKeys: number }> {
  return n.page.evaluate(() => {
    const doc = (window.lattice!.node as unknown as { uplink: { doc: import('yjs').Doc } }).uplink.doc;
    const log = doc.getArray('lattice.log').toArray();
    return { roots: [...doc.share.keys()], entries: log.length, allBatches: log.every((e) => Array.isArray(e) && typeof e[0] === 'string'), leaseKeys: doc.getMap('lattice.leases').size };
  });
}

test('content no honest node writes is refused whole and named; nothing of it is stored, and a node joining later reads every entry', async ({ browser }) => {
  test.setTimeout(90_000);
  const room = freshRoom('content');
  const nodes: OpenNode[] = [];
  for (const name of ['Honest-A', 'Honest-B', 'Mallory']) nodes.push(await openNode(browser, { room, name }));
  const [a, b, mallory] = nodes as [OpenNode, OpenNode, OpenNode];
  try {
    await linkedTrio(nodes);
    await a.handle.createMany('before', 40);
    await waitUntil(async () => (await b.handle.ids()).length === 40, 'B holds the first 40', 15_000);
    // Mallory's modified page writes, in a throwaway document of the same Yjs, what no honest
    // node writes, and sends each change straight onto its links as a sync update.
    const sent = await mallory.page.evaluate(() => {
      const node = window.lattice!.node as unknown as { uplink: { doc: import('yjs').Doc }; transport: { injectRaw(b: Uint8Array): void } };
      const Doc = node.uplink.doc.constructor as new () => import('yjs').Doc;
      const hostile = new Doc();
      const updates: Uint8Array[] = [];
      hostile.on('update', (u: Uint8Array) => updates.push(u));
      const log = hostile.getArray<unknown>('lattice.log');
      const stamp = window.lattice!.node.store.now();
      log.push(['not a batch', 42, { evil: true }]); // entries that are not batches
      log.push([[stamp, ['before1', 999, 'x']]]); // a batch with no readable write
      log.push([[stamp, ['before2']]]); // a write cut short
      hostile.getArray('lattice.noise').push([1, 2, 3]); // a root nobody reads
      hostile.getMap('lattice.leases').set('pipeline', { blob: 'x'.repeat(4096) }); // over the limit
      for (let i = 0; i < 40; i++) hostile.getMap('lattice.leases').set(`k${i}`, { i }); // endless keys
      const varUint = (n: number) => {
        const out: number[] = [];
        while (n > 0x7f) {
          out.push(0x80 | (n & 0x7f));
          n >>>= 7;
        }
        out.push(n);
        return out;
      };
      for (const u of updates) node.transport.injectRaw(Uint8Array.from([0, 2, ...varUint(u.length), ...u]));
      return updates.length;
    });
    // Honest writes go on, before and after.
    await a.handle.createMany('after', 40);
    for (const n of [a, b]) {
      await waitUntil(async () => ((await n.handle.status()).rejectedByPeer?.Mallory ?? 0) >= sent, `${n.handle.label} refused all ${sent} of Mallory's updates`, 10_000, async () => JSON.stringify((await n.handle.status()).rejectedByPeer));
      expect((await n.handle.status()).problem).toMatch(/^Mallory sent \d+ messages? this node refused.*Nothing of it was applied/);
      await waitUntil(async () => (await n.handle.ids()).length === 80, `${n.handle.label} holds all 80 honest entities`, 15_000);
      const stored = await meshContents(n);
      expect(stored.roots.every((r) => LAYOUT.includes(r)), `${n.handle.label} stores no root outside the layout: ${stored.roots.join(', ')}`).toBe(true);
      expect(stored.allBatches).toBe(true);
      expect(stored.leaseKeys).toBeLessThanOrEqual(1);
    }
    // The operator sees it on the status bar, in words.
    await expect(a.page.getByRole('alert').filter({ hasText: 'Mallory sent' }).first()).toBeVisible();
    // A node joining afterwards reads every entry, and nothing bad reaches it through honest nodes.
    const late = await openNode(browser, { room, name: 'Late' });
    nodes.push(late);
    await waitUntil(async () => (await late.handle.ids()).length === 80, 'the late node holds all 80', 20_000);
    expect(await late.handle.digest()).toBe(await a.handle.digest());
    expect((await late.handle.status()).rejectedMessages).toBe(0);
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});

/** A device whose clock runs `skewMs` fast (the page's Date.now), adjustable while it runs. */
async function openSkewedNode(browser: Browser, room: string, name: string, skewMs: number): Promise<OpenNode> {
  const context = await newNodeContext(browser);
  await context.addInitScript((skew) => {
    const real = Date.now.bind(Date);
    (window as unknown as { __skew: number }).__skew = skew;
    Date.now = () => real() + (window as unknown as { __skew: number }).__skew;
  }, skewMs);
  const page = await openPage(context, { room, name });
  return { context, page, handle: pageHandle(name, page) };
}

test('a device whose clock is an hour fast is fenced and says so; correct writes win on every node, and it rejoins once its clock is right', async ({ browser }) => {
  test.setTimeout(90_000);
  const room = freshRoom('clock');
  const nodes: OpenNode[] = [];
  for (const name of ['Honest-A', 'Honest-B']) nodes.push(await openNode(browser, { room, name }));
  const fast = await openSkewedNode(browser, room, 'Fast', 3_600_000);
  nodes.push(fast);
  const [a, b] = nodes as [OpenNode, OpenNode, OpenNode];
  try {
    await linkedTrio(nodes);
    await a.handle.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    await waitUntil(async () => (await fast.handle.get('t1')) !== undefined, 'the fast node has t1', 10_000);
    await waitUntil(async () => /clock is 3600 s ahead of its peers/.test((await fast.handle.status()).problem ?? ''), 'the fast node fences itself and says why', 15_000, async () => String((await fast.handle.status()).problem));
    await expect(fast.page.getByRole('alert').filter({ hasText: 'ahead of its peers' }).first()).toBeVisible();
    const refused = await fast.page.evaluate(() => {
      try {
        window.lattice!.update('t1', { position: { lat: 50, lon: 50, alt: 0 } });
        return 'written';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(refused).toBe('ClockFencedError');
    for (const n of [a, b]) expect((await n.handle.status()).problem ?? '').not.toMatch(/clock/);
    await b.handle.update('t1', { position: { lat: 2, lon: 2, alt: 0 } });
    for (const n of nodes) await waitUntil(async () => (await n.handle.get('t1'))?.components.position?.lat === 2, `${n.handle.label} shows B's write`, 10_000);
    // The clock is set right: the fence lifts by itself, and its writes count everywhere.
    await fast.page.evaluate(() => ((window as unknown as { __skew: number }).__skew = 0));
    await waitUntil(async () => !/clock/.test((await fast.handle.status()).problem ?? ''), 'the fence lifts once the clock agrees', 15_000);
    await fast.handle.update('t1', { position: { lat: 3, lon: 3, alt: 0 } });
    for (const n of nodes) await waitUntil(async () => (await n.handle.get('t1'))?.components.position?.lat === 3, `${n.handle.label} shows the corrected node's write`, 10_000);
    const late = await openNode(browser, { room, name: 'Late' });
    nodes.push(late);
    await waitUntil(async () => (await late.handle.get('t1'))?.components.position?.lat === 3, 'a node joining afterwards shows the same', 20_000);
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});
