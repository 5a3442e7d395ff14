/**
 * Node keys over WebRTC, in real browser profiles: two nodes link only once both proved their
 * keys, and each shows the other's fingerprint as verified on the Mesh tab; tabs of one profile
 * share their operator key and each has its own node key, kept across a reload.
 */
import { expect, test, type Page } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { freshRoom, newNodeContext, openNode, openPage } from './nodes.js';

const FINGERPRINT = /^[0-9A-F]{4}(-[0-9A-F]{4}){3}$/;
const keysOf = (page: Page) => page.evaluate(() => ({ self: window.lattice!.status().fingerprint, operator: window.lattice!.status().operatorFingerprint }));
const linkKeys = (page: Page) => page.evaluate(() => window.lattice!.links().map((l) => ({ verified: l.verified, fingerprint: l.fingerprint, kind: l.kind })));

test('two browsers link once both proved their keys, and the Mesh tab shows each key verified', async ({ browser }) => {
  const room = freshRoom('keys');
  const a = await openNode(browser, { room, name: 'A' });
  const b = await openNode(browser, { room, name: 'B' });
  try {
    const [ka, kb] = [await keysOf(a.page), await keysOf(b.page)];
    expect(ka.self).toMatch(FINGERPRINT);
    expect(kb.self).toMatch(FINGERPRINT);
    expect(ka.operator, 'two browser profiles, two operators').not.toBe(kb.operator);
    await waitUntil(async () => (await linkKeys(a.page)).some((l) => l.verified && l.kind === 'webrtc'), 'A verifies B over WebRTC', 15_000);
    await waitUntil(async () => (await linkKeys(b.page)).some((l) => l.verified), 'B verifies A', 15_000);
    expect((await linkKeys(a.page)).map((l) => l.fingerprint)).toEqual([kb.self]);
    expect((await linkKeys(b.page)).map((l) => l.fingerprint)).toEqual([ka.self]);
    await a.page.getByRole('tab', { name: 'Mesh' }).click();
    const panel = a.page.locator('lattice-mesh-panel');
    await expect(panel.locator('dd.key')).toContainText(ka.self!);
    await expect(panel.locator('lattice-topology-view td.key')).toContainText(`✓ verified ${kb.self}`);
    await a.page.screenshot({ path: 'test-results/keys-mesh-tab.png', fullPage: true });
    await a.handle.create('after-proof', 'track', { position: { lat: 1, lon: 2, alt: 0 } });
    await waitUntil(async () => (await b.handle.get('after-proof')) !== undefined, 'data flows on the verified link', 8000);
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
});

test('tabs of one profile share the operator key, each has its own node key, and a reload keeps it', async ({ browser }) => {
  const room = freshRoom('keys');
  const context = await newNodeContext(browser);
  try {
    const first = await openPage(context, { room, name: 'T1' });
    const second = await openPage(context, { room, name: 'T2' });
    const [k1, k2] = [await keysOf(first), await keysOf(second)];
    expect(k1.operator).toBe(k2.operator);
    expect(k1.self).not.toBe(k2.self);
    await waitUntil(async () => (await linkKeys(first)).some((l) => l.verified && l.fingerprint === k2.self), 'the tabs link and verify each other', 15_000);
    await first.reload();
    await first.waitForFunction(() => window.lattice !== undefined, null, { timeout: 10_000 });
    await first.evaluate(() => window.lattice!.ready);
    expect(await keysOf(first)).toEqual(k1);
    await waitUntil(async () => (await linkKeys(second)).some((l) => l.verified && l.fingerprint === k1.self), 'the reloaded tab proves the same key again', 15_000);
  } finally {
    await context.close();
  }
});
