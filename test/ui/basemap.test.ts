/**
 * The offline basemap: shapes that cross the antimeridian or circle a pole are drawn as what
 * they are (no seams across the world, land and sea the right way round), and finer Natural
 * Earth scales load only once the map zooms to where they add detail.
 */
import * as L from '../../src/ui/map/leaflet.js';
import { fetchBasemap, type Basemap } from '../../src/ui/map/basemap.js';
import { BasemapCanvas } from '../../src/ui/map/BasemapCanvas.js';
import { ringOf, WORLD } from '../../src/ui/map/basemapRings.js';
import { check, checkEqual, cleanup, waitUntil } from './assert.js';

function setup(basemap: Basemap, center: L.LatLngExpression, zoom: number) {
  const el = document.createElement('div');
  el.style.cssText = 'position:relative;width:1024px;height:700px;';
  document.body.appendChild(el);
  const map = L.map(el, { center, zoom, zoomAnimation: false, fadeAnimation: false, zoomSnap: 0.25 });
  const layer = new BasemapCanvas(map);
  layer.setBasemap(basemap);
  /** Opaque pixels of the basemap canvas in a (2r+1)² box at a place. */
  const paintAt = (lat: number, lon: number, r = 1): number => {
    const p = map.latLngToContainerPoint([lat, lon]);
    const { x, y } = layer.localPoint(p.x, p.y);
    const ratio = layer.canvas.width / parseFloat(layer.canvas.style.width);
    const size = 2 * r + 1;
    const data = layer.canvas.getContext('2d')!.getImageData(Math.round((x - r) * ratio), Math.round((y - r) * ratio), size, size).data;
    let opaque = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 40) opaque++;
    return opaque;
  };
  return { map, layer, paintAt };
}

/** Resolves after the layer has painted the current view. */
async function painted(layer: BasemapCanvas, scale: string | undefined): Promise<void> {
  layer.drawnScale = '';
  layer.requestDraw('view');
  await waitUntil(() => layer.drawnScale === scale, () => `the basemap painted at ${scale} (drawn: ${layer.drawnScale})`);
}

describe('offline basemap', () => {
  afterEach(cleanup);

  it('unwraps a ring that crosses the antimeridian into one shape, and closes a ring round a pole', () => {
    // An island astride 180°, given as the data has it: +179.9 … -179.9 … +179.9.
    const fiji = ringOf([[179.8, -16.4], [-179.9, -16.4], [-179.9, -16.6], [179.8, -16.6], [179.8, -16.4]]);
    check(fiji.maxX - fiji.minX < 1, `the island is a small shape, not a band across the world (${(fiji.maxX - fiji.minX).toFixed(1)} px wide)`);
    checkEqual(fiji.poleY, undefined, 'an ordinary ring');
    const antarctica = ringOf([[-180, -70], [-90, -75], [0, -70], [90, -72], [180, -70]]);
    checkEqual(antarctica.maxX - antarctica.minX, WORLD, 'a ring round the pole spans one world');
    checkEqual(antarctica.poleY, WORLD, 'closed along the south edge of the map');
  });

  it('draws the world with no seams at 65° N and 16.5° S, land as land and sea as sea', async () => {
    const basemap = await fetchBasemap('/node_modules/world-atlas/countries-110m.json', { scale: '1:110m' });
    const { map, layer, paintAt } = setup(basemap, [20, 0], 2);
    await painted(layer, '1:110m');
    // North of 65° N: Siberia is land, the Norwegian Sea is sea (they were swapped).
    check(paintAt(70, 100) > 0, 'Siberia (70° N 100° E) is drawn as land');
    check(paintAt(67, 100) > 0, 'Siberia (67° N 100° E) is drawn as land');
    checkEqual(paintAt(70, 0), 0, 'the Norwegian Sea (70° N 0°) is sea');
    checkEqual(paintAt(67, -30, 0), 0, 'the Denmark Strait (67° N 30° W) is sea');
    // The open Pacific and Atlantic on the latitudes where seams ran across the world.
    checkEqual(paintAt(-16.5, -120, 2), 0, 'no seam at 16.5° S in the Pacific');
    checkEqual(paintAt(-16.5, -20, 2), 0, 'no seam at 16.5° S in the Atlantic');
    checkEqual(paintAt(65.05, -170, 0) + paintAt(69, -10, 0), 0, 'no seam at 65° N or 69° N over the sea');
    // Shapes astride 180°: Chukotka's eastern tip and Antarctica are filled on both sides.
    check(paintAt(66, -173) > 0, "Chukotka's tip east of 180° is land");
    map.setView([-50, 0], 2, { animate: false });
    await painted(layer, '1:110m');
    check(paintAt(-80, 100) > 0 && paintAt(-80, -100) > 0, 'Antarctica is land all round the pole');
  });

  it('loads a finer scale only when the map zooms in to it, once, and draws the coarse one again when zoomed out', async () => {
    const coarse = await fetchBasemap('/node_modules/world-atlas/countries-110m.json');
    let loads = 0;
    const basemap: Basemap = {
      ...coarse,
      scale: 'coarse',
      finer: {
        minZoom: 5,
        load: async () => {
          loads++;
          return { ...(await fetchBasemap('/node_modules/world-atlas/countries-50m.json')), scale: 'fine' };
        },
      },
    };
    const { map, layer } = setup(basemap, [57, 18], 3);
    await painted(layer, 'coarse');
    checkEqual(loads, 0, 'nothing finer is fetched at the world view');
    map.setZoom(6, { animate: false });
    await waitUntil(() => layer.detailStatus === 'ready', 'the finer scale has loaded');
    await painted(layer, 'fine');
    checkEqual(loads, 1, 'loaded once');
    map.setZoom(3, { animate: false });
    await painted(layer, 'coarse');
    map.setZoom(7, { animate: false });
    await painted(layer, 'fine');
    checkEqual(loads, 1, 'still loaded once');
  });
});
