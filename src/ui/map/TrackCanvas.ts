/**
 * Every track, asset and point drawn on one canvas over the Leaflet map. One DOM marker per
 * track costs a layout per move and stops being smooth at a few hundred tracks; here a frame
 * is a loop of `drawImage` calls from cached symbol bitmaps, and positions are kept in Web
 * Mercator pixels at zoom 0 so a pan or zoom needs one multiply-add per track.
 */
import * as L from './leaflet.js';
import { isTerminal, type EntityView } from '../../crdt/index.js';
import { SymbolCache, type SymbolBitmap } from './SymbolCache.js';
import { TRAIL_INTERVAL_MS, TRAIL_LENGTH, createTrack, updateTrack, type TrackState } from './TrackState.js';
import { PlotRaster, packColour } from './PlotRaster.js';
import { PaneCanvas, type PaintView } from './PaneCanvas.js';
import { IDENTITY_COLOURS, THREAT_COLOURS, type IdentityLetter } from './symbology.js';
import { formatAge } from '../format.js';
import { freshness } from '../staleness.js';

const SYMBOL_SIZE = 22;

/**
 * Symbol size in CSS pixels: smaller when zoomed out or crowded, so a dense picture stays
 * readable instead of a carpet of overlapping frames.
 */
export function symbolSizeFor(zoom: number, onScreen: number): number {
  const bySize = Math.max(12, Math.min(SYMBOL_SIZE, Math.round(zoom * 2 + 4)));
  return onScreen > 800 ? Math.max(12, bySize - 3) : bySize;
}

/** Intercept lines: the friendly-assets blue, bright enough over land and sea. */
const INTERCEPT_COLOUR = '#7fd6ff';

/** Labels are drawn only while this few marks are on screen; beyond it they are clutter. */
const LABEL_LIMIT = 250;
/** How a stale track is drawn: faint, so live ones stand out. */
const STALE_ALPHA = 0.35;
const HIT_RADIUS = 14;
const PANE = 'lmTracks';
/**
 * Tracks report about once a second: five redraws a second show every report within 200 ms
 * and leave most frames free for the rest of the page.
 */
const DATA_REDRAW_MS = 200;
const EARTH_CIRCUMFERENCE_M = 40_075_016.686;

export interface DrawStats {
  /** Marks drawn in the last frame (those on screen). */
  readonly drawn: number;
  readonly total: number;
  readonly ms: number;
}

export interface TrackCanvasOptions {
  /** Minimum time between redraws caused by data alone; pans and zooms redraw every frame. */
  readonly minDataRedrawMs?: number;
  /** Minimum time between trail points (default `TRAIL_INTERVAL_MS`). */
  readonly trailIntervalMs?: number;
  /** This node's wall clock, against which tracks age (default `Date.now`). */
  readonly now?: () => number;
}

/** Identity colours packed for the pixel buffer: newest, middle and oldest trail alpha. */
const PACKED = Object.fromEntries(
  (Object.keys(IDENTITY_COLOURS) as IdentityLetter[]).map((k) => [k, [0.9, 0.55, 0.3].map((a) => packColour(IDENTITY_COLOURS[k], a))]),
) as Record<IdentityLetter, number[]>;

export class TrackCanvas extends PaneCanvas {
  readonly symbols: SymbolCache;
  private readonly raster: PlotRaster;
  private readonly tracks = new Map<string, TrackState>();
  /** Active intercept tasks (not yet done or cancelled): asset → target lines. */
  private readonly intercepts = new Map<string, { readonly assetId: string; readonly targetId: string }>();
  private selectedId: string | undefined;
  private highlightedId: string | undefined;
  private readonly trailIntervalMs: number;
  // Canvas positions from the last paint, for hit testing.
  private readonly visible: TrackState[] = [];
  private hitX = new Float32Array(0);
  private hitY = new Float32Array(0);
  private hitRank = new Uint8Array(0);
  lastStats: DrawStats = { drawn: 0, total: 0, ms: 0 };
  private readonly now: () => number;
  private readonly ageTimer: ReturnType<typeof setInterval>;
  private hitStale = new Uint8Array(0);

