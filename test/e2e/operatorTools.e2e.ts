/**
 * Operator tools on real nodes (one browser context each, WebRTC between them), driven by
 * pointer and keys with controls found by role and name, outcomes checked on every node
 * (issue 15 §3 and §2):
 *
 * (a) a geo point placed and named on Alpha, then moved and dragged, appears and moves on Bravo and on a
 *     viewer, Charlie; a track's affiliation set on Alpha shows on both; the viewer sees the
 *     place, move and affiliation controls disabled with one line saying why;
 * (b) End run asks first (Escape keeps the run on every node, confirming ends it everywhere),
 *     and `lattice.pipeline.load()` refuses to replace another node's run without
 *     `{ replace: true }`, changing nothing on any node.
 */
import { expect, test, type Page } from '@playwright/test';
import { VIEWER_EDIT_NOTE } from '../../src/ui/roleText.js';
import { waitUntil } from '../peer/check.js';
import { freshRoom, openNode, type OpenNode } from './nodes.js';

const VIEWPORT = { width: 1280, height: 720 };

async function openMesh(browser: import('@playwright/test').Browser, nodes: Array<{ name: string; role?: 'viewer' }>): Promise<OpenNode[]> {
  const room = freshRoom('tools');
  const opened: OpenNode[] = [];
  for (const n of nodes) opened.push(await openNode(browser, { room, name: n.name, params: n.role ? { role: n.role } : {} }));
  for (const n of opened) {
    await n.page.setViewportSize(VIEWPORT);
    await waitUntil(async () => (await n.handle.peers()).length === nodes.length - 1, `${n.handle.label} sees the others`, 20_000);
  }
  return opened;
}

