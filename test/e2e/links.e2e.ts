/**
 * Links over WebRTC, each behaviour with a test that fails without it:
 *  - no glare: links closed by hand on both sides at once come back carrying data (liveness
 *    off, so only the rule that the smaller peer id offers can bring them back);
 *  - liveness replaces a link that stays open but delivers nothing;
 *  - (large messages in parts: the late-joiner scenario of the acceptance suite.)
 * And a wrong room password gives a clear message; tabs link over BroadcastChannel.
 */
import { expect, test, type Page } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { freshRoom, newNodeContext, openNode, openPage, pageHandle, type OpenNode } from './nodes.js';

async function openPair(browser: import('@playwright/test').Browser, params: Record<string, string> = {}): Promise<[OpenNode, OpenNode]> {
  const room = freshRoom('links');
  const a = await openNode(browser, { room, name: 'A', params });
  const b = await openNode(browser, { room, name: 'B', params });
  await waitDirect(a.page, b.page);
  return [a, b];
}

const webrtcPeers = (page: Page) => page.evaluate(() => window.lattice!.peers().filter((p) => p.link === 'webrtc').length);

async function waitDirect(...pages: Page[]): Promise<void> {
  for (const page of pages) await waitUntil(async () => (await webrtcPeers(page)) === 1, 'a direct WebRTC link is up', 15_000);
}

/** A write on `from` must reach `to`; with two nodes there is no other path than the link. */
async function flows(from: OpenNode, to: OpenNode, id: string, timeoutMs: number): Promise<void> {
  await from.handle.create(id, 'track', { position: { lat: 1, lon: 2, alt: 0 } });
  await waitUntil(async () => (await to.handle.get(id)) !== undefined, `${id} from ${from.handle.label} reaches ${to.handle.label}`, timeoutMs);
}

test('glare: after both ends re-announce at once, the new link carries data (watchdog off)', async ({ browser }) => {
  const [a, b] = await openPair(browser, { watchdog: '0' });
  try {
    for (let round = 0; round < 4; round++) {
      // Closing the peer connection by hand makes both ends re-announce together (glare).
      await a.page.evaluate(() => (window.lattice!.node as any).transport.dropLinks());
      await flows(a, b, `glare-a-${round}`, 8000);
      await flows(b, a, `glare-b-${round}`, 8000);
    }
    expect((await a.handle.status()).linkReplacements).toBe(0);
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
});

test('the watchdog replaces a link that stays open but delivers nothing', async ({ browser }) => {
  const [a, b] = await openPair(browser);
  try {
    // A stops hearing anything on its link to B, while the link itself stays "connected".
    await a.page.evaluate(() => {
      // Whatever arrives on A's links from now on goes nowhere, while the links stay open.
      const sessions = (window.lattice!.node as any).transport.sessions as Map<string, { link: { attach(h: unknown): void } }>;
      for (const s of sessions.values()) s.link.attach({ message: () => undefined, closed: () => undefined });
    });
    await flows(b, a, 'after-silence', 15_000);
    expect((await a.handle.status()).linkReplacements).toBeGreaterThanOrEqual(1);
    await flows(a, b, 'after-replacement', 8000);
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
});

test('a wrong room password gives a clear message; nodes with the same password sync', async ({ browser }) => {
  const room = freshRoom('password');
  const a = await openNode(browser, { room, name: 'A', params: { password: 'alpha' } });
  const c = await openNode(browser, { room, name: 'C', params: { password: 'alpha' } });
  const b = await openNode(browser, { room, name: 'B', params: { password: 'bravo' } });
  try {
    await flows(a, c, 'secret', 15_000);
    await waitUntil(async () => /password/.test((await b.handle.status()).problem ?? ''), 'B reports a password problem', 15_000);
    await expect(b.page.locator('lattice-status-bar')).toContainText('password');
    expect(await b.handle.get('secret')).toBeUndefined();
    expect((await b.handle.peers()).length).toBe(0);
  } finally {
    await Promise.all([a.context.close(), b.context.close(), c.context.close()]);
  }
});

test('tabs of one browser sync over BroadcastChannel with no server; each tab keeps its own node id across reloads', async ({ browser }) => {
  const context = await newNodeContext(browser);
  try {
    const options = { room: freshRoom('tabs'), signaling: 'none' };
    const first = await openPage(context, { ...options, name: 'Tab1' });
    const second = await openPage(context, { ...options, name: 'Tab2' });
    const [t1, id1] = [pageHandle('Tab1', first), await first.evaluate(() => window.lattice!.identity.nodeId)];
    let t2 = pageHandle('Tab2', second);
    const id2 = await second.evaluate(() => window.lattice!.identity.nodeId);
    expect(id2).not.toBe(id1);
    await t1.create('over-bc', 'track', { position: { lat: 5, lon: 6, alt: 0 } });
    await waitUntil(async () => (await t2.get('over-bc')) !== undefined, 'the write reaches the other tab', 10_000);
    await waitUntil(async () => (await t2.peers()).some((p) => p.name === 'Tab1' && p.link === 'broadcastchannel'), 'Tab2 sees Tab1 over BroadcastChannel', 10_000);
    expect((await t2.status()).signalingConnected).toBe(false);

    await second.reload();
    await second.waitForFunction(() => window.lattice !== undefined);
    await second.evaluate(() => window.lattice!.ready);
    t2 = pageHandle('Tab2', second);
    expect(await second.evaluate(() => window.lattice!.identity.nodeId)).toBe(id2);
    expect(await t2.get('over-bc')).toBeDefined();
  } finally {
    await context.close();
  }
});

test('rejected input is shown on the node', async ({ browser }) => {
  const [a, b] = await openPair(browser);
  try {
    await a.handle.inject([42, 0, 0]);
    await waitUntil(async () => (await b.handle.status()).rejectedMessages === 1, 'the node counts the message it rejected', 10_000);
    await b.page.getByRole('tab', { name: 'Mesh' }).click();
    await expect(b.page.locator('lattice-mesh-panel')).toContainText(/\b1 messages/);
    await flows(a, b, 'still-flowing', 8000);
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
});

test('after a reconnect the other node is listed as soon as the link is back, not after presence renews (15 s)', async ({ browser }) => {
  const [a, b] = await openPair(browser);
  // Links as the transport sees them, whatever presence says.
  const transportLinks = (page: Page) => page.evaluate(() => (window.lattice!.node as any).transport.links().length as number);
  try {
    for (let round = 0; round < 3; round++) {
      await b.handle.disconnect();
      await waitUntil(async () => (await b.handle.peers()).length === 0 && (await a.handle.peers()).length === 0, 'both forget each other', 10_000);
      await b.handle.connect();
      // How fast a link comes back is another matter (the watchdog's); this is about presence.
      await waitUntil(async () => (await transportLinks(a.page)) === 1 && (await transportLinks(b.page)) === 1, `round ${round}: the link is back`, 20_000);
      await waitUntil(
        async () => (await b.handle.peers()).length === 1 && (await a.handle.peers()).length === 1,
        `round ${round}: both list each other within 3 s of the link`,
        3_000,
        async () => JSON.stringify({ aPeers: await a.handle.peers(), bPeers: await b.handle.peers() }),
      );
    }
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
});
