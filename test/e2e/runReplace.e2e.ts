/**
 * Replacing the mesh's run, as operators do it with pointer and keys on real nodes (one browser
 * context each), outcomes checked on every node through `window.lattice` (issue 15 §2):
 *
 * (a) a scenario loaded on a node while it was offline replaces the run when it reconnects, and
 *     the replaced run's tracks leave every node (they stayed, frozen, before);
 * (b) a load over the running scenario asks first, in a dialog found by role and name; declining
 *     (Escape) changes nothing on any node, confirming (keys only) replaces the run once.
 */
import { expect, test, type Page } from '@playwright/test';
import { runTag, runTagOf } from '../../src/workers/runIds.js';
import { waitUntil } from '../peer/check.js';
import { freshRoom, openNode, type OpenNode } from './nodes.js';

const VIEWPORT = { width: 1280, height: 720 };
const REPLACE = "Replace the mesh's scenario?";

const runId = (page: Page) => page.evaluate(() => window.lattice!.pipeline!.status().pipeline?.runId);
const scenarioName = (page: Page) => page.evaluate(() => window.lattice!.pipeline!.status().pipeline?.scenario);
/** Every track on the node, with what a ghost check needs. */
const tracks = (page: Page) =>
  page.evaluate(() =>
    window.lattice!.list('track').map((t) => ({
      id: t.id,
      sensorType: t.components.source?.sensorType,
      written: Math.max(...Object.values(t.stamps).map((h) => h!.wall)),
    })),
  );
const fusedCount = async (page: Page) => (await tracks(page)).filter((t) => t.sensorType === 'fused').length;

async function openMesh(browser: import('@playwright/test').Browser, names: string[]): Promise<OpenNode[]> {
  const room = freshRoom('replace');
  const nodes: OpenNode[] = [];
  for (const name of names) nodes.push(await openNode(browser, { room, name }));
  for (const n of nodes) {
    await n.page.setViewportSize(VIEWPORT);
    await waitUntil(async () => (await n.handle.peers()).length === names.length - 1, `${n.handle.label} sees the others`, 20_000);
  }
  return nodes;
}

async function openTab(page: Page, name: 'Pipeline' | 'Mesh' | 'Tracks'): Promise<void> {
  await page.getByRole('tab', { name }).click();
  await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
}

/** Chooses a built-in scenario in the Pipeline tab and presses Load. */
async function pressLoad(page: Page, scenario: 'default' | 'hard'): Promise<void> {
  await openTab(page, 'Pipeline');
  await page.getByRole('combobox', { name: /^Scenario/ }).selectOption(scenario);
  await page.getByRole('button', { name: 'Load', exact: true }).click();
}

