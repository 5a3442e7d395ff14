import * as Y from 'yjs';
import * as L from '../../src/ui/map/leaflet.js';
import { EntityStore, type Components } from '../../src/crdt/index.js';
import { TrackCanvas, symbolSizeFor } from '../../src/ui/map/TrackCanvas.js';
import { whenSymbolsLoaded } from '../../src/ui/map/SymbolCache.js';
import { displayKindOf, sidcOf } from '../../src/ui/map/symbology.js';
import { check, checkEqual, cleanup } from './assert.js';

function setup(width = 800, height = 600) {
  const el = document.createElement('div');
  el.style.cssText = `position:relative;width:${width}px;height:${height}px;`;
  document.body.appendChild(el);
  const map = L.map(el, { center: [57, 19], zoom: 8, zoomAnimation: false, fadeAnimation: false });
  const layer = new TrackCanvas(map, { trailIntervalMs: 0 });
  const store = new EntityStore(new Y.Doc(), { node: 'test' });
  const put = (id: string, components: Components) => {
    if (store.has(id)) store.update(id, components);
    else store.create(id, 'track', components);
    layer.apply(id, store.get(id));
  };
  const at = (lat: number, lon: number) => map.latLngToContainerPoint([lat, lon]);
  /** Opaque pixels in a (2r+1)² box around a point of the map container. */
  const alphaAt = (cx: number, cy: number, r = 0): number => {
    const { x, y } = layer.localPoint(cx, cy);
    const ratio = layer.canvas.width / parseFloat(layer.canvas.style.width);
    const size = 2 * r + 1;
    const data = layer.canvas.getContext('2d')!.getImageData(Math.round((x - r) * ratio), Math.round((y - r) * ratio), size, size).data;
    let opaque = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 40) opaque++;
    return opaque;
  };
  return { map, layer, store, put, at, alphaAt };
}

const fused = (lat: number, lon: number, extra: Components = {}): Components => ({
  position: { lat, lon, alt: 5000 },
  velocity: { speed: 200, heading: 90 },
  affiliation: { value: 'hostile' },
  threat: { level: 'high' },
  source: { sensorId: 'fusion', sensorType: 'fused' },
  fusion: { sourceIds: ['r.1', 'e.1'], confidence: 0.9, errorMajorM: 500, errorMinorM: 200, errorOrientationDeg: 30 },
  ...extra,
});
const radarPlot = (lat: number, lon: number): Components => ({
  position: { lat, lon, alt: 0 },
  source: { sensorId: 'radar-1', sensorType: 'radar' },
});

