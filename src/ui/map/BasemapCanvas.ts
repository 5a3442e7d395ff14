/**
 * The offline basemap (land, coasts, borders) on a pane canvas, from geometry projected to Web
 * Mercator once when it is set. Leaflet's GeoJSON layers re-project all ~80,000 Natural Earth
 * 1:50m points on every zoom (about 40 ms a step here); this draws only the rings in view,
 * skipping points closer than a pixel to the previous one.
 */
import type * as L from './leaflet.js';
import type { Position } from 'geojson';
import type { Basemap } from './basemap.js';
import { PaneCanvas, type PaintView } from './PaneCanvas.js';
import { projectX, projectY } from './TrackState.js';

interface Ring {
  /** x, y pairs in zoom-0 Web Mercator pixels. */
  readonly coords: Float64Array;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

const LAND_FILL = '#172a38';
const COAST = '#3b5a70';
const BORDER = '#35536a';

function ring(points: readonly Position[]): Ring {
  const coords = new Float64Array(points.length * 2);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  points.forEach(([lon, lat], i) => {
    const x = projectX(lon!);
    const y = projectY(lat!);
    coords[i * 2] = x;
    coords[i * 2 + 1] = y;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  });
  return { coords, minX, minY, maxX, maxY };
}

/** Every linear ring of the land polygons (outer rings and holes). */
export function landRings(land: Basemap['land']): Ring[] {
  const out: Ring[] = [];
  const features = land.type === 'FeatureCollection' ? land.features : [land];
  for (const f of features) {
    const g = f.geometry;
    if (g?.type === 'Polygon') for (const r of g.coordinates) out.push(ring(r));
    else if (g?.type === 'MultiPolygon') for (const p of g.coordinates) for (const r of p) out.push(ring(r));
  }
  return out;
}

export class BasemapCanvas extends PaneCanvas {
  private land: Ring[] = [];
  private borders: Ring[] = [];
  private fill = true;

  constructor(map: L.Map) {
    super(map, 'lmBasemap', 350, 0);
    this.canvas.className = 'lm-basemap';
  }

  setBasemap(basemap: Basemap | undefined): void {
    this.land = basemap ? landRings(basemap.land) : [];
    this.borders = basemap ? basemap.borders.coordinates.map(ring) : [];
    this.requestDraw('view');
  }

  /** Whether land is filled (off while online tiles show beneath). */
  setFill(fill: boolean): void {
    if (fill === this.fill) return;
    this.fill = fill;
    this.requestDraw('view');
  }

  protected override paint(view: PaintView): void {
    const ctx = this.ctx;
    ctx.clearRect(0, 0, view.width, view.height);
    ctx.beginPath();
    const anyLand = this.trace(this.land, view, true);
    if (anyLand && this.fill) {
      ctx.fillStyle = LAND_FILL;
      ctx.fill('evenodd');
    }
    if (anyLand) {
      ctx.strokeStyle = COAST;
      ctx.lineWidth = 1;
      ctx.stroke();
    }
    ctx.beginPath();
    if (this.trace(this.borders, view, false)) {
      ctx.setLineDash([3, 3]);
      ctx.strokeStyle = BORDER;
      ctx.lineWidth = 0.8;
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  /** Adds the rings in view to the current path. Returns whether any was. */
  private trace(rings: readonly Ring[], { scale, ox, oy, width, height }: PaintView, closed: boolean): boolean {
    const ctx = this.ctx;
    let any = false;
    for (const r of rings) {
      if (r.maxX * scale - ox < 0 || r.minX * scale - ox > width || r.maxY * scale - oy < 0 || r.minY * scale - oy > height) continue;
      any = true;
      const c = r.coords;
      let lx = c[0]! * scale - ox;
      let ly = c[1]! * scale - oy;
      ctx.moveTo(lx, ly);
      const last = c.length - 2;
      for (let i = 2; i <= last; i += 2) {
        const x = c[i]! * scale - ox;
        const y = c[i + 1]! * scale - oy;
        // Points within a pixel of the last one drawn add nothing visible at this zoom.
        if (i !== last && Math.abs(x - lx) < 1 && Math.abs(y - ly) < 1) continue;
        ctx.lineTo(x, y);
        lx = x;
        ly = y;
      }
      if (closed) ctx.closePath();
    }
    return any;
  }
}