  constructor(map: L.Map, options: TrackCanvasOptions = {}) {
    super(map, PANE, 450, options.minDataRedrawMs ?? DATA_REDRAW_MS);
    this.canvas.className = 'lm-tracks';
    this.trailIntervalMs = options.trailIntervalMs ?? TRAIL_INTERVAL_MS;
    this.symbols = new SymbolCache(this.pixelRatio, () => this.requestDraw('view'));
    this.now = options.now ?? (() => Date.now());
    // Tracks age with no data arriving: look again every second.
    this.ageTimer = setInterval(() => {
      if (this.tracks.size > 0) this.requestDraw('data');
    }, 1000);
    this.raster = new PlotRaster(this.pixelRatio);
  }

  get size(): number {
    return this.tracks.size;
  }

  /** How many trail points an entity has (tests read it). */
  trailLength(id: string): number {
    return this.tracks.get(id)?.trailCount ?? 0;
  }

  /** Replaces everything with the given entities (no trails). */
  reset(views: Iterable<EntityView>): void {
    this.tracks.clear();
    this.intercepts.clear();
    for (const view of views) this.apply(view.id, view, false);
    this.requestDraw('data');
  }

  /** Applies one entity's current state; `undefined` (deleted) removes it. */
  apply(id: string, view: EntityView | undefined, draw = true): void {
    const task = view?.components.task;
    if (task?.kind === 'intercept' && !isTerminal(task.status)) this.intercepts.set(id, { assetId: task.assetId, targetId: task.targetId });
    else this.intercepts.delete(id);
    if (!view || !view.components.position) this.tracks.delete(id);
    else this.upsert(view);
    if (draw) this.requestDraw('data');
  }

  /** How many intercept lines there are to draw (tests read it). */
  get interceptCount(): number {
    return this.intercepts.size;
  }

  setSelected(id: string | undefined): void {
    if (id === this.selectedId) return;
    this.selectedId = id;
    this.requestDraw('view');
  }

  /** A track pointed at from a panel (a queue card under the pointer or focus): drawn ringed. */
  setHighlighted(id: string | undefined): void {
    if (id === this.highlightedId) return;
    this.highlightedId = id;
    this.requestDraw('view');
  }

  /** The track drawn highlighted (tests read it). */
  get highlighted(): string | undefined {
    return this.highlightedId;
  }

  position(id: string): L.LatLng | undefined {
    const t = this.tracks.get(id);
    return t ? L.latLng(t.lat, t.lon) : undefined;
  }

  /** Bounds of everything drawn, or undefined when there is nothing. */
  bounds(): L.LatLngBounds | undefined {
    let bounds: L.LatLngBounds | undefined;
    for (const t of this.tracks.values()) {
      if (bounds) bounds.extend([t.lat, t.lon]);
      else bounds = L.latLngBounds([t.lat, t.lon], [t.lat, t.lon]);
    }
    return bounds;
  }

