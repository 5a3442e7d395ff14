/**
 * Small marks written straight into a pixel buffer: history dots and raw sensor plots. Without
 * a GPU, Chromium rasterises every canvas path on the main thread, and tens of thousands of
 * tiny antialiased shapes (12 history dots for each of 2,000 tracks) cost more than the rest
 * of a frame together. Setting pixels and one `putImageData` costs a few milliseconds.
 *
 * The buffer is the bottom layer of the track canvas: `flush` replaces the canvas content,
 * and everything else is drawn over it.
 */
export class PlotRaster {
  private image: ImageData | undefined;
  private pixels = new Uint32Array(0);
  private width = 0;
  private height = 0;

  constructor(private readonly pixelRatio: number) {}

  /** Clears the buffer, resizing it to the canvas (device pixels). */
  begin(ctx: CanvasRenderingContext2D, width: number, height: number): void {
    if (!this.image || this.width !== width || this.height !== height) {
      this.image = ctx.createImageData(width, height);
      this.pixels = new Uint32Array(this.image.data.buffer);
      this.width = width;
      this.height = height;
    } else {
      this.pixels.fill(0);
    }
  }

  /** Writes the buffer to the canvas, replacing what was there. */
  flush(ctx: CanvasRenderingContext2D): void {
    if (this.image) ctx.putImageData(this.image, 0, 0);
  }

  /** A filled square of `size` CSS pixels centred on (x, y) in CSS pixels. */
  dot(x: number, y: number, size: number, rgba: number): void {
    const r = this.pixelRatio;
    const s = Math.max(1, Math.round(size * r));
    const x0 = Math.round(x * r - s / 2);
    const y0 = Math.round(y * r - s / 2);
    this.fill(x0, y0, s, s, rgba);
  }

  /** A plus sign with arms of `arm` CSS pixels. */
  cross(x: number, y: number, arm: number, rgba: number): void {
    const r = this.pixelRatio;
    const w = Math.max(1, Math.round(r));
    const cx = Math.round(x * r);
    const cy = Math.round(y * r);
    const a = Math.round(arm * r);
    this.fill(cx - a, cy, 2 * a + w, w, rgba);
    this.fill(cx, cy - a, w, 2 * a + w, rgba);
  }

  /** The outline of a square with half-size `half` CSS pixels. */
  square(x: number, y: number, half: number, rgba: number): void {
    const r = this.pixelRatio;
    const w = Math.max(1, Math.round(r));
    const x0 = Math.round((x - half) * r);
    const y0 = Math.round((y - half) * r);
    const s = Math.round(2 * half * r) + w;
    this.fill(x0, y0, s, w, rgba);
    this.fill(x0, y0 + s - w, s, w, rgba);
    this.fill(x0, y0, w, s, rgba);
    this.fill(x0 + s - w, y0, w, s, rgba);
  }

  private fill(x0: number, y0: number, w: number, h: number, rgba: number): void {
    const xa = Math.max(0, x0);
    const ya = Math.max(0, y0);
    const xb = Math.min(this.width, x0 + w);
    const yb = Math.min(this.height, y0 + h);
    for (let y = ya; y < yb; y++) this.pixels.fill(rgba, y * this.width + xa, y * this.width + xb);
  }
}

/** Packs "#rrggbb" and an alpha in [0, 1] into ImageData's little-endian RGBA word. */
export function packColour(hex: string, alpha: number): number {
  const v = parseInt(hex.slice(1), 16);
  const r = (v >> 16) & 255;
  const g = (v >> 8) & 255;
  const b = v & 255;
  const a = Math.round(Math.max(0, Math.min(1, alpha)) * 255);
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}
