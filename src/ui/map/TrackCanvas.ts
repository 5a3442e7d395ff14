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
import { LabelSpace } from './LabelSpace.js';
import { Declutter, priorityOf } from './Declutter.js';

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

/**
 * Labels are tried only while this few symbols are drawn; beyond it even the ones that fit
 * are clutter. Below it, a label that would cover another or a symbol is left out.
 */
const LABEL_LIMIT = 400;
const LABEL_FONT_PX = 11;
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
  /** Marks in view in the last frame (tracks, assets, plots and points on screen). */
  readonly drawn: number;
  readonly total: number;
  /** Tracks and assets in view, which would each be a framed symbol without decluttering. */
  readonly framed: number;
  /** Framed symbols actually drawn: one per group of marks that would overlap. */
  readonly symbols: number;
  /** Labels drawn (those that fit without covering another label or a symbol). */
  readonly labels: number;
  readonly ms: number;
}

/** Which kinds of mark are drawn (the map's layer control). */
export interface TrackLayers {
  /** Tracks, assets, geographic points and intercept lines. */
  readonly tracks: boolean;
  /** Raw sensor plots. */
  readonly plots: boolean;
  /** History trails. */
  readonly trails: boolean;
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
  lastStats: DrawStats = { drawn: 0, total: 0, framed: 0, symbols: 0, labels: 0, ms: 0 };
  private readonly now: () => number;
  private readonly ageTimer: ReturnType<typeof setInterval>;
  private hitStale = new Uint8Array(0);
  /** Which marks in view are drawn, and the groups they stand for. */
  private readonly declutter = new Declutter();
  private readonly labelSpace = new LabelSpace();
  private readonly labelWidths = new Map<string, number>();
  private layers: TrackLayers = { tracks: true, plots: true, trails: true };

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

