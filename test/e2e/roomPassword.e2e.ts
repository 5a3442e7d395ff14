/**
 * A room password entered in the app, as a person would: a node opened without the password
 * says it cannot read the others; its operator types the password on the Mesh tab and presses
 * Enter; the page reopens with the password kept for the tab (not in the URL) and syncs.
 */
import { expect, test } from '@playwright/test';
import { waitUntil } from '../peer/check.js';
import { freshRoom, openNode, pageHandle } from './nodes.js';

test('a room password typed on the Mesh tab joins the protected room, and stays out of the URL', async ({ browser }) => {
  test.setTimeout(90_000);
  const room = freshRoom('typed-password');
  const a = await openNode(browser, { room, name: 'A', params: { password: 'alpha' } });
  const b = await openNode(browser, { room, name: 'B' });
  try {
    await a.handle.create('secret-track', 'track', { position: { lat: 1, lon: 2, alt: 0 } });
    await waitUntil(async () => /password/.test((await b.handle.status()).problem ?? ''), 'B says it cannot read the others', 20_000);
    await b.page.getByRole('tab', { name: 'Mesh' }).click();
    await b.page.getByLabel('Room password', { exact: true }).fill('alpha');
    await Promise.all([b.page.waitForEvent('load'), b.page.getByLabel('Room password', { exact: true }).press('Enter')]);
    await b.page.waitForFunction(() => window.lattice !== undefined);
    await b.page.evaluate(() => window.lattice!.ready);
    expect(new URL(b.page.url()).searchParams.get('password')).toBeNull();
    const reopened = pageHandle('B', b.page);
    await waitUntil(async () => (await reopened.get('secret-track')) !== undefined, 'B reads the protected room', 20_000);
    await b.page.getByRole('tab', { name: 'Mesh' }).click();
    await expect(b.page.getByText('A password entered in this tab is in use.')).toBeVisible();
  } finally {
    await Promise.all([a, b].map((n) => n.context.close()));
  }
});