/** Viewport pixels of a place on the node's map, from the map's own projection. */
async function mapPoint(page: Page, lat: number, lon: number): Promise<{ x: number; y: number }> {
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

const geoPoints = (page: Page) => page.evaluate(() => window.lattice!.list('geo').map((g) => ({ id: g.id, name: g.components.classification?.label, lat: g.components.position!.lat, lon: g.components.position!.lon })));
const near = (a: number, b: number) => Math.abs(a - b) < 0.01;

test('a point placed, named and moved on one node, and an affiliation set there, show on every node; a viewer cannot', async ({ browser }) => {
  const nodes = await openMesh(browser, [{ name: 'Alpha' }, { name: 'Bravo' }, { name: 'Charlie', role: 'viewer' }]);
  const [alpha, bravo, charlie] = nodes as [OpenNode, OpenNode, OpenNode];
  try {
    // Something to frame the first view: a track and an asset, written on Bravo.
    await bravo.page.evaluate(() => {
      window.lattice!.create('trk-tools', 'track', { position: { lat: 57.6, lon: 18.8, alt: 5000 }, velocity: { speed: 200, heading: 270 } });
      window.lattice!.create('base-tools', 'asset', { position: { lat: 57.4, lon: 18.2, alt: 0 } });
    });
    for (const n of nodes) await waitUntil(async () => (await n.handle.ids()).length === 2, `${n.handle.label} has the picture`, 15_000);
    // The first view frames the picture once it arrives; aim after it settled.
    for (const n of nodes) {
      await waitUntil(
        () => n.page.evaluate(() => {
          const map = (document.querySelector('lattice-app') as any).shadowRoot.querySelector('lattice-map').leaflet;
          return map.getBounds().contains([57.6, 18.8]) && map.getBounds().contains([57.4, 18.2]) && map.getZoom() > 6;
        }),
        `${n.handle.label}'s map frames the picture`,
      );
    }

    // Alpha places a point with the pointer and names it with the keyboard.
    await alpha.page.getByRole('button', { name: 'Place point' }).click();
    const at = await mapPoint(alpha.page, 57.45, 18.5);
    await alpha.page.mouse.click(at.x, at.y);
    const name = alpha.page.getByRole('textbox', { name: 'Name' });
    await expect(name).toBeFocused();
    await name.fill('Landing zone');
    await alpha.page.keyboard.press('Enter');
    for (const n of nodes) {
      await waitUntil(
        async () => (await geoPoints(n.page)).some((g) => g.name === 'Landing zone' && near(g.lat, 57.45) && near(g.lon, 18.5)),
        `${n.handle.label} has the named point where it was placed`,
        15_000,
        async () => JSON.stringify(await geoPoints(n.page)),
      );
    }
    // Bravo's screen names it too: its track table lists it by name.
    await bravo.page.getByRole('tab', { name: 'Tracks' }).click();
    await expect(bravo.page.getByRole('grid', { name: 'Tracks' })).toContainText('Landing zone');

    // Alpha moves it: Move names the selected point, the next click is where it goes.
    await alpha.page.getByRole('button', { name: 'Move Landing zone' }).click();
    const to = await mapPoint(alpha.page, 57.55, 18.35);
    await alpha.page.mouse.click(to.x, to.y);
    for (const n of nodes) await waitUntil(async () => (await geoPoints(n.page)).some((g) => near(g.lat, 57.55) && near(g.lon, 18.35)), `${n.handle.label} has the point moved`, 15_000);

    // And drags it with the pointer to where it goes.
    await alpha.page.evaluate(() => (document.querySelector('lattice-app') as any).shadowRoot.querySelector('lattice-map').tracks.drawNow());
    const from = await mapPoint(alpha.page, 57.55, 18.35);
    const drop = await mapPoint(alpha.page, 57.5, 18.45);
    await alpha.page.mouse.move(from.x, from.y);
    await alpha.page.mouse.down();
    await alpha.page.mouse.move(drop.x, drop.y, { steps: 6 });
    await alpha.page.mouse.up();
    for (const n of nodes) await waitUntil(async () => (await geoPoints(n.page)).some((g) => near(g.lat, 57.5) && near(g.lon, 18.45)), `${n.handle.label} has the point dragged`, 15_000);

    // Alpha selects the track on the map and makes it hostile from the inspector.
    const track = await mapPoint(alpha.page, 57.6, 18.8);
    await alpha.page.mouse.click(track.x, track.y);
    const affiliation = alpha.page.getByRole('combobox', { name: 'Affiliation' });
    await expect(affiliation).toHaveValue('unknown');
    await affiliation.selectOption('hostile');
    for (const n of nodes) await waitUntil(async () => (await n.handle.get('trk-tools'))?.components.affiliation?.value === 'hostile', `${n.handle.label} sees it hostile`, 15_000);

    // Charlie, a viewer, sees the same, and no enabled control to change it, with the reason.
    await expect(charlie.page.getByRole('button', { name: 'Place point' })).toBeDisabled();
    await expect(charlie.page.getByRole('button', { name: 'Move point' })).toBeDisabled();
    await expect(charlie.page.getByText(VIEWER_EDIT_NOTE).first()).toBeVisible();
    const seen = await mapPoint(charlie.page, 57.6, 18.8);
    await charlie.page.mouse.click(seen.x, seen.y);
    await expect(charlie.page.getByRole('combobox', { name: 'Affiliation' })).toHaveValue('hostile');
    await expect(charlie.page.getByRole('combobox', { name: 'Affiliation' })).toBeDisabled();

    // Alpha measures from where the point was to the track with range rings on: range and bearing read out.
    await alpha.page.getByRole('button', { name: 'Range rings' }).click();
    await expect(alpha.page.getByRole('button', { name: 'Range rings' })).toHaveAttribute('aria-pressed', 'true');
    await alpha.page.getByRole('button', { name: 'Measure' }).click();
    for (const [lat, lon] of [[57.55, 18.35], [57.6, 18.8]] as const) {
      const p = await mapPoint(alpha.page, lat, lon);
      await alpha.page.mouse.click(p.x, p.y);
    }
    // 57.55 N 18.35 E to 57.6 N 18.8 E: about 27 km on a bearing of about 78°.
    await expect(alpha.page.getByRole('status').filter({ hasText: 'Range' })).toHaveText(/^Range 2\d\.\d km · 1\d\.\d NM, bearing 0[78]\d° \(back 2[56]\d°\)/);
    expect(await alpha.page.evaluate(() => (document.querySelector('lattice-app') as any).selectedId)).toBe('trk-tools');
    await alpha.page.screenshot({ path: 'scratch/tools-alpha.png' });
    await charlie.page.screenshot({ path: 'scratch/tools-viewer.png' });
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});

test('End run asks first on every node\'s behalf; a script cannot replace another node\'s run without { replace: true }', async ({ browser }) => {
  const nodes = await openMesh(browser, [{ name: 'Alpha' }, { name: 'Bravo' }]);
  const [alpha, bravo] = nodes as [OpenNode, OpenNode];
  const runId = (page: Page) => page.evaluate(() => window.lattice!.pipeline!.status().pipeline?.runId);
  try {
    await alpha.page.evaluate(() => window.lattice!.pipeline!.load('default', 7));
    for (const n of nodes) await waitUntil(async () => (await runId(n.page)) !== undefined, `${n.handle.label} knows the run`, 30_000);
    const first = await runId(alpha.page);

    // Bravo's script tries to load over Alpha's run: refused, with what to do, and nothing changes.
    const refused = await bravo.page.evaluate(() =>
      window.lattice!.pipeline!.load('hard', 3).then(
        () => 'loaded',
        (e: Error) => `${e.name}: ${e.message}`,
      ),
    );
    expect(refused).toMatch(/^StateError: The mesh's run .* loaded by another node; .*Nothing was loaded\. To replace it, call lattice\.pipeline\.load\(scenario, seed, \{ replace: true \}\)\.$/);
    for (const n of nodes) expect(await runId(n.page), n.handle.label).toBe(first);
    // Alpha may reload its own run without asking anyone.
    await alpha.page.evaluate(() => window.lattice!.pipeline!.load('default', 8));
    for (const n of nodes) await waitUntil(async () => (await runId(n.page)) !== first, `${n.handle.label} runs Alpha's reload`, 30_000);
    const second = await runId(alpha.page);
    // With { replace: true }, Bravo's script replaces it on every node.
    await bravo.page.evaluate(() => window.lattice!.pipeline!.load('hard', 3, { replace: true }));
    for (const n of nodes) await waitUntil(async () => (await runId(n.page)) !== second && (await n.page.evaluate(() => window.lattice!.pipeline!.status().pipeline?.scenario)) === 'hard', `${n.handle.label} runs Bravo's`, 30_000);

    // End run on Alpha asks; Escape keeps the run on every node.
    await alpha.page.getByRole('tab', { name: 'Pipeline' }).click();
    const end = alpha.page.getByRole('button', { name: 'End run' });
    await expect(end).toBeEnabled({ timeout: 30_000 });
    await end.click();
    const dialog = alpha.page.getByRole('dialog', { name: "End the mesh's run?" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Keep the current run' })).toBeFocused();
    await alpha.page.screenshot({ path: 'scratch/end-run-dialog.png' });
    await alpha.page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    const third = await runId(alpha.page);
    expect(third).toBeDefined();
    for (const n of nodes) expect(await n.page.evaluate(() => window.lattice!.node.doc.getMap('lattice.pipeline').get('run') as { stopped?: boolean } | undefined), n.handle.label).not.toMatchObject({ stopped: true });

    // Confirmed, the run ends on every node.
    await end.click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'End run' }).click();
    await expect(dialog).toHaveCount(0);
    for (const n of nodes) {
      await waitUntil(async () => (await n.page.evaluate(() => (window.lattice!.node.doc.getMap('lattice.pipeline').get('run') as { stopped?: boolean } | undefined)?.stopped)) === true, `${n.handle.label}: the run ended`, 15_000);
    }
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});
