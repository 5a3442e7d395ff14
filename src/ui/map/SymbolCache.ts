/**
 * MIL-STD-2525 symbols rendered once per (SIDC, size, pixel ratio) into a bitmap, so drawing
 * thousands of tracks each frame is one `drawImage` per track rather than one symbol build.
 */
import ms from 'milsymbol';

export interface SymbolBitmap {
  readonly image: HTMLCanvasElement;
  /** Where the symbol's insertion point lies in the bitmap, in CSS pixels. */
  readonly anchorX: number;
  readonly anchorY: number;
  /** Size in CSS pixels. */
  readonly width: number;
  readonly height: number;
  /** Whether milsymbol recognised the code (an unknown code still draws a framed "?"). */
  readonly valid: boolean;
}

export class SymbolCache {
  private readonly bitmaps = new Map<string, SymbolBitmap>();
  private readonly rings = new Map<string, SymbolBitmap>();

  constructor(private readonly pixelRatio = globalThis.devicePixelRatio || 1) {}

  get size(): number {
    return this.bitmaps.size;
  }

  get(sidc: string, size: number): SymbolBitmap {
    const key = `${sidc}@${size}`;
    let bitmap = this.bitmaps.get(key);
    if (!bitmap) {
      const symbol = new ms.Symbol(sidc, {
        size,
        outlineWidth: 3,
        outlineColor: 'rgba(5, 12, 18, 0.85)',
        strokeWidth: 4,
      });
      const anchor = symbol.getAnchor();
      const box = symbol.getSize();
      bitmap = {
        image: symbol.asCanvas(this.pixelRatio),
        anchorX: anchor.x,
        anchorY: anchor.y,
        width: box.width,
        height: box.height,
        valid: symbol.isValid() === true,
      };
      this.bitmaps.set(key, bitmap);
    }
    return bitmap;
  }

  /**
   * A circle outline of `radius` CSS pixels, drawn once: stroking thousands of antialiased arcs
   * per frame is slow to rasterise without a GPU, copying a bitmap is not.
   */
  ring(radius: number, lineWidth: number, colour: string): SymbolBitmap {
    const key = `${radius}/${lineWidth}/${colour}`;
    let bitmap = this.rings.get(key);
    if (!bitmap) {
      const size = Math.ceil(2 * radius + lineWidth + 2);
      const image = document.createElement('canvas');
      image.width = Math.ceil(size * this.pixelRatio);
      image.height = image.width;
      const ctx = image.getContext('2d')!;
      ctx.scale(this.pixelRatio, this.pixelRatio);
      ctx.beginPath();
      ctx.arc(size / 2, size / 2, radius, 0, Math.PI * 2);
      ctx.strokeStyle = colour;
      ctx.lineWidth = lineWidth;
      ctx.stroke();
      bitmap = { image, anchorX: size / 2, anchorY: size / 2, width: size, height: size, valid: true };
      this.rings.set(key, bitmap);
    }
    return bitmap;
  }
}
