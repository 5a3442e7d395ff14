/**
 * Every track, asset and point drawn on one canvas over the Leaflet map. One DOM marker per
 * track costs a layout per move and stops being smooth at a few hundred tracks; here a frame
 * is a loop of `drawImage` calls from cached symbol bitmaps, and positions are kept in Web
 * Mercator pixels at zoom 0 so a pan or zoom needs one multiply-add per track.
 */
import * as L from './leaflet.js';
import type { EntityView, SensorType, ThreatLevel } from '../../crdt/index.js';
import { SymbolCache } from './SymbolCache.js';
import { IDENTITY_COLOURS, THREAT_COLOURS, displayKindOf, identityOf, labelOf, sidcOf, type DisplayKind, type IdentityLetter } from './symbology.js';

/** Positions kept per track for its history trail, one every `TRAIL_INTERVAL_MS`: about a minute. */
export const TRAIL_LENGTH = 12;
export const TRAIL_INTERVAL_MS = 5000;
const SYMBOL_SIZE = 22;

/**
 * Symbol size in CSS pixels: smaller when zoomed out or crowded, so a dense picture stays
 * readable instead of a carpet of overlapping frames.
 */
export function symbolSizeFor(zoom: number, onScreen: number): number {
  const bySize = Math.max(12, Math.min(SYMBOL_SIZE, Math.round(zoom * 2 + 4)));
  return onScreen > 800 ? Math.max(12, bySize - 3) : bySize;
}
/** Labels are drawn only while this few marks are on screen; beyond it they are clutter. */
const LABEL_LIMIT = 250;
const HIT_RADIUS = 14;
const MAX_LAT = 85.0511287798;
const EARTH_CIRCUMFERENCE_M = 40_075_016.686;

interface TrackState {
  readonly id: string;
  kind: DisplayKind;
  identity: IdentityLetter;
  sidc: string;
  threat: ThreatLevel;
  label: string;
  sensorType: SensorType | undefined;
  lat: number;
  lon: number;
  /** Web Mercator pixels at zoom 0 (a 256 px world). */
  x: number;
  y: number;
  /** Degrees, or NaN when the entity has no velocity. */
  heading: number;
  speed: number;
  /** Ring of earlier positions, x/y pairs in zoom-0 pixels. */
  readonly trail: Float64Array;
  trailHead: number;
  trailCount: number;
  /** When the last trail point was taken (performance.now()). */
  trailAt: number;
  ellipse: { majorM: number; minorM: number; orientationDeg: number } | undefined;
}

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
}

export function projectX(lon: number): number {
  return (256 * (lon + 180)) / 360;
}

export function projectY(lat: number): number {
  const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180;
  return 256 * (0.5 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / (2 * Math.PI));
}

export class TrackCanvas {
  readonly canvas: HTMLCanvasElement;
  readonly symbols: SymbolCache;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly tracks = new Map<string, TrackState>();
  private selectedId: string | undefined;
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastDraw = 0;
  private pixelRatio = 1;
  private width = 0;
  private height = 0;
  private readonly minDataRedrawMs: number;
  private readonly trailIntervalMs: number;
  // Screen positions from the last draw, for hit testing.
  private hitIds: string[] = [];
  private hitX = new Float32Array(0);
  private hitY = new Float32Array(0);
  private hitRank = new Uint8Array(0);
  lastStats: DrawStats = { drawn: 0, total: 0, ms: 0 };

  constructor(
    private readonly map: L.Map,
    options: TrackCanvasOptions = {},
  ) {
    this.minDataRedrawMs = options.minDataRedrawMs ?? 100;
    this.trailIntervalMs = options.trailIntervalMs ?? TRAIL_INTERVAL_MS;
    this.pixelRatio = globalThis.devicePixelRatio || 1;
    this.symbols = new SymbolCache(this.pixelRatio);
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'lm-tracks';
    this.canvas.setAttribute('aria-hidden', 'true');
    Object.assign(this.canvas.style, { position: 'absolute', left: '0', top: '0', zIndex: '450', pointerEvents: 'none' });
    this.ctx = this.canvas.getContext('2d', { alpha: true })!;
    map.getContainer().appendChild(this.canvas);
    map.on('move zoom viewreset', this.onView);
    map.on('resize', this.onResize);
    this.onResize();
  }

  get size(): number {
    return this.tracks.size;
  }

  /** How many trail points an entity has (tests read it). */
  trailLength(id: string): number {
    return this.tracks.get(id)?.trailCount ?? 0;
  }

  destroy(): void {
    this.map.off('move zoom viewreset', this.onView);
    this.map.off('resize', this.onResize);
    this.cancel();
    this.canvas.remove();
  }

  /** Replaces everything with the given entities (no trails). */
  reset(views: Iterable<EntityView>): void {
    this.tracks.clear();
    for (const view of views) this.upsert(view);
    this.requestDraw('data');
  }

  /** Applies one entity's current state; `undefined` (deleted) removes it. */
  apply(id: string, view: EntityView | undefined): void {
    if (!view || !view.components.position) this.tracks.delete(id);
    else this.upsert(view);
    this.requestDraw('data');
  }

