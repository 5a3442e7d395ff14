import { mountApp } from '../../src/ui/mountApp.js';
import { isTileUrlTemplate } from '../../src/ui/map/LatticeMap.js';
import { MemoryNode } from './MemoryNode.js';
import { check, checkEqual, cleanup, waitUntil } from './assert.js';

const emptyBasemap = { land: { type: 'FeatureCollection' as const, features: [] }, borders: { type: 'MultiLineString' as const, coordinates: [] } };

describe('mountApp', () => {
  afterEach(cleanup);

  it('reuses the <lattice-app> already in the page, or creates one', async () => {
    const node = new MemoryNode({ name: 'Mounted' });
    const existing = document.createElement('lattice-app');
    document.body.appendChild(existing);
    const app = mountApp(node, document.body, { basemap: emptyBasemap });
    check(app === existing, 'reused');
    check(app.node === node, 'node set');
    cleanup();
    const root = document.createElement('section');
    document.body.appendChild(root);
    const created = mountApp(node, root, { basemap: emptyBasemap });
    check(created.parentElement === root, 'created inside root');
    await created.updateComplete;
    check(created.shadowRoot!.querySelector('lattice-status-bar') !== null, 'rendered');
  });

  it('accepts only http(s) tile templates, and offers them as a switchable layer', async () => {
    check(isTileUrlTemplate('https://tiles.example.org/{z}/{x}/{y}.png'), 'https template');
    check(!isTileUrlTemplate('javascript:alert(1)//{z}{x}{y}'), 'javascript: rejected');
    check(!isTileUrlTemplate('https://tiles.example.org/tile.png'), 'no placeholders rejected');
    check(!isTileUrlTemplate(42), 'not a string');
    const root = document.createElement('div');
    root.style.cssText = 'width:1000px;height:600px';
    document.body.appendChild(root);
    const bad = mountApp(new MemoryNode(), root, { basemap: emptyBasemap, tileUrl: 'file:///{z}/{x}/{y}' });
    checkEqual(bad.tileUrl, undefined, 'invalid template dropped');
    const app = mountApp(new MemoryNode(), root, { basemap: emptyBasemap, tileUrl: 'http://127.0.0.1:9/{z}/{x}/{y}.png' });
    await app.updateComplete;
    const map = app.shadowRoot!.querySelector('lattice-map')!;
    await map.updateComplete;
    const box = [...map.shadowRoot!.querySelectorAll('label')].find((l) => l.textContent!.includes('Online tiles'))?.querySelector('input');
    check(box !== undefined && box !== null, 'tile switch offered in the layer control');
    checkEqual(box!.checked, false, 'off by default: the offline basemap needs no network');
    const tileLayers = () => map.leaflet!.getContainer().querySelectorAll('.leaflet-tile-pane .leaflet-layer').length;
    checkEqual(tileLayers(), 0, 'no tiles yet');
    box!.click();
    await waitUntil(() => tileLayers() === 1, 'tile layer added');
    box!.click();
    await waitUntil(() => tileLayers() === 0, 'tile layer removed');
  });
});
