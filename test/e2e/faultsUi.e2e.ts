/**
 * Link faults from the Mesh tab on three real nodes (one browser context each, WebRTC between
 * them): alpha cuts bravo–charlie with pointer and keys; the cut is in force on both ends and
 * bravo's link to charlie carries nothing, yet bravo's write reaches charlie through alpha, and
 * bravo's Mesh tab shows the fault; charlie heals it from its own Mesh tab, and it is healed
 * everywhere.
 */
import { expect, test, type Page } from '@playwright/test';
import { freshRoom, openNode, type OpenNode } from './nodes.js';

/** Bravo's (or anyone's) direct link to the node named `name`, as `lattice.links()` reports it. */
const linkTo = (page: Page, name: string) => page.evaluate((n) => window.lattice!.links().find((l) => l.name === n), name);
const inForce = (page: Page) => page.evaluate(() => window.lattice!.faults.list().filter((f) => !f.healed).map((f) => f.spec));

async function openMeshTab(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Mesh' }).click();
  await expect(page.getByRole('button', { name: 'Cut', exact: true })).toBeVisible();
}

test('a cut set from one node’s Mesh tab is in force on the nodes it names, routes around, and heals from another’s', async ({ browser }) => {
  const room = freshRoom('faults-ui');
  const nodes: OpenNode[] = [];
  try {
    for (const name of ['alpha', 'bravo', 'charlie']) nodes.push(await openNode(browser, { room, name }));
    const [a, b, c] = nodes.map((n) => n.page) as [Page, Page, Page];
    // A full mesh first: every node linked directly to the other two, and alpha knows them all.
    for (const page of [a, b, c]) await expect.poll(() => page.evaluate(() => window.lattice!.links().filter((l) => l.verified).length), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => a.evaluate(() => window.lattice!.topology().nodes.length)).toBe(3);

    // On alpha: choose the two nodes by keyboard (type-ahead in a focused select), press Cut with the pointer.
    await openMeshTab(a);
    const first = a.getByRole('combobox', { name: /^First node/ });
    await first.focus();
    await a.keyboard.type('bravo');
    await expect(first).toHaveValue(await b.evaluate(() => window.lattice!.identity.nodeId));
    const second = a.getByRole('combobox', { name: /^Second node/ });
    await second.focus();
    await a.keyboard.type('charlie');
    await expect(second).toHaveValue(await c.evaluate(() => window.lattice!.identity.nodeId));
    await a.getByRole('button', { name: 'Cut', exact: true }).click();
    await expect(a.getByRole('list', { name: 'Link faults in force' })).toContainText('bravo ✕ charlie cut');
    await expect(a.getByRole('status').filter({ hasText: 'link fault' })).toHaveText('1 link fault in force');

    // In force on both ends; bravo's link to charlie is up but cut.
    for (const page of [b, c]) await expect.poll(() => inForce(page)).toEqual([expect.objectContaining({ kind: 'cut' })]);
    await expect.poll(async () => (await linkTo(b, 'charlie'))?.policy.cut).toBe(true);
    await expect.poll(async () => (await linkTo(c, 'bravo'))?.policy.cut).toBe(true);
    expect((await linkTo(b, 'alpha'))?.policy.cut).toBe(false);

    // A write on bravo still reaches charlie, through alpha; the direct link refused to carry it.
    await b.evaluate(() => window.lattice!.create('trk-around', 'track', { position: { lat: 57, lon: 18, alt: 0 } }));
    await expect.poll(() => c.evaluate(() => window.lattice!.get('trk-around')?.id), { timeout: 20_000 }).toBe('trk-around');
    await expect.poll(async () => (await linkTo(b, 'charlie'))?.faulted.cut ?? 0).toBeGreaterThan(0);

    // Bravo's Mesh tab shows the fault, and its status bar counts it.
    await openMeshTab(b);
    await expect(b.getByRole('list', { name: 'Link faults in force' })).toContainText('bravo ✕ charlie cut');
    await expect(b.locator('lattice-status-bar')).toContainText('Link faults');

    // Charlie heals it from its own tab, by keyboard.
    await openMeshTab(c);
    const heal = c.getByRole('button', { name: 'Heal bravo ✕ charlie cut' });
    await heal.focus();
    await c.keyboard.press('Enter');
    for (const page of [a, b, c]) await expect.poll(() => inForce(page)).toEqual([]);
    await expect.poll(async () => (await linkTo(b, 'charlie'))?.policy.cut).toBe(false);
    await expect.poll(async () => (await linkTo(c, 'bravo'))?.policy.cut).toBe(false);
    for (const page of [a, b]) await expect(page.getByRole('list', { name: 'Link faults in force' })).toHaveCount(0);
    await expect(a.getByText('No link faults')).toBeVisible();
    await expect(b.locator('lattice-status-bar')).not.toContainText('Link faults');
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});
