/**
 * A canvas in a map pane of its own, like Leaflet's renderers: a pan moves the drawn picture
 * with the map for free, and the subclass repaints once the pan ends, on zoom and on resize,
 * or when its data changes (at most every `minDataRedrawMs`). The canvas covers the map
 * container plus `PAD` of it on every side, so short pans show no empty edge.
 *
 * Coordinates: things are kept in Web Mercator pixels at zoom 0 (a 256 px world); `paint`
 * gets the transform to canvas pixels: `x * scale - ox`, `y * scale - oy`.
 */
import * as L from './leaflet.js';

const PAD = 0.05;

export interface PaintView {
  readonly zoom: number;
  readonly scale: number;
  readonly ox: number;
  readonly oy: number;
  /** Canvas size in CSS px. */
  readonly width: number;
  readonly height: number;
}

export abstract class PaneCanvas {
  readonly canvas: HTMLCanvasElement;
  protected readonly ctx: CanvasRenderingContext2D;
  protected readonly pixelRatio: number;
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastDraw = 0;
  private width = 0;
  private height = 0;
  private padX = 0;
  private padY = 0;
  /** Layer point of the canvas's top left at the last paint. */
  private canvasAt = { x: 0, y: 0 };

  constructor(
    protected readonly map: L.Map,
    pane: string,
    zIndex: number,
    private readonly minDataRedrawMs: number,
  ) {
    this.pixelRatio = globalThis.devicePixelRatio || 1;
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('aria-hidden', 'true');
    Object.assign(this.canvas.style, { position: 'absolute', left: '0', top: '0', pointerEvents: 'none' });
    this.ctx = this.canvas.getContext('2d', { alpha: true })!;
    const el = map.getPane(pane) ?? map.createPane(pane);
    el.style.zIndex = String(zIndex);
    el.style.pointerEvents = 'none';
    el.appendChild(this.canvas);
    map.on('moveend zoom viewreset', this.onView);
    map.on('resize', this.onResize);
    this.onResize();
  }

  destroy(): void {
    this.map.off('moveend zoom viewreset', this.onView);
    this.map.off('resize', this.onResize);
    this.cancel();
    this.canvas.remove();
  }

  /** Canvas coordinates (CSS px) of a point of the map container, as of the last paint. */
  localPoint(containerX: number, containerY: number): { x: number; y: number } {
    const p = this.map.containerPointToLayerPoint([containerX, containerY]);
    return { x: p.x - this.canvasAt.x, y: p.y - this.canvasAt.y };
  }

  /** Schedules a paint: at the next frame for a view change, throttled for a data change. */
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

  /** Paints now, cancelling any scheduled paint. */
  protected paintNow(): void {
    this.cancel();
    this.draw();
  }

  protected abstract paint(view: PaintView): void;

  private draw(): void {
    // A paint asked for after the map left the page (a late redraw) has nothing to paint on.
    if (!this.canvas.isConnected) return;
    this.lastDraw = performance.now();
    const zoom = this.map.getZoom();
    const origin = this.map.getPixelOrigin();
    const c0 = this.map.containerPointToLayerPoint([0, 0]);
    this.canvasAt = { x: c0.x - this.padX, y: c0.y - this.padY };
    L.DomUtil.setPosition(this.canvas, L.point(this.canvasAt.x, this.canvasAt.y));
    this.ctx.setTransform(this.pixelRatio, 0, 0, this.pixelRatio, 0, 0);
    this.paint({ zoom, scale: Math.pow(2, zoom), ox: origin.x + this.canvasAt.x, oy: origin.y + this.canvasAt.y, width: this.width, height: this.height });
  }

  private readonly onFrame = (): void => {
    this.frame = 0;
    this.draw();
  };

  private readonly onView = (): void => this.requestDraw('view');

  private readonly onResize = (): void => {
    const size = this.map.getSize();
    this.padX = Math.round(size.x * PAD);
    this.padY = Math.round(size.y * PAD);
    this.width = size.x + 2 * this.padX;
    this.height = size.y + 2 * this.padY;
    this.canvas.width = Math.max(1, Math.round(this.width * this.pixelRatio));
    this.canvas.height = Math.max(1, Math.round(this.height * this.pixelRatio));
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.requestDraw('view');
  };

  private cancel(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.timer) clearTimeout(this.timer);
    this.frame = 0;
    this.timer = undefined;
  }
}
