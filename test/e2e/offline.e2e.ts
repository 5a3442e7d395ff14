/**
 * Offline: a node reloaded with no network and no signaling server starts from the service
 * worker's shell and IndexedDB, shows what it had and what it wrote offline, and those writes
 * reach the others when the network returns.
 */
import { expect, test } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { SignalingServer } from './signalingServer.js';
import { SIGNAL_PORT, freshRoom, newNodeContext, nodeUrl, openNode, openPage, pageHandle } from './nodes.js';

test('offline reload with the signaling server stopped, then the network returns', async ({ browser }) => {
  const signaling = new SignalingServer(SIGNAL_PORT + 50);
  await signaling.start();
  const room = freshRoom('offline');
  const options = { room, signaling: signaling.url };
  const b = await openNode(browser, { ...options, name: 'B' });
  const aContext = await newNodeContext(browser);
  try {
    let aPage = await openPage(aContext, { ...options, name: 'A' });
    let a = pageHandle('A', aPage);
    await a.create('before', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    await b.handle.create('from-b', 'asset', { position: { lat: 2, lon: 2, alt: 0 } });
    await waitUntil(async () => (await a.get('from-b')) !== undefined && (await b.handle.get('before')) !== undefined, 'A and B exchanged writes', 15_000);
    // The service worker must hold the shell before the network goes.
    await aPage.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await waitUntil(() => aPage.evaluate(() => navigator.serviceWorker.controller !== null || caches.keys().then((k) => k.length > 0)), 'the shell is cached', 10_000);

    await signaling.stop();
    await aPage.close();
    await aContext.setOffline(true);

    aPage = await aContext.newPage();
    const response = await aPage.goto(nodeUrl({ ...options, name: 'A' }));
    expect(response?.headers()['x-lattice-shell'], 'the shell came from the service worker cache').toBe('cache');
    await aPage.waitForFunction(() => window.lattice !== undefined, null, { timeout: 10_000 });
    await aPage.evaluate(() => window.lattice!.ready);
    a = pageHandle('A', aPage);
    expect(await a.get('before')).toBeDefined();
    expect(await a.get('from-b')).toBeDefined();
    expect((await a.status()).networkOnline).toBe(false);
    await a.create('written-offline', 'geo', { position: { lat: 3, lon: 3, alt: 0 } });
    await a.update('before', { threat: { level: 'medium' } });
    await b.handle.create('b-meanwhile', 'track', { position: { lat: 4, lon: 4, alt: 0 } });

    // Reload once more, still offline: what was written offline is kept too.
    await aPage.close();
    aPage = await openPage(aContext, { ...options, name: 'A' });
    a = pageHandle('A', aPage);
    expect(await a.get('written-offline')).toBeDefined();
    expect((await a.get('before'))?.components.threat).toEqual({ level: 'medium' });

    await aContext.setOffline(false);
    await signaling.start();
    await waitUntil(
      async () => (await b.handle.get('written-offline')) !== undefined && (await a.get('b-meanwhile')) !== undefined,
      'the offline writes reach B and B’s reach A',
      20_000,
    );
    await waitUntil(async () => (await a.digest()) === (await b.handle.digest()), 'A and B converge', 10_000);
  } finally {
    await Promise.all([aContext.close(), b.context.close()]);
    await signaling.stop();
  }
});
