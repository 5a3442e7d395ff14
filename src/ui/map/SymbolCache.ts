/**
 * MIL-STD-2525 symbols rendered once per (SIDC, size, pixel ratio) into a bitmap, so drawing
 * thousands of tracks each frame is one `drawImage` per track rather than one symbol build.
 *
 * milsymbol is most of the app's JavaScript (about 840 KB of 1.4 MB), so it is loaded after the
 * page: until it arrives (a moment; the service worker keeps it offline) a track is drawn as its
 * affiliation's plain frame, and the owner is told to redraw once the real symbols can be made.
 */
type Milsymbol = typeof import('milsymbol').default;

let milsymbol: Milsymbol | undefined;
const loaded: Promise<void> = import('milsymbol').then((module) => {
  milsymbol = module.default;
});

/** Resolves once real symbols can be drawn (tests wait for it). */
export function whenSymbolsLoaded(): Promise<void> {
  return loaded;
}

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

  constructor(
    private readonly pixelRatio = globalThis.devicePixelRatio || 1,
    /** Called once the real symbols can be drawn, if placeholders were handed out before. */
    onLoaded?: () => void,
  ) {
    if (milsymbol === undefined) {
      void loaded.then(() => {
        if (this.bitmaps.size === 0) return;
        this.bitmaps.clear();
        onLoaded?.();
      });
    }
  }

  get size(): number {
    return this.bitmaps.size;
  }

  get(sidc: string, size: number): SymbolBitmap {
    const key = `${sidc}@${size}`;
    let bitmap = this.bitmaps.get(key);
    if (!bitmap) {
      const ms = milsymbol;
      if (ms === undefined) return this.placeholder(sidc, size);
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

  /** The plain frame of the symbol's affiliation (SIDC position 2), cached like a symbol. */
  private placeholder(sidc: string, size: number): SymbolBitmap {
    const affiliation = sidc.charAt(1).toUpperCase();
    const key = `frame:${affiliation}@${size}`;
    let bitmap = this.bitmaps.get(key);
    if (bitmap) return bitmap;
    const side = Math.ceil(size * 1.2);
    const image = document.createElement('canvas');
    image.width = Math.ceil(side * this.pixelRatio);
    image.height = image.width;
    const ctx = image.getContext('2d')!;
    ctx.scale(this.pixelRatio, this.pixelRatio);
    const c = side / 2;
    const r = size / 2;
    ctx.beginPath();
    if (affiliation === 'H' || affiliation === 'S' || affiliation === 'J' || affiliation === 'K') {
      ctx.moveTo(c, c - r);
      ctx.lineTo(c + r, c);
      ctx.lineTo(c, c + r);
      ctx.lineTo(c - r, c);
      ctx.closePath();
    } else if (affiliation === 'F' || affiliation === 'A' || affiliation === 'D' || affiliation === 'M') ctx.rect(c - r * 1.2, c - r * 0.8, r * 2.4, r * 1.6);
    else if (affiliation === 'N' || affiliation === 'L') ctx.rect(c - r, c - r, 2 * r, 2 * r);
    else ctx.arc(c, c, r, 0, Math.PI * 2);
    ctx.fillStyle = FRAME_FILL[affiliation] ?? '#ffff80';
    ctx.fill();
    ctx.strokeStyle = 'rgba(5, 12, 18, 0.85)';
    ctx.lineWidth = 2;
    ctx.stroke();
    bitmap = { image, anchorX: c, anchorY: c, width: side, height: side, valid: true };
    this.bitmaps.set(key, bitmap);
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

/** MIL-STD-2525 fill colours by affiliation (friend, hostile, neutral; anything else unknown). */
const FRAME_FILL: Record<string, string> = { F: '#80e0ff', A: '#80e0ff', D: '#80e0ff', M: '#80e0ff', H: '#ff8080', S: '#ff8080', J: '#ff8080', K: '#ff8080', N: '#aaffaa', L: '#aaffaa' };
