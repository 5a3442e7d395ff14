/**
 * The map's start view: every track framed, with room round the edges so a symbol, its threat
 * ring and its label are whole (a high-threat track half off-screen at start was easy to
 * miss). Until the operator takes the map (a press, a wheel, a key on it), the view follows
 * the picture as it fills: new tracks arriving outside the view, or the map changing size,
 * frame everything again (tracks that only move do not: the view would creep outwards as
 * they drift). After that the view is the operator's.
 */
import * as L from './leaflet.js';
import type { TrackCanvas } from './TrackCanvas.js';

/** Room kept round the framed tracks (px): symbols and rings on every side, labels to the right. */
const PAD_TOP_LEFT = L.point(40, 48);
const PAD_BOTTOM_RIGHT = L.point(96, 48);
/** At most one look per this many ms while tracks pour in. */
const CHECK_MS = 250;
const MAX_ZOOM = 10;

export class StartView {
  private taken = false;
  private framed = false;
  /** How many marks there were at the last look. */
  private seen = 0;
  private lastCheck = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly map: L.Map,
    private readonly tracks: TrackCanvas,
  ) {
    const el = map.getContainer();
    el.addEventListener('pointerdown', this.take, { passive: true });
    el.addEventListener('wheel', this.take, { passive: true });
    el.addEventListener('keydown', this.take, { passive: true });
  }

  /** Whether the view still follows the picture (the operator has not moved the map). */
  get following(): boolean {
    return !this.taken;
  }

  /** The view is the operator's from now on. */
  readonly take = (): void => {
    this.taken = true;
    clearTimeout(this.timer);
  };

  /** Frames every track if some lies outside the view (or `force`, e.g. after a resize). */
  update(force = false): void {
    if (this.taken) return;
    const wait = this.lastCheck + CHECK_MS - performance.now();
    if (wait > 0 && !force) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.update();
      }, wait);
      return;
    }
    this.lastCheck = performance.now();
    const count = this.tracks.size;
    const grew = count > this.seen;
    this.seen = count;
    if (this.framed && !force && !grew) return;
    const bounds = this.tracks.bounds();
    if (!bounds) return;
    if (this.framed && !force && this.inView(bounds)) return;
    this.framed = true;
    this.map.fitBounds(bounds, { paddingTopLeft: PAD_TOP_LEFT, paddingBottomRight: PAD_BOTTOM_RIGHT, maxZoom: MAX_ZOOM, animate: false });
  }

  destroy(): void {
    const el = this.map.getContainer();
    el.removeEventListener('pointerdown', this.take);
    el.removeEventListener('wheel', this.take);
    el.removeEventListener('keydown', this.take);
    clearTimeout(this.timer);
  }

  /** Whether the bounds lie inside the view less its padding. */
  private inView(bounds: L.LatLngBounds): boolean {
    const size = this.map.getSize();
    const nw = this.map.latLngToContainerPoint(bounds.getNorthWest());
    const se = this.map.latLngToContainerPoint(bounds.getSouthEast());
    return nw.x >= PAD_TOP_LEFT.x && nw.y >= PAD_TOP_LEFT.y && se.x <= size.x - PAD_BOTTOM_RIGHT.x && se.y <= size.y - PAD_BOTTOM_RIGHT.y;
  }
}