  /** Shows or hides kinds of mark. */
  setLayers(layers: TrackLayers): void {
    if (layers.tracks === this.layers.tracks && layers.plots === this.layers.plots && layers.trails === this.layers.trails) return;
    this.layers = { ...layers };
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

  /** Bounds of every mark still on the picture (not gone); undefined when there is none. */
  bounds(): L.LatLngBounds | undefined {
    // Plain numbers, no object per track: with 10,000 tracks this runs as the picture fills.
    let south = Infinity;
    let west = Infinity;
    let north = -Infinity;
    let east = -Infinity;
    const now = this.now();
    for (const t of this.tracks.values()) {
      if (freshness(t.updatedAt, now) === 'gone') continue;
      if (t.lat < south) south = t.lat;
      if (t.lat > north) north = t.lat;
      if (t.lon < west) west = t.lon;
      if (t.lon > east) east = t.lon;
    }
    return south === Infinity ? undefined : L.latLngBounds([south, west], [north, east]);
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
      // A mark folded into a group is not under the pointer: the group's symbol is.
      if (!this.declutter.shown[i]) continue;
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
    const layers = this.layers;
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
    let framed = 0;
    for (const t of this.tracks.values()) {
      if (!(t.kind === 'plot' ? layers.plots : layers.tracks)) continue;
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
      if (t.kind === 'fused' || t.kind === 'symbol') framed++;
    }
    const symbolSize = symbolSizeFor(zoom, framed);
    const sxOf = (i: number): number => this.hitX[i]!;
    const syOf = (i: number): number => this.hitY[i]!;
    const symbols = this.declutter.run(visible, this.hitX, this.hitY, { symbolSize, ox, oy }, (id) => id === this.selectedId || id === this.highlightedId);
    const { shown, size: groupSize, high: groupHigh } = this.declutter;

    // Pass 2: history dots and raw sensor plots, as pixels (see PlotRaster), under the rest.
    const raster = this.raster;
    raster.begin(ctx, this.canvas.width, this.canvas.height);
    for (let i = 0; i < visible.length; i++) {
      if (!shown[i]) continue;
      const t = visible[i]!;
      const colours = PACKED[t.identity];
      if (layers.trails) {
        for (let k = 1; k <= t.trailCount; k++) {
          const at = ((t.trailHead - k + TRAIL_LENGTH) % TRAIL_LENGTH) * 2;
          // Older dots are fainter, in three steps.
          raster.dot(t.trail[at]! * scale - ox, t.trail[at + 1]! * scale - oy, 2, colours[Math.min(2, Math.floor(((k - 1) * 3) / TRAIL_LENGTH))]!);
        }
      }
      if (t.kind !== 'plot') continue;
      const x = sxOf(i);
      const y = syOf(i);
      if (t.sensorType === 'radar') raster.cross(x, y, 4, colours[0]!);
      else if (t.sensorType === 'eo') raster.square(x, y, 3, colours[0]!);
      else raster.dot(x, y, 5, colours[0]!);
    }
    raster.flush(ctx);

    // Pass 3: heading vectors as 1 px hairlines (cheap to rasterise), one path per colour; while
    // marks are grouped, no longer than a group's cell, so they do not cross into the next.
    ctx.lineWidth = 1;
    // A raw plot's vector is noise in a crowd: plots show theirs only when nothing is grouped.
    const grouped = symbols < framed;
    const maxVector = grouped ? symbolSize * 1.5 : 48;
    for (const identity of Object.keys(IDENTITY_COLOURS) as IdentityLetter[]) {
      ctx.beginPath();
      let any = false;
      for (let i = 0; i < visible.length; i++) {
        const t = visible[i]!;
        if (!shown[i] || t.identity !== identity || Number.isNaN(t.heading) || (t.kind === 'plot' && grouped)) continue;
        any = true;
        const rad = (t.heading * Math.PI) / 180;
        const base = t.kind === 'plot' ? 4 : symbolSize * 0.55;
        const length = base + Math.min(maxVector, 6 + t.speed * 0.16);
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
      if (!shown[i] || !t.ellipse) continue;
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
    if (layers.tracks) this.drawIntercepts(scale, ox, oy);

    // Pass 5: threat rings, then the framed 2525 symbols over them, then the count of each
    // group; all bitmap copies at whole pixels (an unscaled, aligned copy is several times
    // cheaper than a filtered one).
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
      if (!shown[i] || (t.threat !== 'high' && t.threat !== 'medium')) continue;
      ctx.globalAlpha = this.hitStale[i] ? STALE_ALPHA : 1;
      copy(t.kind === 'plot' ? rings.plot : rings[t.threat], sxOf(i), syOf(i));
    }
    const labelSpace = this.labelSpace;
    labelSpace.reset(width, height);
    for (let i = 0; i < visible.length; i++) {
      const t = visible[i]!;
      if (!shown[i] || t.kind === 'plot' || t.kind === 'point') continue;
      // A stale track is dimmed: it is where it was, not where it is.
      ctx.globalAlpha = this.hitStale[i] ? STALE_ALPHA : 1;
      const bmp = this.symbols.get(t.sidc, t.kind === 'fused' ? symbolSize : symbolSize - 2);
      copy(bmp, sxOf(i), syOf(i));
      // Inset: the bitmap's edge is outline and padding, which a label may touch.
      labelSpace.occupy(sxOf(i) - bmp.anchorX + 2, syOf(i) - bmp.anchorY + 2, bmp.width - 4, bmp.height - 4);
    }
    ctx.globalAlpha = 1;
    for (let i = 0; i < visible.length; i++) {
      const size = groupSize[i]!;
      if (!shown[i] || size < 2) continue;
      const badge = this.symbols.badge(size, groupHigh[i]! > 1);
      const x = sxOf(i) + symbolSize * 0.45;
      const y = syOf(i) - symbolSize * 0.55;
      copy(badge, x, y);
      labelSpace.occupy(x - badge.anchorX, y - badge.anchorY, badge.width, badge.height);
    }

    // Pass 6: labels, most important first, each where it covers no other label or symbol.
    const labels = symbols <= LABEL_LIMIT ? this.drawLabels(visible, symbolSize, now) : 0;

    // Pass 7: the selection, as corner brackets that do not hide the symbol.
    const sel = this.selectedId ? visible.findIndex((t) => t.id === this.selectedId) : -1;
    if (sel >= 0) this.drawSelection(sxOf(sel), syOf(sel), symbolSize);
    const lit = this.highlightedId ? visible.findIndex((t) => t.id === this.highlightedId) : -1;
    if (lit >= 0) this.drawHighlight(sxOf(lit), syOf(lit), symbolSize);

    this.lastStats = { drawn: visible.length, total: n, framed, symbols, labels, ms: performance.now() - started };
  }

  /** Labels beside drawn symbols, in order of importance, skipping any that would collide. */
  private drawLabels(visible: readonly TrackState[], symbolSize: number, now: number): number {
    const ctx = this.ctx;
    const order: number[] = [];
    for (let i = 0; i < visible.length; i++) if (this.declutter.shown[i] && visible[i]!.kind !== 'plot') order.push(i);
    // The selection's label first, then by the same order as groups.
    const rank = order.map((i) => (visible[i]!.id === this.selectedId || visible[i]!.id === this.highlightedId ? 1000 : priorityOf(visible[i]!)));
    const byRank = order.map((_, k) => k).sort((a, b) => rank[b]! - rank[a]!);
    ctx.font = `${LABEL_FONT_PX}px system-ui, "DejaVu Sans", sans-serif`;
    ctx.textBaseline = 'middle';
    ctx.lineWidth = 3;
    ctx.strokeStyle = 'rgba(5, 12, 18, 0.9)';
    ctx.fillStyle = '#c9d6df';
    let drawn = 0;
    for (const k of byRank) {
      const i = order[k]!;
      const t = visible[i]!;
      const label = this.hitStale[i] && t.updatedAt !== undefined ? `${t.label} · ${formatAge(now - t.updatedAt)} old` : t.label;
      if (!label) continue;
      let w = this.labelWidths.get(label);
      if (w === undefined) {
        w = ctx.measureText(label).width;
        // Stale labels carry an age that changes each second: do not keep every one.
        if (this.labelWidths.size > 20_000) this.labelWidths.clear();
        this.labelWidths.set(label, w);
      }
      const gap = symbolSize * 0.75 + 4;
      const x = this.hitX[i]!;
      const y = this.hitY[i]!;
      const h = LABEL_FONT_PX + 2;
      // Right of the symbol, else left of it, else not at all.
      let at = NaN;
      if (this.labelSpace.claim(x + gap, y - h / 2, w, h)) at = x + gap;
      else if (this.labelSpace.claim(x - gap - w, y - h / 2, w, h)) at = x - gap - w;
      if (Number.isNaN(at)) continue;
      ctx.strokeText(label, at, y);
      ctx.fillText(label, at, y);
      drawn++;
    }
    return drawn;
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
