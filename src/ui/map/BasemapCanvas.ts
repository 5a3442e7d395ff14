/**
 * The offline basemap (land, coasts, borders) on a pane canvas, from geometry projected to Web
 * Mercator once when it arrives. Leaflet's GeoJSON layers re-project every Natural Earth point
 * on every zoom (about 40 ms a step at 1:50m); this draws only the rings in view, skipping
 * points closer than a pixel to the previous one and runs of points beyond one edge of the
 * view.
 *
 * Scales: the basemap given is the coarsest; when the view zooms to where a finer one adds
 * detail (`Basemap.finer`), that one is loaded once and drawn from then on at those zooms.
 */
import type * as L from './leaflet.js';
import type { Basemap } from './basemap.js';
import { PaneCanvas, type PaintView } from './PaneCanvas.js';
import { WORLD, borderLines, landRings, type Ring } from './basemapRings.js';

const LAND_FILL = '#172a38';
const COAST = '#3b5a70';
const BORDER = '#35536a';
/** How far beyond the canvas a point still counts as in view (CSS px). */
const MARGIN = 8;

interface Level {
  readonly basemap: Basemap;
  readonly minZoom: number;
  readonly land: readonly Ring[];
  readonly borders: readonly Ring[];
}

export type BasemapDetailStatus = 'none' | 'loading' | 'ready' | 'failed';

export class BasemapCanvas extends PaneCanvas {
  private levels: Level[] = [];
  /** The finer level being fetched, if any, and the basemap it was asked for. */
  private loading: Promise<void> | undefined;
  private failed = false;
  private fill = true;
  private shown = true;
  /** The scale drawn by the last paint (tests and the layer control read it). */
  drawnScale: string | undefined;
  /** Whether the last paint drew the finest scale its zoom asks for (the bench waits for it). */
  complete = false;

  constructor(
    map: L.Map,
    /** Told when a finer basemap could not be loaded (the coarser one stays). */
    private readonly onError: (error: unknown) => void = (error) => console.error(error),
  ) {
    super(map, 'lmBasemap', 350, 0);
    this.canvas.className = 'lm-basemap';
  }

  setBasemap(basemap: Basemap | undefined): void {
    if (basemap === this.levels[0]?.basemap) return;
    this.levels = basemap ? [levelOf(basemap, 0)] : [];
    this.loading = undefined;
    this.failed = false;
    this.requestDraw('view');
  }

  /** Whether land is filled (off while online tiles show beneath). */
  setFill(fill: boolean): void {
    if (fill === this.fill) return;
    this.fill = fill;
    this.requestDraw('view');
  }

  /** Shows or hides the whole basemap (the layer control). */
  setShown(shown: boolean): void {
    if (shown === this.shown) return;
    this.shown = shown;
    this.canvas.style.visibility = shown ? '' : 'hidden';
    this.requestDraw('view');
  }

  /** Where loading the next finer basemap stands (tests read it). */
  get detailStatus(): BasemapDetailStatus {
    if (this.failed) return 'failed';
    if (this.loading) return 'loading';
    return this.levels.length > 1 ? 'ready' : 'none';
  }

