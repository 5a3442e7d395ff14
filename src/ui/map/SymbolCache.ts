/**
 * MIL-STD-2525 symbols rendered once per (SIDC, size, pixel ratio) into a bitmap, so drawing
 * thousands of tracks each frame is one `drawImage` per track rather than one symbol build.
 *
 * milsymbol is the largest part of the app's JavaScript (860 KB, 195 KB compressed: more than
 * the whole page), so it is loaded when the first symbol is asked for, not with the page: until
 * it arrives (a moment; the service worker keeps it offline) a track is drawn as its
 * affiliation's plain frame, and the owner is told to redraw once the real symbols can be made.
 */
type Milsymbol = typeof import('milsymbol').default;

let milsymbol: Milsymbol | undefined;
let loaded: Promise<void> | undefined;

/** Starts loading milsymbol (once); resolves once real symbols can be drawn (tests wait for it). */
export function whenSymbolsLoaded(): Promise<void> {
  loaded ??= import('milsymbol').then((module) => {
    milsymbol = module.default;
  });
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

  private waiting = false;

  constructor(
    private readonly pixelRatio = globalThis.devicePixelRatio || 1,
    /** Called once the real symbols can be drawn, if placeholders were handed out before. */
    private readonly onLoaded?: () => void,
  ) {}

  get size(): number {
    return this.bitmaps.size;
  }

  get(sidc: string, size: number): SymbolBitmap {
    const key = `${sidc}@${size}`;
    let bitmap = this.bitmaps.get(key);
    if (!bitmap) {
      const ms = milsymbol;
      if (ms === undefined) {
        this.whenLoaded();
        return this.placeholder(sidc, size);
      }
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

  /** Placeholders are out: load the real symbols and have the owner redraw with them. */
  private whenLoaded(): void {
    if (this.waiting) return;
    this.waiting = true;
    whenSymbolsLoaded().then(
      () => {
        this.bitmaps.clear();
        this.onLoaded?.();
      },
      // Offline before the service worker cached it: the plain frames stay, and say so once.
      (error: unknown) => console.error('Map symbols could not be loaded; tracks are drawn as plain frames.', error),
    );
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
   * The count of a group of overlapping marks drawn as one: a small dark pill with the number,
   * red-edged when the group hides more than one high threat.
   */
  badge(count: number, urgent: boolean): SymbolBitmap {
    const text = count > 99 ? '99+' : String(count);
    const key = `badge:${text}:${urgent ? 1 : 0}`;
    let bitmap = this.rings.get(key);
    if (!bitmap) {
      const font = 'bold 9px system-ui, "DejaVu Sans", sans-serif';
      const probe = document.createElement('canvas').getContext('2d')!;
      probe.font = font;
      const height = 12;
      const width = Math.max(height, Math.ceil(probe.measureText(text).width) + 6);
      const image = document.createElement('canvas');
      image.width = Math.ceil(width * this.pixelRatio);
      image.height = Math.ceil(height * this.pixelRatio);
      const ctx = image.getContext('2d')!;
      ctx.scale(this.pixelRatio, this.pixelRatio);
      ctx.beginPath();
      ctx.roundRect(0.5, 0.5, width - 1, height - 1, height / 2);
      ctx.fillStyle = 'rgba(5, 12, 18, 0.92)';
      ctx.fill();
      ctx.strokeStyle = urgent ? '#ff4d4d' : '#8aa4b6';
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.font = font;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = '#e6eef4';
      ctx.fillText(text, width / 2, height / 2 + 0.5);
      bitmap = { image, anchorX: width / 2, anchorY: height / 2, width, height, valid: true };
      this.rings.set(key, bitmap);
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

/** MIL-STD-2525 fill colours by affiliation (friend, hostile, neutral; anything else unknown). */
const FRAME_FILL: Record<string, string> = { F: '#80e0ff', A: '#80e0ff', D: '#80e0ff', M: '#80e0ff', H: '#ff8080', S: '#ff8080', J: '#ff8080', K: '#ff8080', N: '#aaffaa', L: '#aaffaa' };