  /**
   * The entity drawn nearest to a container point, within the symbol's reach. Framed symbols
   * win over raw plots beneath them, since they are what an operator aims at.
   */
  hitTest(containerX: number, containerY: number): string | undefined {
    const { x, y } = this.localPoint(containerX, containerY);
    let best = -1;
    let bestScore = Infinity;
    for (let i = 0; i < this.visible.length; i++) {
      const dx = this.hitX[i]! - x;
      const dy = this.hitY[i]! - y;
      const d2 = dx * dx + dy * dy;
      if (d2 > HIT_RADIUS * HIT_RADIUS) continue;
      const score = d2 + this.hitRank[i]! * 400;
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best >= 0 ? this.visible[best]!.id : undefined;
  }

  override destroy(): void {
    clearInterval(this.ageTimer);
    super.destroy();
  }

  /** Whether the track is drawn stale (tests read it); undefined when it is not drawn. */
  staleness(id: string): 'live' | 'stale' | undefined {
    const i = this.visible.findIndex((t) => t.id === id);
    return i < 0 ? undefined : this.hitStale[i] ? 'stale' : 'live';
  }

  /** Draws now (used by tests and the bench; normally draws are scheduled). */
  drawNow(): DrawStats {
    this.paintNow();
    return this.lastStats;
  }

  private upsert(view: EntityView): void {
    const t = this.tracks.get(view.id);
    if (t) updateTrack(t, view, performance.now(), this.trailIntervalMs);
    else {
      const created = createTrack(view);
      if (created) this.tracks.set(view.id, created);
    }
  }

  protected override paint({ zoom, scale, ox, oy, width, height }: PaintView): void {
    const started = performance.now();
    const ctx = this.ctx;
    const margin = 40;
    // No clearRect: the pixel buffer of pass 2 replaces the whole canvas.

    // Pass 1: which marks are on screen, and where.
    const n = this.tracks.size;
    if (this.hitX.length < n) {
      this.hitX = new Float32Array(n * 2);
      this.hitY = new Float32Array(n * 2);
      this.hitRank = new Uint8Array(n * 2);
      this.hitStale = new Uint8Array(n * 2);
    }
    const now = this.now();
    // Reused between draws (and kept for hit testing): no garbage per frame.
    const visible = this.visible;
    visible.length = 0;
    for (const t of this.tracks.values()) {
      const sx = t.x * scale - ox;
      const sy = t.y * scale - oy;
      if (sx < -margin || sy < -margin || sx > width + margin || sy > height + margin) continue;
      const fresh = freshness(t.updatedAt, now);
      if (fresh === 'gone') continue;
      const i = visible.length;
      visible.push(t);
      this.hitX[i] = sx;
      this.hitY[i] = sy;
      this.hitRank[i] = t.kind === 'plot' ? 1 : 0;
      this.hitStale[i] = fresh === 'stale' ? 1 : 0;
    }
    const symbolSize = symbolSizeFor(zoom, visible.length);
    const sxOf = (i: number): number => this.hitX[i]!;
    const syOf = (i: number): number => this.hitY[i]!;

    // Pass 2: history dots and raw sensor plots, as pixels (see PlotRaster), under the rest.
    const raster = this.raster;
    raster.begin(ctx, this.canvas.width, this.canvas.height);
    for (let i = 0; i < visible.length; i++) {
      const t = visible[i]!;
      const colours = PACKED[t.identity];
      for (let k = 1; k <= t.trailCount; k++) {
        const at = ((t.trailHead - k + TRAIL_LENGTH) % TRAIL_LENGTH) * 2;
        // Older dots are fainter, in three steps.
        raster.dot(t.trail[at]! * scale - ox, t.trail[at + 1]! * scale - oy, 2, colours[Math.min(2, Math.floor(((k - 1) * 3) / TRAIL_LENGTH))]!);
      }
      if (t.kind !== 'plot') continue;
      const x = sxOf(i);
      const y = syOf(i);
      if (t.sensorType === 'radar') raster.cross(x, y, 4, colours[0]!);
      else if (t.sensorType === 'eo') raster.square(x, y, 3, colours[0]!);
      else raster.dot(x, y, 5, colours[0]!);
    }
    raster.flush(ctx);

    // Pass 3: heading vectors as 1 px hairlines (cheap to rasterise), one path per colour.
    ctx.lineWidth = 1;
    for (const identity of Object.keys(IDENTITY_COLOURS) as IdentityLetter[]) {
      ctx.beginPath();
      let any = false;
      for (let i = 0; i < visible.length; i++) {
        const t = visible[i]!;
        if (t.identity !== identity || Number.isNaN(t.heading)) continue;
        any = true;
        const rad = (t.heading * Math.PI) / 180;
        const base = t.kind === 'plot' ? 4 : symbolSize * 0.55;
        const length = base + Math.min(48, 6 + t.speed * 0.16);
        const x = sxOf(i);
        const y = syOf(i);
        const dx = Math.sin(rad);
        const dy = -Math.cos(rad);
        ctx.moveTo(x + dx * base, y + dy * base);
        ctx.lineTo(x + dx * length, y + dy * length);
      }
      if (any) {
        ctx.strokeStyle = IDENTITY_COLOURS[identity];
        ctx.stroke();
      }
    }

    // Pass 4: fused error ellipses (1 sigma), where they are big enough to mean something, and
    // geographic points.
    const metresPerPixelAtEquator = EARTH_CIRCUMFERENCE_M / (256 * scale);
    ctx.setLineDash([4, 3]);
    ctx.globalAlpha = 0.6;
    for (let i = 0; i < visible.length; i++) {
      const t = visible[i]!;
      if (!t.ellipse) continue;
      const mpp = metresPerPixelAtEquator * Math.cos((t.lat * Math.PI) / 180);
      const a = t.ellipse.majorM / mpp;
      if (a < 5) continue;
      const b = Math.max(1, t.ellipse.minorM / mpp);
      ctx.beginPath();
      ctx.ellipse(sxOf(i), syOf(i), a, b, ((t.ellipse.orientationDeg - 90) * Math.PI) / 180, 0, Math.PI * 2);
      ctx.strokeStyle = IDENTITY_COLOURS[t.identity];
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    this.drawPoints(visible);
    this.drawIntercepts(scale, ox, oy);

    // Pass 5: threat rings, then the framed 2525 symbols over them; all bitmap copies at whole
    // pixels (an unscaled, aligned copy is several times cheaper than a filtered one).
    const copy = (bmp: SymbolBitmap, x: number, y: number): void =>
      ctx.drawImage(bmp.image, Math.round(x - bmp.anchorX), Math.round(y - bmp.anchorY), bmp.image.width / this.pixelRatio, bmp.image.height / this.pixelRatio);
    const rings = {
      high: this.symbols.ring(Math.round(symbolSize * 0.72 + 2), 2, THREAT_COLOURS.high),
      medium: this.symbols.ring(Math.round(symbolSize * 0.72 + 1), 1.25, THREAT_COLOURS.medium),
      plot: this.symbols.ring(7, 1, THREAT_COLOURS.high),
    };
    for (let i = 0; i < visible.length; i++) {
      const t = visible[i]!;
      // Low threats are left to the frame and the label: rings on everything would be noise.
      if (t.threat !== 'high' && t.threat !== 'medium') continue;
      ctx.globalAlpha = this.hitStale[i] ? STALE_ALPHA : 1;
      copy(t.kind === 'plot' ? rings.plot : rings[t.threat], sxOf(i), syOf(i));
    }
    for (let i = 0; i < visible.length; i++) {
      const t = visible[i]!;
      if (t.kind === 'plot' || t.kind === 'point') continue;
      // A stale track is dimmed: it is where it was, not where it is.
      ctx.globalAlpha = this.hitStale[i] ? STALE_ALPHA : 1;
      copy(this.symbols.get(t.sidc, t.kind === 'fused' ? symbolSize : symbolSize - 2), sxOf(i), syOf(i));
    }
    ctx.globalAlpha = 1;

    // Pass 6: labels, only while the picture is sparse enough to read them.
    if (visible.length <= LABEL_LIMIT) {
      ctx.font = '11px system-ui, "DejaVu Sans", sans-serif';
      ctx.textBaseline = 'middle';
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(5, 12, 18, 0.9)';
      ctx.fillStyle = '#c9d6df';
      for (let i = 0; i < visible.length; i++) {
        const t = visible[i]!;
        if (t.kind === 'plot') continue;
        const x = sxOf(i) + symbolSize * 0.75 + 4;
        const y = syOf(i);
        const label = this.hitStale[i] && t.updatedAt !== undefined ? `${t.label} · ${formatAge(now - t.updatedAt)} old` : t.label;
        ctx.strokeText(label, x, y);
        ctx.fillText(label, x, y);
      }
    }

    // Pass 7: the selection, as corner brackets that do not hide the symbol.
    const sel = this.selectedId ? visible.findIndex((t) => t.id === this.selectedId) : -1;
    if (sel >= 0) this.drawSelection(sxOf(sel), syOf(sel), symbolSize);
    const lit = this.highlightedId ? visible.findIndex((t) => t.id === this.highlightedId) : -1;
    if (lit >= 0) this.drawHighlight(sxOf(lit), syOf(lit), symbolSize);

    this.lastStats = { drawn: visible.length, total: n, ms: performance.now() - started };
  }

  /** Geographic points (type `geo`): small diamonds, few enough to stroke. */
  private drawPoints(visible: readonly TrackState[]): void {
    const ctx = this.ctx;
    ctx.lineWidth = 1.5;
    for (let i = 0; i < visible.length; i++) {
      const t = visible[i]!;
      if (t.kind !== 'point') continue;
      const x = this.hitX[i]!;
      const y = this.hitY[i]!;
      ctx.beginPath();
      ctx.moveTo(x, y - 5);
      ctx.lineTo(x + 5, y);
      ctx.lineTo(x, y + 5);
      ctx.lineTo(x - 5, y);
      ctx.closePath();
      ctx.strokeStyle = IDENTITY_COLOURS[t.identity];
      ctx.stroke();
    }
  }

  /** Dashed lines from each interceptor to its target, with an arrowhead at the target. */
  private drawIntercepts(scale: number, ox: number, oy: number): void {
    if (this.intercepts.size === 0) return;
    const ctx = this.ctx;
    ctx.save();
    ctx.strokeStyle = INTERCEPT_COLOUR;
    ctx.fillStyle = INTERCEPT_COLOUR;
    ctx.lineWidth = 1.5;
    for (const { assetId, targetId } of this.intercepts.values()) {
      const asset = this.tracks.get(assetId);
      const target = this.tracks.get(targetId);
      if (!asset || !target) continue;
      const ax = asset.x * scale - ox;
      const ay = asset.y * scale - oy;
      const tx = target.x * scale - ox;
      const ty = target.y * scale - oy;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(tx, ty);
      ctx.stroke();
      const angle = Math.atan2(ty - ay, tx - ax);
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(tx - Math.cos(angle) * 14, ty - Math.sin(angle) * 14);
      ctx.lineTo(tx - Math.cos(angle - 0.35) * 24, ty - Math.sin(angle - 0.35) * 24);
      ctx.lineTo(tx - Math.cos(angle + 0.35) * 24, ty - Math.sin(angle + 0.35) * 24);
      ctx.closePath();
      ctx.fill();
    }
    ctx.restore();
  }

  /** A bright double ring, visible at a glance among many symbols. */
  private drawHighlight(x: number, y: number, symbolSize: number): void {
    const ctx = this.ctx;
    const r = Math.max(symbolSize, 16) * 1.3;
    ctx.lineWidth = 4;
    ctx.strokeStyle = 'rgba(5, 12, 18, 0.9)';
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.stroke();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#5cc8ff';
    ctx.stroke();
  }

  private drawSelection(x: number, y: number, symbolSize: number): void {
    const ctx = this.ctx;
    const r = Math.max(symbolSize, 16) * 0.95;
    const k = 7;
    ctx.strokeStyle = '#ffd84d';
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (const [sx, sy] of [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const) {
      ctx.moveTo(x + sx * r, y + sy * (r - k));
      ctx.lineTo(x + sx * r, y + sy * r);
      ctx.lineTo(x + sx * (r - k), y + sy * r);
    }
    ctx.stroke();
  }
}