  setSelected(id: string | undefined): void {
    if (id === this.selectedId) return;
    this.selectedId = id;
    this.requestDraw('view');
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
  hitTest(x: number, y: number): string | undefined {
    let best = -1;
    let bestScore = Infinity;
    for (let i = 0; i < this.hitIds.length; i++) {
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
    return best >= 0 ? this.hitIds[best] : undefined;
  }

  /** Draws now (used by tests and the bench; normally draws are scheduled). */
  drawNow(): DrawStats {
    this.cancel();
    this.draw();
    return this.lastStats;
  }

  requestDraw(reason: 'data' | 'view'): void {
    if (this.frame) return;
    const wait = reason === 'view' ? 0 : this.lastDraw + this.minDataRedrawMs - performance.now();
    if (wait <= 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.frame = requestAnimationFrame(this.onFrame);
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.frame) this.frame = requestAnimationFrame(this.onFrame);
      }, wait);
    }
  }

  private readonly onFrame = (): void => {
    this.frame = 0;
    this.draw();
  };

  private readonly onView = (): void => this.requestDraw('view');

  private readonly onResize = (): void => {
    const size = this.map.getSize();
    this.width = size.x;
    this.height = size.y;
    this.canvas.width = Math.max(1, Math.round(size.x * this.pixelRatio));
    this.canvas.height = Math.max(1, Math.round(size.y * this.pixelRatio));
    this.canvas.style.width = `${size.x}px`;
    this.canvas.style.height = `${size.y}px`;
    this.requestDraw('view');
  };

  private cancel(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.timer) clearTimeout(this.timer);
    this.frame = 0;
    this.timer = undefined;
  }

  private upsert(view: EntityView): void {
    const c = view.components;
    const p = c.position;
    if (!p) return;
    let t = this.tracks.get(view.id);
    if (!t) {
      t = {
        id: view.id,
        kind: 'symbol',
        identity: 'U',
        sidc: '',
        threat: 'none',
        label: '',
        sensorType: undefined,
        lat: p.lat,
        lon: p.lon,
        x: projectX(p.lon),
        y: projectY(p.lat),
        heading: NaN,
        speed: 0,
        trail: new Float64Array(TRAIL_LENGTH * 2),
        trailHead: 0,
        trailCount: 0,
        trailAt: 0,
        ellipse: undefined,
      };
      this.tracks.set(view.id, t);
    } else if (t.lat !== p.lat || t.lon !== p.lon) {
      // The old position becomes the newest point of the trail, at most one every interval.
      const now = performance.now();
      if (now - t.trailAt >= this.trailIntervalMs) {
        t.trailAt = now;
        t.trail[t.trailHead * 2] = t.x;
        t.trail[t.trailHead * 2 + 1] = t.y;
        t.trailHead = (t.trailHead + 1) % TRAIL_LENGTH;
        t.trailCount = Math.min(TRAIL_LENGTH, t.trailCount + 1);
      }
      t.lat = p.lat;
      t.lon = p.lon;
      t.x = projectX(p.lon);
      t.y = projectY(p.lat);
    }
    t.kind = displayKindOf(view);
    t.identity = identityOf(view);
    t.sidc = sidcOf(view);
    t.threat = c.threat?.level ?? 'none';
    t.label = labelOf(view);
    t.sensorType = c.source?.sensorType;
    t.heading = c.velocity ? c.velocity.heading : NaN;
    t.speed = c.velocity ? c.velocity.speed : 0;
    t.ellipse = c.fusion && c.fusion.errorMajorM > 0
      ? { majorM: c.fusion.errorMajorM, minorM: c.fusion.errorMinorM, orientationDeg: c.fusion.errorOrientationDeg }
      : undefined;
  }

  private draw(): void {
    const started = performance.now();
    this.lastDraw = started;
    const { ctx, width, height } = this;
    const zoom = this.map.getZoom();
    const scale = Math.pow(2, zoom);
    const origin = this.map.getPixelOrigin();
    const c0 = this.map.containerPointToLayerPoint([0, 0]);
    const ox = origin.x + c0.x;
    const oy = origin.y + c0.y;
    const margin = 40;
    ctx.setTransform(this.pixelRatio, 0, 0, this.pixelRatio, 0, 0);
    ctx.clearRect(0, 0, width, height);

    // Pass 1: which marks are on screen, and where.
    const n = this.tracks.size;
    if (this.hitX.length < n) {
      this.hitX = new Float32Array(n * 2);
      this.hitY = new Float32Array(n * 2);
      this.hitRank = new Uint8Array(n * 2);
    }
    const visible: TrackState[] = [];
    const hitIds: string[] = [];
    for (const t of this.tracks.values()) {
      const sx = t.x * scale - ox;
      const sy = t.y * scale - oy;
      if (sx < -margin || sy < -margin || sx > width + margin || sy > height + margin) continue;
      const i = visible.length;
      visible.push(t);
      hitIds.push(t.id);
      this.hitX[i] = sx;
      this.hitY[i] = sy;
      this.hitRank[i] = t.kind === 'plot' ? 1 : 0;
    }
    this.hitIds = hitIds;
    const symbolSize = symbolSizeFor(zoom, visible.length);
    const sxOf = (i: number): number => this.hitX[i]!;
    const syOf = (i: number): number => this.hitY[i]!;

    // Pass 2: trails and heading vectors, one path per identity colour.
    ctx.lineCap = 'round';
    for (const identity of Object.keys(IDENTITY_COLOURS) as IdentityLetter[]) {
      const colour = IDENTITY_COLOURS[identity];
      ctx.beginPath();
      let any = false;
      for (let i = 0; i < visible.length; i++) {
        const t = visible[i]!;
        if (t.identity !== identity || t.trailCount === 0) continue;
        any = true;
        ctx.moveTo(sxOf(i), syOf(i));
        for (let k = 1; k <= t.trailCount; k++) {
          const at = ((t.trailHead - k + TRAIL_LENGTH) % TRAIL_LENGTH) * 2;
          ctx.lineTo(t.trail[at]! * scale - ox, t.trail[at + 1]! * scale - oy);
        }
      }
      if (any) {
        ctx.strokeStyle = colour;
        ctx.globalAlpha = 0.32;
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
      ctx.beginPath();
      any = false;
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
        ctx.globalAlpha = 0.95;
        ctx.lineWidth = 1.6;
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;

    // Pass 3: fused error ellipses (1 sigma), where they are big enough to mean something.
    const metresPerPixelAtEquator = EARTH_CIRCUMFERENCE_M / (256 * scale);
    ctx.setLineDash([4, 3]);
    ctx.lineWidth = 1;
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
      ctx.globalAlpha = 0.6;
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;

    // Pass 4: raw sensor plots, small and unframed, so fused tracks stand out above them.
    for (let i = 0; i < visible.length; i++) {
      const t = visible[i]!;
      if (t.kind !== 'plot' && t.kind !== 'point') continue;
      this.drawPlot(t, sxOf(i), syOf(i));
    }

    // Pass 5: framed 2525 symbols, with a threat ring under threatening ones.
    for (let i = 0; i < visible.length; i++) {
      const t = visible[i]!;
      if (t.kind === 'plot' || t.kind === 'point') continue;
      const x = sxOf(i);
      const y = syOf(i);
      if (t.threat === 'high' || t.threat === 'medium') {
        // Low threats are left to the frame and the label: rings on everything would be noise.
        ctx.beginPath();
        ctx.arc(x, y, symbolSize * 0.72 + (t.threat === 'high' ? 2 : 1), 0, Math.PI * 2);
        ctx.strokeStyle = THREAT_COLOURS[t.threat];
        ctx.lineWidth = t.threat === 'high' ? 2.5 : 1.5;
        ctx.stroke();
      }
      const size = t.kind === 'fused' ? symbolSize : symbolSize - 2;
      const bmp = this.symbols.get(t.sidc, size);
      ctx.drawImage(bmp.image, x - bmp.anchorX, y - bmp.anchorY, bmp.width, bmp.height);
    }

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
        ctx.strokeText(t.label, x, y);
        ctx.fillText(t.label, x, y);
      }
    }

    // Pass 7: the selection, as corner brackets that do not hide the symbol.
    const sel = this.selectedId ? visible.findIndex((t) => t.id === this.selectedId) : -1;
    if (sel >= 0) this.drawSelection(sxOf(sel), syOf(sel), symbolSize);

    this.lastStats = { drawn: visible.length, total: n, ms: performance.now() - started };
  }

  private drawPlot(t: TrackState, x: number, y: number): void {
    const ctx = this.ctx;
    ctx.strokeStyle = IDENTITY_COLOURS[t.identity];
    ctx.fillStyle = IDENTITY_COLOURS[t.identity];
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    if (t.kind === 'point') {
      ctx.moveTo(x, y - 5);
      ctx.lineTo(x + 5, y);
      ctx.lineTo(x, y + 5);
      ctx.lineTo(x - 5, y);
      ctx.closePath();
      ctx.stroke();
      return;
    }
    switch (t.sensorType) {
      case 'radar':
        // Radar plot: a small cross.
        ctx.moveTo(x - 4, y);
        ctx.lineTo(x + 4, y);
        ctx.moveTo(x, y - 4);
        ctx.lineTo(x, y + 4);
        ctx.stroke();
        break;
      case 'eo':
        ctx.strokeRect(x - 3.5, y - 3.5, 7, 7);
        break;
      default:
        ctx.arc(x, y, 3, 0, Math.PI * 2);
        ctx.fill();
    }
    if (t.threat === 'high' || t.threat === 'medium') {
      ctx.beginPath();
      ctx.arc(x, y, 7, 0, Math.PI * 2);
      ctx.strokeStyle = THREAT_COLOURS[t.threat];
      ctx.lineWidth = 1.25;
      ctx.stroke();
    }
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
