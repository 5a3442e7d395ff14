/**
 * The operator's tools, used as a person would (real pointer and keys, controls found by their
 * names) on an app over two in-memory nodes; what is written is checked on the other node:
 * measuring range and bearing, range rings, placing, naming and moving a geo point, setting a
 * track's affiliation, and a viewer who sees those controls disabled and why.
 */
import { sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import { mountApp } from '../../src/ui/mountApp.js';
import type { LatticeApp } from '../../src/ui/LatticeApp.js';
import type { LatticeMap } from '../../src/ui/map/LatticeMap.js';
import { rangeBearing } from '../../src/ui/rangeBearing.js';
import { VIEWER_EDIT_NOTE } from '../../src/ui/roleText.js';
import { MemoryMesh, MemoryNode } from './MemoryNode.js';
import { check, checkEqual, cleanup, nextFrame, waitUntil } from './assert.js';

async function setup(role: 'operator' | 'viewer' = 'operator') {
  await setViewport({ width: 1300, height: 800 });
  const mesh = new MemoryMesh();
  const ops = new MemoryNode({ nodeId: 'ops-1', name: 'Ops North', room: 'tools', role });
  const other = new MemoryNode({ nodeId: 'ops-2', name: 'Ops South', room: 'tools' });
  mesh.add(ops);
  mesh.add(other, 'broadcastchannel');
  // A track and an asset to frame the first view about (57.5 N, 18.5 E).
  other.store.create('trk-1', 'track', { position: { lat: 57.6, lon: 18.8, alt: 5000 }, velocity: { speed: 200, heading: 270 } });
  other.store.create('scn.base', 'asset', { position: { lat: 57.4, lon: 18.2, alt: 0 } });
  const root = document.createElement('div');
  root.style.cssText = 'position:fixed;left:0;top:0;width:1300px;height:800px;';
  document.body.appendChild(root);
  const app = mountApp(ops, root, { basemap: { land: { type: 'FeatureCollection', features: [] }, borders: { type: 'MultiLineString', coordinates: [] } } }) as LatticeApp;
  await app.updateComplete;
  const map = app.shadowRoot!.querySelector('lattice-map') as LatticeMap;
  await waitUntil(() => map.leaflet !== undefined && ops.store.has('trk-1') && (map.tracks?.size ?? 0) >= 2, 'the map shows the picture');
  // Leaflet learns its size from a resize observer: clicks are aimed once it knows it.
  const container = map.leaflet!.getContainer();
  await waitUntil(() => map.leaflet!.getSize().y === container.clientHeight && map.leaflet!.getSize().x === container.clientWidth, 'the map knows its size');
  await nextFrame();
  const mapRoot = map.shadowRoot!;
  const button = (name: string): HTMLButtonElement => {
    const found = [...mapRoot.querySelectorAll<HTMLButtonElement>('.tools button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent!.trim()) === name || b.textContent!.trim() === name);
    if (!found) throw new Error(`no map button "${name}"`);
    return found;
  };
  const status = () => mapRoot.querySelector('.tool-status')!.textContent!.trim();
  /** Viewport pixels of a place on the map. */
  const at = (lat: number, lon: number): [number, number] => {
    const p = map.leaflet!.latLngToContainerPoint([lat, lon]);
    const box = map.leaflet!.getContainer().getBoundingClientRect();
    return [Math.round(box.left + p.x), Math.round(box.top + p.y)];
  };
  const click = async (lat: number, lon: number) => {
    const [x, y] = at(lat, lon);
    await sendMouse({ type: 'move', position: [x, y] });
    await sendMouse({ type: 'click', position: [x, y] });
  };
  return { app, ops, other, map, mapRoot, button, status, at, click };
}

describe('map tools', () => {
  afterEach(async () => {
    await sendMouse({ type: 'move', position: [0, 0] });
    cleanup();
  });

  it('measures range and bearing between two clicked points; Escape clears it and keeps the selection', async () => {
    const { app, map, button, status, click } = await setup();
    app.selectedId = 'trk-1';
    await app.updateComplete;
    button('Measure').click();
    await map.updateComplete;
    check(status().startsWith('Measure: click the first point'), `asks for the first point: ${status()}`);
    checkEqual(button('Measure').getAttribute('aria-pressed'), 'true', 'pressed');
    await click(57.5, 18.3);
    await click(57.5, 18.9);
    await map.updateComplete;
    const m = map.tools.measuring!.measurement!;
    const want = rangeBearing({ lat: m.from.lat, lon: m.from.lng }, { lat: m.to.lat, lon: m.to.lng });
    check(Math.abs(want.distanceM - 36_000) < 1_500, `about 36 km apart: ${want.distanceM}`);
    check(/^Range 3\d\.\d km · 19\.\d NM, bearing 09\d° \(back 27\d°\)/.test(status()), `the readout: ${status()}`);
    checkEqual(app.selectedId, 'trk-1', 'the clicks measured, they did not select');
    await sendKeys({ press: 'Escape' });
    await map.updateComplete;
    checkEqual(status(), '', 'Escape cleared the measurement');
    checkEqual(app.selectedId, 'trk-1', 'and kept the selection');
  });

  it('measures from the keyboard: Enter at the map centre, arrows pan, Enter again', async () => {
    const { map, mapRoot, button, status } = await setup();
    button('Measure').focus();
    await sendKeys({ press: 'Enter' });
    await map.updateComplete;
    check(map.leaflet!.getContainer() === mapRoot.activeElement, 'the map has the keyboard');
    check(mapRoot.querySelector('.crosshair') !== null, 'a crosshair marks the centre');
    await sendKeys({ press: 'Enter' });
    await map.updateComplete;
    check(status().startsWith('From '), `first point set: ${status()}`);
    const before = map.leaflet!.getCenter();
    await sendKeys({ press: 'ArrowRight' });
    await waitUntil(() => map.leaflet!.getCenter().lng > before.lng + 1e-4, 'the arrow panned the map east');
    await map.updateComplete;
    check(/^From .*: Range .* bearing 09\d°/.test(status()), `the line follows the crosshair while the keys pan: ${status()}`);
    await sendKeys({ press: 'Enter' });
    await map.updateComplete;
    check(/^Range .* bearing 09\d°/.test(status()), `measured east of the first point: ${status()}`);
  });

  it('range rings: toggled on and off, around the defended assets', async () => {
    const { map, button } = await setup();
    checkEqual(button('Range rings').getAttribute('aria-pressed'), 'false', 'off at first');
    button('Range rings').click();
    await map.updateComplete;
    checkEqual(button('Range rings').getAttribute('aria-pressed'), 'true', 'on');
    checkEqual(map.tools.rangeRings!.assets, ['scn.base'], 'rings around the asset, none around the track');
    await waitUntil(() => map.shadowRoot!.querySelectorAll('.lm-ring-label').length === 4, 'four rings labelled');
    check([...map.shadowRoot!.querySelectorAll('.lm-ring-label')].map((l) => l.textContent).join(',') === '10 km,25 km,50 km,100 km', 'labelled by range');
    button('Range rings').click();
    await map.updateComplete;
    checkEqual(map.shadowRoot!.querySelectorAll('.lm-ring-label').length, 0, 'off again');
  });

  it('places a point where clicked, names it, and moves it; the other node sees each', async () => {
    const { app, other, map, mapRoot, button, click } = await setup();
    button('Place point').click();
    await map.updateComplete;
    await click(57.45, 18.5);
    await waitUntil(() => other.store.list('geo').length === 1, 'the point reached the other node');
    const point = () => other.store.list('geo')[0]!;
    check(Math.abs(point().components.position!.lat - 57.45) < 0.01 && Math.abs(point().components.position!.lon - 18.5) < 0.01, `where it was clicked: ${JSON.stringify(point().components.position)} ${map.leaflet!.getCenter()} ${map.leaflet!.getZoom()} ${JSON.stringify(map.leaflet!.getContainer().getBoundingClientRect())}`);
    checkEqual(app.selectedId, point().id, 'selected');
    // The keyboard is in the name field: type a name, Enter.
    await waitUntil(() => (app.shadowRoot!.querySelector('lattice-inspector')!.shadowRoot!.activeElement as HTMLInputElement | null)?.name === 'name', 'the name field has the keyboard');
    await sendKeys({ press: 'Control+A' });
    await sendKeys({ type: 'Landing zone' });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => point().components.classification?.label === 'Landing zone', 'the name reached the other node');
    // The Move button names the selected point once the map hears of the rename (a few times a second).
    await waitUntil(() => [...mapRoot.querySelectorAll('.tools button')].some((b) => b.getAttribute('aria-label') === 'Move Landing zone'), 'Move names the point');
    checkEqual(button('Move Landing zone').disabled, false, 'the selected point can be moved');
    button('Move Landing zone').click();
    await map.updateComplete;
    await click(57.55, 18.35);
    await waitUntil(() => Math.abs(point().components.position!.lat - 57.55) < 0.01 && Math.abs(point().components.position!.lon - 18.35) < 0.01, 'the move reached the other node');
  });

  it('drags a point to where it goes; the other node sees it, and the selection stays', async () => {
    const { app, ops, other, map, at } = await setup();
    other.store.create('geo.lz', 'geo', { position: { lat: 57.45, lon: 18.5, alt: 0 }, classification: { label: 'LZ', confidence: 1 } });
    await waitUntil(() => ops.store.has('geo.lz') && map.tracks!.position('geo.lz') !== undefined, 'the point is on the map');
    map.tracks!.drawNow();
    app.selectedId = 'trk-1';
    await app.updateComplete;
    const centre = map.leaflet!.getCenter();
    const [x0, y0] = at(57.45, 18.5);
    const [x1, y1] = at(57.52, 18.62);
    await sendMouse({ type: 'move', position: [x0, y0] });
    await sendMouse({ type: 'down' });
    for (let i = 1; i <= 5; i++) await sendMouse({ type: 'move', position: [Math.round(x0 + ((x1 - x0) * i) / 5), Math.round(y0 + ((y1 - y0) * i) / 5)] });
    await map.updateComplete;
    check(map.shadowRoot!.querySelector('.tool-status')!.textContent!.includes('Moving LZ: release where it goes'), 'says what is moving');
    await sendMouse({ type: 'up' });
    const p = () => other.store.get('geo.lz')!.components.position!;
    await waitUntil(() => Math.abs(p().lat - 57.52) < 0.01 && Math.abs(p().lon - 18.62) < 0.01, () => `the drop reached the other node: ${JSON.stringify(p())}`);
    checkEqual(map.leaflet!.getCenter(), centre, 'the map did not pan');
    await nextFrame();
    checkEqual(app.selectedId, 'trk-1', 'the drop selected nothing else');
  });

  it('a viewer cannot drag a point: the map pans instead', async () => {
    const { ops, other, map, at } = await setup('viewer');
    other.store.create('geo.lz', 'geo', { position: { lat: 57.45, lon: 18.5, alt: 0 } });
    await waitUntil(() => ops.store.has('geo.lz') && map.tracks!.position('geo.lz') !== undefined, 'the point is on the map');
    map.tracks!.drawNow();
    const [x0, y0] = at(57.45, 18.5);
    await sendMouse({ type: 'move', position: [x0, y0] });
    await sendMouse({ type: 'down' });
    for (let i = 1; i <= 5; i++) await sendMouse({ type: 'move', position: [x0 + 20 * i, y0 + 10 * i] });
    await sendMouse({ type: 'up' });
    await nextFrame();
    checkEqual(other.store.get('geo.lz')!.components.position, { lat: 57.45, lon: 18.5, alt: 0 }, 'the point stayed');
  });

  it('sets a track\'s affiliation from the inspector; the other node sees it', async () => {
    const { app, other } = await setup();
    app.selectedId = 'trk-1';
    await app.updateComplete;
    const inspector = app.shadowRoot!.querySelector('lattice-inspector')!;
    await inspector.updateComplete;
    const select = inspector.shadowRoot!.querySelector<HTMLSelectElement>('select[name=affiliation]')!;
    checkEqual(select.value, 'unknown', 'unknown at first');
    // The keyboard way: focus the select and type the first letter of "hostile".
    select.focus();
    await sendKeys({ press: 'h' });
    await waitUntil(() => other.store.get('trk-1')!.components.affiliation?.value === 'hostile', 'hostile on the other node');
  });

  it('a viewer sees placing, moving and affiliation disabled, with one line saying why, and writes nothing', async () => {
    const { app, ops, map, mapRoot, button, click } = await setup('viewer');
    check(button('Place point').disabled && button('Move point').disabled, 'place and move disabled');
    checkEqual(mapRoot.querySelector('.tool-note')!.textContent!.trim(), VIEWER_EDIT_NOTE, 'the map says why');
    check(!button('Measure').disabled && !button('Range rings').disabled, 'measuring and rings are for everyone');
    app.selectedId = 'trk-1';
    await app.updateComplete;
    const inspector = app.shadowRoot!.querySelector('lattice-inspector')!;
    await inspector.updateComplete;
    check(inspector.shadowRoot!.querySelector<HTMLSelectElement>('select[name=affiliation]')!.disabled, 'affiliation disabled');
    check(inspector.shadowRoot!.textContent!.includes(VIEWER_EDIT_NOTE), 'the inspector says why');
    button('Place point').click();
    await map.updateComplete;
    await click(57.45, 18.5);
    checkEqual(ops.store.list('geo').length, 0, 'nothing placed');
  });
});