test('a scenario loaded offline replaces the run when its node reconnects, and the old run\'s tracks leave every node', async ({ browser }) => {
  const nodes = await openMesh(browser, ['Alpha', 'Bravo', 'Charlie']);
  const [alpha, , charlie] = nodes as [OpenNode, OpenNode, OpenNode];
  try {
    // Alpha starts the default scenario: nothing runs yet, so nothing to ask.
    await pressLoad(alpha.page, 'default');
    await expect(alpha.page.getByRole('dialog')).toHaveCount(0);
    for (const n of nodes) await waitUntil(async () => (await fusedCount(n.page)) >= 5, `${n.handle.label} sees the default run's tracks`, 60_000);
    const first = await runId(alpha.page);

    // Charlie goes offline and loads the hard scenario there; it asks, and says when it counts.
    await openTab(charlie.page, 'Mesh');
    await charlie.page.getByRole('button', { name: 'Go offline' }).click();
    await waitUntil(async () => (await charlie.handle.status()).state === 'offline', 'Charlie is offline');
    await pressLoad(charlie.page, 'hard');
    const dialog = charlie.page.getByRole('dialog', { name: REPLACE });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('This node is offline');
    await dialog.getByRole('button', { name: 'Replace' }).click();
    await expect(dialog).toHaveCount(0);
    await waitUntil(async () => (await scenarioName(charlie.page)) === 'hard', 'Charlie runs the hard scenario');
    const second = (await runId(charlie.page))!;
    const loadedAt = Date.now();

    // Both sides compute: the others go on writing the first run's tracks after Charlie's load
    // (those are the tracks that came back frozen after the heal).
    const others = nodes.filter((n) => n !== charlie);
    for (const n of others) {
      await waitUntil(async () => (await tracks(n.page)).filter((t) => t.sensorType === 'fused' && t.written > loadedAt + 3_000).length >= 5, `${n.handle.label} goes on with the first run`, 30_000);
    }
    await waitUntil(async () => (await fusedCount(charlie.page)) >= 3, 'Charlie computes the hard run', 60_000);
    const firstTracks = new Set((await tracks(alpha.page)).map((t) => t.id));
    expect(first).not.toBe(second);

    // Charlie reconnects: its later load is the mesh's run, and the first run's tracks leave.
    await openTab(charlie.page, 'Mesh');
    await charlie.page.getByRole('button', { name: 'Reconnect' }).click();
    for (const n of nodes) await waitUntil(async () => (await runId(n.page)) === second, `${n.handle.label} runs Charlie's scenario`, 30_000);
    const tag = runTag(second);
    for (const n of nodes) {
      await waitUntil(
        async () => {
          const now = await n.page.evaluate(() => window.lattice!.node.store.now().wall);
          const list = await tracks(n.page);
          const ghosts = list.filter((t) => firstTracks.has(t.id) || (runTagOf(t.id) !== undefined && runTagOf(t.id) !== tag) || t.sensorType === undefined || now - t.written > 15_000);
          return ghosts.length === 0 && list.filter((t) => t.sensorType === 'fused').length >= 5;
        },
        `${n.handle.label} holds only the hard run's live tracks`,
        30_000,
        async () => JSON.stringify((await tracks(n.page)).filter((t) => runTagOf(t.id) !== tag).slice(0, 5)),
      );
    }
    await waitUntil(async () => new Set(await Promise.all(nodes.map((n) => n.handle.digest()))).size === 1, 'every node holds the same picture', 30_000);
    // What an operator sees: the track list of every node has the new run's tracks, none of the
    // old run's, and none stale (a frozen ghost shows as stale before it leaves the list).
    for (const n of nodes) {
      await openTab(n.page, 'Tracks');
      const rows = n.page.getByRole('grid', { name: 'Tracks' }).locator('tbody').getByRole('row');
      await expect.poll(async () => (await rows.allTextContents()).filter((t) => t.includes('stale') || [...firstTracks].some((id) => t.includes(id))), { message: `${n.handle.label}'s track list` }).toEqual([]);
      expect(await rows.count()).toBeGreaterThanOrEqual(5);
    }
    await openTab(alpha.page, 'Pipeline');
    await alpha.page.screenshot({ path: 'scratch/ghosts-left.png' });
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});

test('loading over the running scenario asks first: Escape changes nothing on any node, confirming with keys replaces it once', async ({ browser }) => {
  const nodes = await openMesh(browser, ['Alpha', 'Bravo']);
  const [alpha, bravo] = nodes as [OpenNode, OpenNode];
  try {
    await pressLoad(alpha.page, 'default');
    for (const n of nodes) await waitUntil(async () => (await scenarioName(n.page)) === 'default', `${n.handle.label} runs the default scenario`, 30_000);
    const first = await runId(alpha.page);
    // Every write of the run entry reaching each node, from now on.
    for (const n of nodes) {
      await n.page.evaluate(() => {
        const w = window as unknown as { runWrites: number };
        w.runWrites = 0;
        window.lattice!.node.doc.getMap('lattice.pipeline').observe(() => w.runWrites++);
      });
    }

    await openTab(bravo.page, 'Pipeline');
    await bravo.page.getByRole('combobox', { name: /^Scenario/ }).selectOption('hard');
    await bravo.page.getByRole('button', { name: 'Load', exact: true }).focus();
    await bravo.page.keyboard.press('Enter');
    const dialog = bravo.page.getByRole('dialog', { name: REPLACE });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('“default” is running');
    await expect(dialog.getByRole('button', { name: 'Keep the current run' })).toBeFocused();
    await bravo.page.screenshot({ path: 'scratch/replace-dialog.png' });
    await bravo.page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(bravo.page.getByRole('button', { name: 'Load', exact: true })).toBeFocused();

    // Again, and this time Tab to Replace and press Enter.
    await bravo.page.keyboard.press('Enter');
    await expect(dialog).toBeVisible();
    await bravo.page.keyboard.press('Tab');
    await expect(dialog.getByRole('button', { name: 'Replace' })).toBeFocused();
    await bravo.page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    for (const n of nodes) await waitUntil(async () => (await scenarioName(n.page)) === 'hard', `${n.handle.label} runs the hard scenario`, 30_000);
    expect(await runId(alpha.page)).not.toBe(first);
    // One write of the run on each node: the declined load wrote nothing.
    for (const n of nodes) expect(await n.page.evaluate(() => (window as unknown as { runWrites: number }).runWrites), n.handle.label).toBe(1);
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});
