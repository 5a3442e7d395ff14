/**
 * Decluttering on the track canvas: marks that would crowd each other are drawn as one symbol
 * (the most important of them) with the count of the group; the selection is always drawn;
 * labels never cover each other; the layer switches hide kinds of mark.
 */
import * as Y from 'yjs';
import * as L from '../../src/ui/map/leaflet.js';
import { EntityStore, type Components } from '../../src/crdt/index.js';
import { TrackCanvas } from '../../src/ui/map/TrackCanvas.js';
import { whenSymbolsLoaded } from '../../src/ui/map/SymbolCache.js';
import { check, checkEqual, cleanup } from './assert.js';

function setup(zoom: number) {
  const el = document.createElement('div');
  el.style.cssText = 'position:relative;width:800px;height:600px;';
  document.body.appendChild(el);
  const map = L.map(el, { center: [57, 19], zoom, zoomAnimation: false, fadeAnimation: false });
  const layer = new TrackCanvas(map, { trailIntervalMs: 0 });
  const store = new EntityStore(new Y.Doc(), { node: 'test' });
  const put = (id: string, components: Components) => {
    store.create(id, 'track', components);
    layer.apply(id, store.get(id));
  };
  return { map, layer, put };
}

const track = (lat: number, lon: number, threat: 'none' | 'high' = 'none', label = 'civil aircraft'): Components => ({
  position: { lat, lon, alt: 5000 },
  velocity: { speed: 120, heading: 90 },
  classification: { label, confidence: 0.8 },
  threat: { level: threat },
  affiliation: { value: 'unknown' },
  source: { sensorId: 'fusion', sensorType: 'fused' },
});

/** 400 tracks on a 20 × 20 grid, 0.02° apart: a few pixels apart at zoom 7, far apart at 13. */
function grid(put: (id: string, c: Components) => void): void {
  for (let i = 0; i < 400; i++) put(`t${i}`, track(56.8 + Math.floor(i / 20) * 0.02, 18.8 + (i % 20) * 0.02, i === 210 ? 'high' : 'none'));
}

describe('decluttering', () => {
  before(() => whenSymbolsLoaded());
  afterEach(cleanup);

  it('draws one symbol per group of crowded tracks when zoomed out, and every track when zoomed in', () => {
    const { map, layer, put } = setup(7);
    grid(put);
    const wide = layer.drawNow();
    checkEqual(wide.framed, 400, 'all 400 tracks are in view');
    check(wide.symbols < 60, `crowded tracks are grouped: ${wide.symbols} symbols for 400 tracks`);
    check(wide.symbols > 0, 'groups are drawn');
    map.setView([57, 19], 13, { animate: false });
    const close = layer.drawNow();
    check(close.framed > 0, 'tracks in view when zoomed in');
    checkEqual(close.symbols, close.framed, 'zoomed in, every track is its own symbol');
  });

  it('lets the high-threat track stand for its group, and always draws the selected one', () => {
    const { map, layer, put } = setup(7);
    grid(put);
    layer.drawNow();
    const at = (id: string) => {
      const p = layer.position(id)!;
      return map.latLngToContainerPoint(p);
    };
    const high = at('t210');
    checkEqual(layer.hitTest(high.x, high.y), 't210', 'the high-threat track is drawn (it wins its group) and can be clicked');
    // t211 sits 0.02° east of it, in the same group at this zoom: hidden, until selected.
    const neighbour = at('t211');
    check(layer.hitTest(neighbour.x, neighbour.y) !== 't211', 'a grouped track is not drawn on its own');
    layer.setSelected('t211');
    const before = layer.lastStats.symbols;
    layer.drawNow();
    checkEqual(layer.lastStats.symbols, before + 1, 'the selected track is drawn as well as its group');
    checkEqual(layer.hitTest(neighbour.x, neighbour.y), 't211', 'and can be clicked');
  });

  it('leaves out a label that would cover another', () => {
    const { layer, put } = setup(12);
    // Two tracks side by side: far enough apart to be two symbols, too close for two labels
    // on the same side; a third far away.
    put('a', track(57, 19, 'none', 'first'));
    put('b', track(57.0015, 19.012, 'none', 'second'));
    put('c', track(57.03, 18.96, 'none', 'third'));
    const stats = layer.drawNow();
    checkEqual(stats.symbols, 3, 'three symbols');
    check(stats.labels >= 2 && stats.labels <= 3, `labels placed without overlap: ${stats.labels}`);
    // A row of symbols about 50 px apart with long names: each symbol is drawn, not every
    // name fits beside it.
    for (let i = 0; i < 10; i++) put(`r${i}`, track(57.02, 18.9 + i * 0.018, 'none', `a long track name number ${i}`));
    const crowded = layer.drawNow();
    checkEqual(crowded.symbols, 13, 'every symbol of the row drawn');
    check(crowded.labels < crowded.symbols, `names that would cover others are left out (${crowded.labels} of ${crowded.symbols})`);
  });

  it('hides tracks or raw plots when their layer is off', () => {
    const { layer, put } = setup(9);
    put('fused', track(57, 19));
    put('plot', { position: { lat: 57.05, lon: 19.05, alt: 0 }, source: { sensorId: 'radar-1', sensorType: 'radar' } });
    checkEqual(layer.drawNow().drawn, 2, 'both drawn');
    layer.setLayers({ tracks: false, plots: true, trails: true });
    checkEqual(layer.drawNow().drawn, 1, 'tracks off: only the plot');
    checkEqual(layer.lastStats.symbols, 0, 'no symbol');
    layer.setLayers({ tracks: true, plots: false, trails: true });
    checkEqual(layer.drawNow().drawn, 1, 'plots off: only the track');
    checkEqual(layer.lastStats.symbols, 1, 'its symbol');
  });
});
