/**
 * TAK files on real nodes (issue 18 §3, from the UI): a CoT capture of real TAK messages chosen
 * in Alpha's TAK tab puts its entities in Bravo's picture over WebRTC; Bravo exports the picture
 * as a CoT file (a real download) that holds them; a hostile file changes nothing anywhere.
 * Controls are found by role and accessible name.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { parseCot } from '../../src/peer/tak/index.js';
import { waitUntil } from '../peer/check.js';
import { liveCapture } from '../peer/tak/cotSamples.js';
import { freshRoom, openNode, type OpenNode } from './nodes.js';

const UIDS = ['ANDROID-351811095448994', 'TRK-7f3a9c', '9405e320-9356-41c4-8449-f46990aa17f8'];

test('a CoT file imported in one node’s TAK tab shows on the other, which exports it back; a hostile file changes nothing', async ({ browser }) => {
  const room = freshRoom('tak');
  const nodes: OpenNode[] = [];
  try {
    nodes.push(await openNode(browser, { room, name: 'Alpha' }), await openNode(browser, { room, name: 'Bravo' }));
    const [alpha, bravo] = nodes as [OpenNode, OpenNode];
    for (const n of nodes) await waitUntil(async () => (await n.handle.peers()).length === 1, `${n.handle.label} sees the other`, 20_000);

    await alpha.page.getByRole('tab', { name: 'TAK' }).click();
    await alpha.page.getByLabel('CoT or KML file').setInputFiles({ name: 'capture.cot', mimeType: 'application/xml', buffer: Buffer.from(liveCapture()) });
    await expect(alpha.page.getByRole('status').filter({ hasText: 'capture.cot' })).toHaveText('capture.cot (CoT): 3 entities added.');

    await waitUntil(async () => (await bravo.handle.ids()).length === UIDS.length, 'Bravo has the three entities', 20_000);
    const hostile = await bravo.handle.get('TRK-7f3a9c');
    expect(hostile?.components.affiliation).toEqual({ value: 'hostile' });
    expect(hostile?.components.classification?.label).toBe('BANDIT 1');
    expect((await bravo.handle.get('9405e320-9356-41c4-8449-f46990aa17f8'))?.type).toBe('geo');

    await bravo.page.getByRole('tab', { name: 'TAK' }).click();
    const download = bravo.page.waitForEvent('download');
    await bravo.page.getByRole('button', { name: 'Export CoT' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^lattice-Bravo-\d{8}T\d{6}Z\.cot$/);
    const exported = parseCot(await readFile((await file.path())!, 'utf8'));
    expect(exported.map((e) => e.uid).sort()).toEqual([...UIDS].sort());
    expect(exported.find((e) => e.uid === 'TRK-7f3a9c')?.type).toBe('a-h-A');
    await bravo.page.screenshot({ path: test.info().outputPath('tak-tab.png') });

    const digests = await Promise.all(nodes.map((n) => n.handle.digest()));
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><event uid="&lol2;"/>';
    await alpha.page.getByLabel('CoT or KML file').setInputFiles({ name: 'bomb.cot', mimeType: 'application/xml', buffer: Buffer.from(bomb) });
    await expect(alpha.page.getByRole('alert').filter({ hasText: 'bomb.cot' })).toContainText('bomb.cot was not imported, nothing changed');
    expect(await Promise.all(nodes.map((n) => n.handle.digest()))).toEqual(digests);
  } finally {
    await Promise.all(nodes.map((n) => n.context.close()));
  }
});