describe('TrackCanvas', () => {
  before(() => whenSymbolsLoaded());
  afterEach(cleanup);

  it('draws every track on one canvas, with no DOM marker per track, and caches symbol bitmaps', () => {
    const { layer, put, map } = setup();
    for (let i = 0; i < 300; i++) put(`t${i}`, fused(56.5 + (i % 20) * 0.05, 18 + Math.floor(i / 20) * 0.1));
    const stats = layer.drawNow();
    checkEqual(stats.drawn, 300, 'tracks drawn');
    checkEqual(map.getContainer().querySelectorAll('.leaflet-marker-icon, .leaflet-marker-pane *, .leaflet-overlay-pane svg').length, 0, 'DOM markers');
    checkEqual(map.getContainer().querySelectorAll('canvas').length, 1, 'canvases');
    check(layer.symbols.size <= 2, `300 identical tracks need one or two bitmaps, not ${layer.symbols.size}`);
  });

  it('puts a mark at each track position and removes it when the entity is deleted', () => {
    const { layer, put, at, alphaAt } = setup();
    put('a', fused(57, 19));
    layer.drawNow();
    const p = at(57, 19);
    check(alphaAt(p.x, p.y, 3) > 10, 'symbol pixels at the track position');
    const empty = at(57.5, 18.2);
    checkEqual(alphaAt(empty.x, empty.y, 3), 0, 'nothing where there is no track');
    layer.apply('a', undefined);
    layer.drawNow();
    checkEqual(alphaAt(p.x, p.y, 3), 0, 'nothing left after delete');
  });

  it('draws an intercept line from the asset to its target while the task is active', () => {
    const { layer, store, put, at, alphaAt } = setup();
    put('trk', fused(57, 20));
    store.create('jet', 'asset', { position: { lat: 57, lon: 18, alt: 0 }, affiliation: { value: 'friend' } });
    layer.apply('jet', store.get('jet'));
    const task = { kind: 'intercept', targetId: 'trk', assetId: 'jet', requestId: 'r1', status: 'executing' } as const;
    store.create('task.r1', 'task', { task });
    layer.apply('task.r1', store.get('task.r1'));
    layer.drawNow();
    const mid = at(57, 19);
    check(alphaAt(mid.x, mid.y, 2) > 0, 'line pixels half way between asset and target');
    store.update('task.r1', { task: { ...task, status: 'done_ok' } });
    layer.apply('task.r1', store.get('task.r1'));
    layer.drawNow();
    checkEqual(layer.interceptCount, 0, 'a finished task has no line');
    checkEqual(alphaAt(mid.x, mid.y, 2), 0, 'the line is gone');
  });

  it('draws fused tracks as framed symbols, larger than raw sensor plots', () => {
    const { layer, put, at, alphaAt } = setup();
    put('fused', fused(57, 18.5, { velocity: undefined }));
    put('plot', radarPlot(57, 19.5));
    layer.drawNow();
    const f = at(57, 18.5);
    const r = at(57, 19.5);
    const fusedInk = alphaAt(f.x, f.y, 12);
    const plotInk = alphaAt(r.x, r.y, 12);
    check(plotInk > 0, 'the plot is drawn');
    check(fusedInk > plotInk * 3, `a fused symbol (${fusedInk} px) stands out from a plot (${plotInk} px)`);
  });

  it('draws a heading vector ahead of the track and history dots behind it', () => {
    const { layer, put, at, alphaAt } = setup();
    const lat = 57;
    put('mover', fused(lat, 18.6, { threat: { level: 'none' } }));
    for (let k = 1; k <= 4; k++) put('mover', fused(lat, 18.6 + k * 0.1, { threat: { level: 'none' } }));
    checkEqual(layer.trailLength('mover'), 4, 'trail points kept');
    layer.drawNow();
    const now = at(lat, 19.0);
    const size = symbolSizeFor(8, 1);
    // Heading 090: the vector is east of the symbol; the trail runs west, back to 18.6°E.
    check(alphaAt(now.x + size * 0.55 + 8, now.y, 1) > 0, 'heading vector east of the symbol');
    // History dots at the earlier positions, none in between.
    for (const lon of [18.6, 18.7, 18.8]) {
      const back = at(lat, lon);
      check(alphaAt(back.x, back.y, 1) > 0, `history dot at ${lon}°E`);
    }
    const between = at(lat, 18.65);
    checkEqual(alphaAt(between.x, between.y, 1), 0, 'no dot between positions');
    check(alphaAt(now.x, now.y - 40, 2) === 0, 'nothing north of it');
  });

  it('hit-tests to the nearest mark, preferring a framed symbol over a plot beneath it', () => {
    const { layer, put, at } = setup();
    put('plot', radarPlot(57, 19));
    put('track', fused(57.0005, 19.0005));
    put('far', fused(56.5, 18));
    layer.drawNow();
    const p = at(57, 19);
    checkEqual(layer.hitTest(p.x, p.y), 'track', 'symbol wins over plot');
    const q = at(56.5, 18);
    checkEqual(layer.hitTest(q.x + 3, q.y - 2), 'far', 'near the far track');
    checkEqual(layer.hitTest(5, 5), undefined, 'empty corner');
  });
});

describe('symbology', () => {
  const view = (components: Components, type: 'track' | 'asset' = 'track') => {
    const store = new EntityStore(new Y.Doc(), { node: 'n' });
    store.create('x', type, components);
    return store.get('x')!;
  };

  it('chooses the 2525 identity from affiliation and threat', () => {
    check(sidcOf(view({ affiliation: { value: 'hostile' } })).startsWith('SHAP'), 'hostile');
    check(sidcOf(view({ affiliation: { value: 'friend' } })).startsWith('SFAP'), 'friend');
    check(sidcOf(view({ affiliation: { value: 'unknown' }, threat: { level: 'high' } })).startsWith('SSAP'), 'unknown + high threat is suspect');
    check(sidcOf(view({ affiliation: { value: 'unknown' }, threat: { level: 'low' } })).startsWith('SUAP'), 'unknown + low threat stays unknown');
    check(sidcOf(view({}, 'asset')).startsWith('SFAP'), 'assets default to friend');
    checkEqual(sidcOf(view({ classification: { label: 'civil aircraft', confidence: 1 } })), 'SUAPC----------', 'civil air track');
  });

  it('tells fused tracks from raw plots', () => {
    checkEqual(displayKindOf(view(fused(1, 1))), 'fused', 'fused');
    checkEqual(displayKindOf(view(radarPlot(1, 1))), 'plot', 'radar plot');
    checkEqual(displayKindOf(view({ position: { lat: 1, lon: 1, alt: 0 } }, 'asset')), 'symbol', 'asset');
  });
});
