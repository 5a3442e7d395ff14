/**
 * The TAK tab: a CoT file chosen on one node's screen puts its entities in the picture of
 * another node of the mesh; a bad file changes nothing and says why; export offers CoT and KML
 * files; a viewer cannot import. Found by role and accessible name, clicked with the pointer,
 * pressed with keys.
 */
import { sendKeys } from '@web/test-runner-commands';
import * as Y from 'yjs';
import { mountApp } from '../../src/ui/mountApp.js';
import { parseCot } from '../../src/peer/tak/index.js';
import type { TakExportDetail } from '../../src/ui/panels/TakPanel.js';
import { liveCapture } from '../peer/tak/cotSamples.js';
import { MemoryMesh, MemoryNode } from './MemoryNode.js';
import { check, checkEqual, cleanup, waitUntil } from './assert.js';
import { byRole, click, queryRole, squash } from './roles.js';

const BASEMAP = { land: { type: 'FeatureCollection' as const, features: [] }, borders: { type: 'MultiLineString' as const, coordinates: [] } };

/** Chooses `file` in a file input, as the browser does once a person picks one. */
function choose(input: HTMLInputElement, file: File): void {
  const files = new DataTransfer();
  files.items.add(file);
  input.files = files.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

async function openTak(node: MemoryNode) {
  const root = document.createElement('div');
  root.style.cssText = 'width:1300px;height:900px;';
  document.body.appendChild(root);
  const app = mountApp(node, root, { basemap: BASEMAP });
  await app.updateComplete;
  await click(byRole(app.shadowRoot!, 'tab', 'TAK'));
  await waitUntil(() => queryRole(app.shadowRoot!, 'button', 'CoT or KML file') !== undefined, 'the TAK tab shows its import');
  return app;
}

describe('TAK tab', () => {
  afterEach(cleanup);

  it('imports a CoT capture chosen on alpha; bravo shows the entities; the status says what happened', async () => {
    const mesh = new MemoryMesh();
    const alpha = new MemoryNode({ name: 'alpha' });
    const bravo = new MemoryNode({ name: 'bravo' });
    mesh.add(alpha);
    mesh.add(bravo);
    const app = await openTak(alpha);
    choose(byRole<HTMLInputElement>(app.shadowRoot!, 'button', 'CoT or KML file'), new File([liveCapture()], 'capture.cot', { type: 'application/xml' }));
    await waitUntil(() => queryRole(app.shadowRoot!, 'status', /capture\.cot/) !== undefined, 'the import is reported');
    checkEqual(squash(byRole(app.shadowRoot!, 'status', /capture\.cot/).textContent), 'capture.cot (CoT): 3 entities added.', 'what the import did');
    checkEqual(bravo.store.get('TRK-7f3a9c')?.components.affiliation?.value, 'hostile', 'the hostile track reached bravo');
    checkEqual(bravo.store.get('ANDROID-351811095448994')?.components.classification?.label, 'C0rv0', 'the ATAK user reached bravo by callsign');
    checkEqual(bravo.store.get('9405e320-9356-41c4-8449-f46990aa17f8')?.type, 'geo', 'the spot marker is a point on bravo');
  });

  it('a hostile file changes nothing and the alert says why', async () => {
    const alpha = new MemoryNode({ name: 'alpha' });
    alpha.store.create('keep', 'geo', { position: { lat: 1, lon: 1, alt: 0 } });
    const before = Y.encodeStateAsUpdate(alpha.doc);
    const app = await openTak(alpha);
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><event uid="&lol2;"/>';
    choose(byRole<HTMLInputElement>(app.shadowRoot!, 'button', 'CoT or KML file'), new File([bomb], 'bomb.cot'));
    await waitUntil(() => queryRole(app.shadowRoot!, 'alert', /bomb\.cot/) !== undefined, 'the refusal is shown');
    check(/bomb\.cot was not imported, nothing changed: .*document type/.test(squash(byRole(app.shadowRoot!, 'alert', /bomb\.cot/).textContent)), 'the alert names the file and the reason');
    check(Y.encodeStateAsUpdate(alpha.doc).every((b, i) => b === before[i]), 'the document is unchanged');
  });

  it('exports the picture as CoT with the pointer and as KML with the keyboard', async () => {
    const alpha = new MemoryNode({ name: 'alpha' });
    alpha.store.create('trk-1', 'track', { position: { lat: 50, lon: 1, alt: 3000 }, affiliation: { value: 'hostile' } });
    alpha.store.create('p1', 'geo', { position: { lat: 50.5, lon: 1.5, alt: 0 }, classification: { label: 'Rally', confidence: 1 } });
    const app = await openTak(alpha);
    const files: TakExportDetail[] = [];
    // Stands in for the browser's save: the panel lets a host that cancels the event save it.
    app.addEventListener('tak-export', (e) => {
      e.preventDefault();
      files.push(e.detail);
    });
    await click(byRole(app.shadowRoot!, 'button', 'Export CoT'));
    checkEqual(files.length, 1, 'one CoT file offered');
    checkEqual(parseCot(files[0]!.text).map((e) => `${e.uid} ${e.type}`).sort(), ['p1 b-m-p-s-m', 'trk-1 a-h-A'], 'both entities in CoT');
    byRole(app.shadowRoot!, 'button', 'Export KML').focus();
    await sendKeys({ press: 'Enter' });
    checkEqual(files.length, 2, 'Enter on Export KML offers the KML file');
    check(files[1]!.fileName.endsWith('.kml') && files[1]!.text.includes('<name>Rally</name>'), 'a KML file of the picture');
  });

  it('a viewer sees why it cannot import, and can still export', async () => {
    const viewer = new MemoryNode({ name: 'vic', role: 'viewer' });
    const app = await openTak(viewer);
    check(byRole<HTMLInputElement>(app.shadowRoot!, 'button', 'CoT or KML file').disabled, 'the file chooser is off for a viewer');
    check(squash(app.shadowRoot!.querySelector('lattice-tak-panel')!.shadowRoot!.textContent).includes('Viewer: you can watch'), 'and the panel says why');
    check(!byRole<HTMLButtonElement>(app.shadowRoot!, 'button', 'Export CoT').disabled, 'export stays on');
  });
});
