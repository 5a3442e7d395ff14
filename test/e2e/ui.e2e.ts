/**
 * The operator UI on two real nodes (one browser context each, y-webrtc between them): a track
 * written on one appears on the other's map and can be clicked and inspected there; an approval
 * request reaches the other node's queue and is decided by keyboard; going offline from the
 * mesh panel cuts the node off and reconnecting brings it up to date.
 *
 * Needs the app boot (src/ui/main.ts) to call `mountApp(node)`.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { trackNumber } from '../../src/ui/trackName.js';

const SIGNAL_PORT = Number(process.env.LATTICE_TEST_SIGNAL_PORT ?? 4445);
let rooms = 0;

async function openNode(browser: Browser, room: string, name: string): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1400, height: 860 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${name}] page error: ${error.message}`));
  const params = new URLSearchParams({ room, name, signaling: `ws://127.0.0.1:${SIGNAL_PORT}`, open: '1' });
  await page.goto(`./?${params}`);
  await page.waitForFunction(() => (document.querySelector('lattice-app') as any)?.node !== undefined, null, { timeout: 15_000 });
  return page;
}

const peers = (page: Page) => page.evaluate(() => (document.querySelector('lattice-app') as any).node.status().peers.length as number);
const drawn = (page: Page) => page.evaluate(() => (document.querySelector('lattice-app') as any).shadowRoot.querySelector('lattice-map').tracks?.lastStats.total as number);

/** Where an entity is on the page (viewport coordinates), from the map's own projection. */
async function screenPoint(page: Page, lat: number, lon: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([la, lo]) => {
      const map = (document.querySelector('lattice-app') as any).shadowRoot.querySelector('lattice-map');
      const p = map.leaflet.latLngToContainerPoint([la, lo]);
      const box = map.leaflet.getContainer().getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    },
    [lat, lon] as const,
  );
}

test('a track written on one node is drawn, clicked and inspected on the other', async ({ browser }) => {
  const room = `ui-${process.pid}-${++rooms}`;
  const a = await openNode(browser, room, 'Alpha');
  const b = await openNode(browser, room, 'Bravo');
  await expect.poll(() => peers(b), { timeout: 20_000 }).toBe(1);
  await expect(b.locator('lattice-status-bar')).toContainText('Bravo');

  await a.evaluate(() =>
    (window as any).lattice.create('trk-e2e', 'track', {
      position: { lat: 57.3, lon: 18.9, alt: 4000 },
      velocity: { speed: 220, heading: 80 },
      classification: { label: 'military jet', confidence: 0.8 },
      threat: { level: 'high' },
      affiliation: { value: 'unknown' },
      source: { sensorId: 'fusion', sensorType: 'fused' },
    }),
  );
  await expect.poll(() => drawn(b), { timeout: 15_000 }).toBe(1);

  // A real click on Bravo's map selects the track; the inspector shows who wrote it.
  const at = await screenPoint(b, 57.3, 18.9);
  await b.mouse.click(at.x, at.y);
  const inspector = b.locator('lattice-inspector');
  await expect(inspector).toContainText('trk-e2e');
  await expect(inspector).toContainText('military jet');

  // An approval request written on Alpha reaches Bravo's queue; Bravo approves with the keyboard.
  const requestId = await a.evaluate(() => window.lattice!.requestApproval('trk-e2e', ['intercept'], 60_000));
  const row = b.locator('lattice-approval-queue li.request');
  await expect(row).toContainText(`${trackNumber('trk-e2e')} intercept · military jet`);
  const decision = b.evaluate(() => new Promise((resolve) => document.addEventListener('approval-decision', (e) => resolve((e as CustomEvent).detail), { once: true })));
  await row.focus();
  await b.keyboard.press('a');
  expect(await decision).toEqual({ entityId: 'trk-e2e', requestId, decision: 'approve' });
  // Written for the mesh: the request leaves Bravo's queue, and Alpha sees who approved it.
  await expect(row).toHaveCount(0);
  await expect.poll(() => a.evaluate(() => window.lattice!.approval('trk-e2e')?.decidedBy?.operator)).toBe('Bravo');
  // And Alpha's screen says so: the request left its queue for the history, with who decided.
  await expect(a.locator('lattice-approval-queue li.request')).toHaveCount(0);
  await a.getByRole('button', { name: /^Recent \(/ }).click();
  await expect(a.locator('lattice-approval-queue .history')).toContainText('approved by Bravo');

  // Bravo goes offline from the mesh panel, misses a track, and catches up on reconnecting.
  await b.getByRole('tab', { name: 'Mesh' }).click();
  await b.getByRole('button', { name: 'Go offline' }).click();
  await expect(b.locator('lattice-status-bar')).toContainText('OFFLINE');
  await expect.poll(() => peers(a), { timeout: 20_000 }).toBe(0);
  await a.evaluate(() => (window as any).lattice.create('trk-late', 'track', { position: { lat: 57.5, lon: 19.4, alt: 0 } }));
  expect(await drawn(b)).toBe(1);
  await b.getByRole('button', { name: 'Reconnect' }).click();
  await expect.poll(() => drawn(b), { timeout: 20_000 }).toBe(2);
  await expect(b.locator('lattice-mesh-panel')).toContainText('converged', { timeout: 20_000 });

  await a.context().close();
  await b.context().close();
});
