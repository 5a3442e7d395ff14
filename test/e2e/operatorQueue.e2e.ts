/**
 * The approval queue as an operator uses it, with pointer and keys, on three real nodes (one
 * browser context each): two operators and a viewer. Elements are found by role and accessible
 * name, and every outcome is checked on every node through `window.lattice`.
 *
 * (a) a new request is whole and decidable with 30 decisions in the open history, and the tabs
 *     below the queue do not move when it arrives;
 * (b) with several requests pending, ↓ then D denies the track the queue and inspector show;
 * (c) a viewer has no enabled decision control and is told why;
 * (d) focus stays in the queue after a decision, so the next key acts on the next request.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { trackNumber } from '../../src/ui/trackName.js';
import { waitUntil } from '../peer/check.js';
import { freshRoom, openNode, type OpenNode } from './nodes.js';

const VIEWPORT = { width: 1280, height: 720 };

async function openMesh(browser: Browser): Promise<{ alpha: OpenNode; bravo: OpenNode; viewer: OpenNode; all: OpenNode[] }> {
  const room = freshRoom('queue');
  const alpha = await openNode(browser, { room, name: 'Alpha' });
  const bravo = await openNode(browser, { room, name: 'Bravo' });
  const viewer = await openNode(browser, { room, name: 'Charlie', params: { role: 'viewer' } });
  const all = [alpha, bravo, viewer];
  for (const n of all) {
    await n.page.setViewportSize(VIEWPORT);
    await waitUntil(async () => (await n.handle.peers()).length === 2, `${n.handle.label} sees both others`, 20_000);
  }
  return { alpha, bravo, viewer, all };
}

/** Tracks and requests written by `page` (the way tasking writes them), deadlines in seconds. */
async function request(page: Page, tracks: ReadonlyArray<{ id: string; deadlineS: number }>): Promise<void> {
  await page.evaluate((list) => {
    const api = window.lattice!;
    for (const [i, t] of list.entries()) {
      if (!api.get(t.id)) {
        api.create(t.id, 'track', {
          position: { lat: 52.3 + i * 0.01, lon: 4.0 + i * 0.01, alt: 6000 },
          velocity: { speed: 220, heading: 90 },
          classification: { label: 'military jet', confidence: 0.8 },
          threat: { level: 'high' },
        });
      }
      api.requestApproval(t.id, ['intercept'], t.deadlineS * 1000);
    }
  }, tracks);
}

