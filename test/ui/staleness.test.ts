/** Tracks the sensors stop updating are shown stale, then leave the picture; placed ones never age. */
import * as Y from 'yjs';
import * as L from '../../src/ui/map/leaflet.js';
import '../../src/ui/panels/EntityInspector.js';
import '../../src/ui/panels/TrackList.js';
import { EntityStore, type Components } from '../../src/crdt/index.js';
import { TrackCanvas } from '../../src/ui/map/TrackCanvas.js';
import { whenSymbolsLoaded } from '../../src/ui/map/SymbolCache.js';
import { GONE_AFTER_MS, STALE_AFTER_MS } from '../../src/ui/staleness.js';
import { check, checkEqual, cleanup, fixture } from './assert.js';

const fed = (lat: number, lon: number): Components => ({ position: { lat, lon, alt: 0 }, source: { sensorType: 'radar', sensorId: 'radar-1' }, fusion: { sourceIds: ['r.1'], confidence: 0.9, errorMajorM: 10, errorMinorM: 10, errorOrientationDeg: 0 } });
const placed = (lat: number, lon: number): Components => ({ position: { lat, lon, alt: 0 } });

function world() {
  let now = Date.now();
  const store = new EntityStore(new Y.Doc(), { node: 'stale-test', physicalNow: () => now });
  return {
    store,
    clock: () => now,
    advance: (ms: number) => (now += ms),
  };
}

describe('stale tracks', () => {
  before(() => whenSymbolsLoaded());
  afterEach(cleanup);

  it('on the map: dimmed and aged once silent, gone after the timeout, back when updated; placed tracks never age', () => {
    const w = world();
    const el = document.createElement('div');
    el.style.cssText = 'position:relative;width:800px;height:600px;';
    document.body.appendChild(el);
    const map = L.map(el, { center: [57, 19], zoom: 8, zoomAnimation: false, fadeAnimation: false });
    const layer = new TrackCanvas(map, { trailIntervalMs: 0, now: w.clock });
    w.store.create('fed', 'track', fed(57, 18.8));
    w.store.create('placed', 'track', placed(57, 19.2));
    for (const id of ['fed', 'placed']) layer.apply(id, w.store.get(id));
    layer.drawNow();
    checkEqual(layer.staleness('fed'), 'live', 'fresh');
    w.advance(STALE_AFTER_MS + 2000);
    layer.drawNow();
    checkEqual(layer.staleness('fed'), 'stale', 'silent past the interval');
    checkEqual(layer.staleness('placed'), 'live', 'a placed track does not age');
    w.advance(GONE_AFTER_MS);
    layer.drawNow();
    checkEqual(layer.staleness('fed'), undefined, 'left the picture');
    const p = map.latLngToContainerPoint([57, 18.8]);
    checkEqual(layer.hitTest(p.x, p.y), undefined, 'and cannot be clicked');
    checkEqual(layer.staleness('placed'), 'live', 'the placed one stays');
    w.store.update('fed', { position: { lat: 57, lon: 18.81, alt: 0 } });
    layer.apply('fed', w.store.get('fed'));
    layer.drawNow();
    checkEqual(layer.staleness('fed'), 'live', 'an update brings it back');
    layer.destroy();
    map.remove();
  });

  it('in the track list and the inspector: said in words, and gone ones are not listed', async () => {
    const w = world();
    w.store.create('silent', 'track', fed(1, 1));
    w.store.create('placed', 'track', placed(2, 2));
    w.advance(15_000);
    w.store.create('newer', 'track', fed(3, 3));
    const list = fixture('lattice-track-list', 500, 400);
    list.now = w.clock;
    list.entities = w.store.list('track');
    await list.updateComplete;
    const rows = () => [...list.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => tr.textContent!.replace(/\s+/g, ' ').trim());
    const row = (id: string) => rows().find((r) => r.includes(id));
    checkEqual(rows().length, 3, 'all three listed');
    check(row('silent')!.includes('stale') && row('silent')!.endsWith('15 s'), `the silent track is marked stale, 15 s old: ${row('silent')}`);
    check(!row('placed')!.includes('stale') && !row('newer')!.includes('stale'), 'the others are not');
    // 125 s after "silent" last moved, 110 s after "newer" did.
    w.advance(110_000);
    list.requestUpdate();
    await list.updateComplete;
    checkEqual(row('silent'), undefined, 'silent two minutes: it left the list');
    check(row('newer')!.includes('stale'), 'the newer one is stale now');
    check(row('placed') !== undefined && !row('placed')!.includes('stale'), 'the placed one stays, never stale');
    const inspector = fixture('lattice-inspector', 400, 400);
    inspector.clock = w.clock;
    inspector.entity = w.store.get('newer');
    await inspector.updateComplete;
    check(inspector.shadowRoot!.textContent!.includes('Stale: no update for'), 'the inspector says the track is stale');
    inspector.entity = w.store.get('silent');
    await inspector.updateComplete;
    check(inspector.shadowRoot!.textContent!.includes('Left the picture: no update for'), 'and that the silent one left the picture');
  });
});