  protected override paint(view: PaintView): void {
    const ctx = this.ctx;
    ctx.clearRect(0, 0, view.width, view.height);
    const level = this.levelFor(view.zoom);
    this.drawnScale = level?.basemap.scale;
    this.complete = level !== undefined && !this.loading;
    if (!level || !this.shown) return;
    ctx.beginPath();
    if (this.fill && this.trace(level.land, view, 'fill')) {
      ctx.fillStyle = LAND_FILL;
      ctx.fill('evenodd');
    }
    // The coast is stroked apart from the fill: a ring closed along the map's edge round a
    // pole would otherwise show its closing line.
    ctx.beginPath();
    if (this.trace(level.land, view, 'stroke')) {
      ctx.strokeStyle = COAST;
      ctx.lineWidth = 1;
      ctx.stroke();
    }
    ctx.beginPath();
    if (this.trace(level.borders, view, 'open')) {
      ctx.setLineDash([3, 3]);
      ctx.strokeStyle = BORDER;
      ctx.lineWidth = 0.8;
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  /** The finest loaded level for a zoom; starts loading the next one when the zoom needs it. */
  private levelFor(zoom: number): Level | undefined {
    let level: Level | undefined;
    for (const l of this.levels) if (l.minZoom <= zoom) level = l;
    const deepest = this.levels[this.levels.length - 1];
    const finer = deepest?.basemap.finer;
    if (finer && zoom >= finer.minZoom && !this.loading && !this.failed) {
      const levels = this.levels;
      this.loading = finer.load().then(
        (basemap) => {
          // The basemap was replaced while this one loaded: it belongs to nothing drawn.
          if (this.levels !== levels) return;
          this.levels = [...levels, levelOf(basemap, finer.minZoom)];
          this.loading = undefined;
          this.requestDraw('view');
        },
        (error: unknown) => {
          if (this.levels !== levels) return;
          this.loading = undefined;
          this.failed = true;
          this.onError(error);
        },
      );
    }
    return level;
  }

  /**
   * Adds the rings in view to the current path, once per world copy they appear in. Returns
   * whether any was. `fill` closes rings (round a pole along the map's edge), `stroke` closes
   * only ordinary rings, `open` closes none.
   */
  private trace(rings: readonly Ring[], view: PaintView, mode: 'fill' | 'stroke' | 'open'): boolean {
    const { scale, ox, width, height, oy } = view;
    // The view in zoom-0 pixels, for choosing world copies.
    const left = ox / scale;
    const right = (ox + width) / scale;
    const top = oy / scale;
    const bottom = (oy + height) / scale;
    let any = false;
    for (const r of rings) {
      if (r.maxY < top || r.minY > bottom) continue;
      const first = Math.ceil((left - r.maxX) / WORLD);
      const last = Math.floor((right - r.minX) / WORLD);
      for (let k = first; k <= last; k++) {
        this.traceRing(r, k * WORLD, view, mode);
        any = true;
      }
    }
    return any;
  }

  private traceRing(r: Ring, shift: number, { scale, ox, oy, width, height }: PaintView, mode: 'fill' | 'stroke' | 'open'): void {
    const ctx = this.ctx;
    const c = r.coords;
    const n = c.length / 2;
    const dx = shift * scale - ox;
    // Which sides of the view a point lies beyond (bits: left, right, above, below).
    const outside = (x: number, y: number): number =>
      (x < -MARGIN ? 1 : 0) | (x > width + MARGIN ? 2 : 0) | (y < -MARGIN ? 4 : 0) | (y > height + MARGIN ? 8 : 0);
    let lx = c[0]! * scale + dx;
    let ly = c[1]! * scale - oy;
    ctx.moveTo(lx, ly);
    // A run of points all beyond one side of the view is drawn as one straight line to its
    // last point: the run and that line enclose nothing in view, so neither fill nor stroke in
    // view changes, and a far-off coast costs nothing.
    let run = outside(lx, ly);
    let pendingX = NaN;
    let pendingY = NaN;
    for (let i = 1; i < n; i++) {
      const x = c[i * 2]! * scale + dx;
      const y = c[i * 2 + 1]! * scale - oy;
      const code = outside(x, y);
      if ((run & code) !== 0 && i !== n - 1) {
        run &= code;
        pendingX = x;
        pendingY = y;
        continue;
      }
      if (!Number.isNaN(pendingX)) {
        ctx.lineTo(pendingX, pendingY);
        lx = pendingX;
        ly = pendingY;
        pendingX = NaN;
      }
      // Points within a pixel of the last one drawn add nothing visible at this zoom.
      if (i !== n - 1 && Math.abs(x - lx) < 1 && Math.abs(y - ly) < 1) continue;
      ctx.lineTo(x, y);
      lx = x;
      ly = y;
      run = code;
    }
    if (mode === 'open') return;
    if (r.poleY !== undefined) {
      if (mode === 'stroke') return;
      const edge = r.poleY * scale - oy;
      ctx.lineTo(lx, edge);
      ctx.lineTo(c[0]! * scale + dx, edge);
    }
    ctx.closePath();
  }
}

function levelOf(basemap: Basemap, minZoom: number): Level {
  const rings = basemap.rings ?? { land: landRings(basemap.land), borders: borderLines(basemap.borders) };
  return { basemap, minZoom, ...rings };
}