const pending = (page: Page) => page.evaluate(() => window.lattice!.approvals().map((a) => a.entityId).sort());
const stateOf = (page: Page, id: string) => page.evaluate((i) => window.lattice!.approval(i)?.state, id);
/** Where keyboard focus is, through the shadow roots: the queue card's entity, or a description. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const inQueue = (document.querySelector('lattice-app')?.shadowRoot?.querySelector('lattice-approval-queue')?.shadowRoot?.contains(el ?? null)) ?? false;
    return { inQueue, entity: (el as HTMLElement | null)?.dataset?.entity, tag: el?.tagName.toLowerCase() };
  });

const card = (page: Page, id: string) => page.getByRole('listitem', { name: new RegExp(`intercept on ${trackNumber(id)}`) });

test('a new request stays whole and decidable with 30 decisions in the history, and nothing moves', async ({ browser }) => {
  const { alpha, bravo, viewer, all } = await openMesh(browser);
  try {
    const old = Array.from({ length: 30 }, (_, i) => ({ id: `old-${i}`, deadlineS: 120 }));
    await request(alpha.page, old);
    for (const n of all) await waitUntil(async () => (await pending(n.page)).length === 30, `${n.handle.label} holds 30 requests`, 20_000);
    // Let every node's queue list them, then decide them all: 30 entries in every history.
    for (const n of all) await expect(n.page.getByRole('listitem', { name: /intercept on TN/ })).toHaveCount(30);
    await alpha.page.evaluate((ids) => ids.forEach((id) => window.lattice!.deny(id)), old.map((o) => o.id));
    for (const n of all) {
      const recent = n.page.getByRole('button', { name: 'Recent (30)' });
      await expect(recent).toBeVisible();
      await recent.click();
      await expect(recent).toHaveAttribute('aria-expanded', 'true');
      await expect(n.page.getByRole('list', { name: /Recent decisions/ }).getByRole('listitem')).toHaveCount(30);
    }
    const tabsBefore = await Promise.all(all.map((n) => n.page.getByRole('tab', { name: 'Inspector' }).boundingBox()));

    await request(alpha.page, [{ id: 'trk-new', deadlineS: 60 }]);
    for (const [i, n] of all.entries()) {
      const c = card(n.page, 'trk-new');
      await expect(c).toBeVisible();
      const box = (await c.boundingBox())!;
      expect(box.height, `${n.handle.label}: the card has its full height`).toBeGreaterThan(100);
      expect(box.y + box.height).toBeLessThanOrEqual(VIEWPORT.height);
      await expect(c).toBeInViewport({ ratio: 1 });
      expect(await n.page.getByRole('tab', { name: 'Inspector' }).boundingBox(), `${n.handle.label}: the tabs did not move`).toEqual(tabsBefore[i]);
      if (n === viewer) continue;
      for (const name of ['Approve', 'Deny']) {
        const button = c.getByRole('button', { name: new RegExp(`^${name} intercept on ${trackNumber('trk-new')}`) });
        await expect(button).toBeVisible();
        await expect(button).toBeEnabled();
        // Actionability without acting: the button itself would receive the click.
        await button.click({ trial: true });
      }
    }
    await card(bravo.page, 'trk-new').getByRole('button', { name: /^Approve/ }).click();
    for (const n of all) await waitUntil(async () => (await stateOf(n.page, 'trk-new')) === 'approved', `${n.handle.label} sees the approval`, 10_000);
    expect(await alpha.page.evaluate(() => window.lattice!.approval('trk-new')?.decidedBy?.operator)).toBe('Bravo');
  } finally {
    await Promise.all(all.map((n) => n.context.close()));
  }
});

test('↓ then D denies the track the queue selects and the inspector shows; focus stays in the queue; a viewer cannot decide', async ({ browser }) => {
  const { alpha, bravo, viewer, all } = await openMesh(browser);
  try {
    // Deadline order is the queue's order: trk-a, trk-b, trk-c.
    await request(alpha.page, [
      { id: 'trk-a', deadlineS: 90 },
      { id: 'trk-b', deadlineS: 100 },
      { id: 'trk-c', deadlineS: 110 },
    ]);
    for (const n of all) await expect(n.page.getByRole('listitem', { name: /intercept on TN/ })).toHaveCount(3);

    // (c) The viewer sees the requests, no enabled decision control, no key hints, and why.
    await expect(viewer.page.getByText('Viewer: you can watch but not decide or run the pipeline').first()).toBeVisible();
    const decisionButtons = viewer.page.getByRole('button', { name: /^(Approve|Deny)\b/ });
    for (const b of await decisionButtons.all()) await expect(b).toBeDisabled();
    await expect(viewer.page.locator('lattice-approval-queue kbd')).toHaveCount(0);
    await card(viewer.page, 'trk-a').click();
    await viewer.page.keyboard.press('d');
    await viewer.page.keyboard.press('a');

    // (b) Bravo clicks the first card, presses ↓ and sees trk-b selected in the inspector, then D.
    const bp = bravo.page;
    await card(bp, 'trk-a').getByText(/military jet/).first().click();
    await expect(bp.locator('lattice-inspector')).toContainText(trackNumber('trk-a'));
    await bp.keyboard.press('ArrowDown');
    await expect(card(bp, 'trk-b')).toBeFocused();
    await expect(card(bp, 'trk-b')).toHaveAttribute('aria-current', 'true');
    await expect(bp.locator('lattice-inspector')).toContainText(trackNumber('trk-b'));
    await expect(bp.locator('lattice-inspector')).toContainText('trk-b');
    await bp.keyboard.press('d');
    for (const n of all) {
      await waitUntil(async () => (await stateOf(n.page, 'trk-b')) === 'denied', `${n.handle.label} sees trk-b denied`, 10_000);
      const journal = await n.page.evaluate(() => window.lattice!.journal('trk-b').filter((e) => e.entry.kind === 'decision').map((e) => (e.entry.kind === 'decision' ? `${e.entry.verdict}:${e.entry.operator}` : '')));
      expect(journal, `${n.handle.label}: the journal holds Bravo's deny of trk-b`).toEqual(['deny:Bravo']);
      expect(await pending(n.page), `${n.handle.label}: the others still wait`).toEqual(['trk-a', 'trk-c']);
    }

    // (d) trk-b leaves Bravo's queue; focus lands on the request now in its place, and A acts on it.
    await expect(card(bp, 'trk-b')).toHaveCount(0);
    await expect.poll(() => focused(bp)).toEqual({ inQueue: true, entity: 'trk-c', tag: 'li' });
    await expect(bp.locator('lattice-inspector')).toContainText(trackNumber('trk-c'));
    await bp.keyboard.press('a');
    for (const n of all) await waitUntil(async () => (await stateOf(n.page, 'trk-c')) === 'approved', `${n.handle.label} sees trk-c approved`, 10_000);
    await expect.poll(() => focused(bp)).toEqual({ inQueue: true, entity: 'trk-a', tag: 'li' });
    // The viewer's key presses changed nothing: trk-a is still pending everywhere.
    for (const n of all) expect(await stateOf(n.page, 'trk-a')).toBe('pending');
  } finally {
    await Promise.all(all.map((n) => n.context.close()));
  }
});
