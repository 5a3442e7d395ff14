/**
 * Which marks in view are drawn when they crowd each other. The view is cut into cells two
 * symbols wide, fixed to the map (so groups do not shimmer as it pans), and each cell draws
 * its most important framed symbol with the count of the rest; raw plots are thinned on a
 * finer grid of their own (a plot is about 9 px), one per spot, so thousands stay a texture
 * rather than a smear. The selected and highlighted tracks are drawn on their own, beside
 * their group (the selection never hides a threat); geographic points are few and always
 * drawn. Zoomed in far enough, every cell holds one mark and nothing is folded.
 */
import type { TrackState } from './TrackState.js';

/** Raw plots closer than this (px) are one mark. */
const PLOT_CELL = 6;
/** Cells per row of the key space (keys stay small integers, which a Map hashes fastest). */
const ROW = 1 << 15;

/**
 * Which of several crowded marks stands for the group: threat first, then hostile or suspect
 * identity, then assets before tracks.
 */
export function priorityOf(t: TrackState): number {
  const threat = t.threat === 'high' ? 400 : t.threat === 'medium' ? 300 : t.threat === 'low' ? 100 : 0;
  const identity = t.identity === 'H' || t.identity === 'S' ? 50 : t.identity === 'F' ? 20 : 0;
  return threat + identity + (t.kind === 'symbol' ? 10 : 5);
}

export class Declutter {
  /** Per mark in view: 1 where it is drawn (not folded into a group). */
  shown = new Uint8Array(0);
  /** Per drawn symbol: how many marks it stands for, and how many of them are high threats. */
  size = new Uint16Array(0);
  high = new Uint16Array(0);
  private readonly groups = new Map<number, number>();

  /**
   * Decides for the marks in view, whose canvas positions are `x`, `y` (the canvas's top left
   * is at `ox`, `oy` in world pixels at this zoom). Returns the framed symbols drawn.
   */
  run(
    visible: readonly TrackState[],
    x: Float32Array,
    y: Float32Array,
    view: { readonly symbolSize: number; readonly ox: number; readonly oy: number },
    alwaysShown: (id: string) => boolean,
  ): number {
    const n = visible.length;
    if (this.shown.length < n) {
      this.shown = new Uint8Array(n * 2);
      this.size = new Uint16Array(n * 2);
      this.high = new Uint16Array(n * 2);
    }
    const { shown, size, high, groups } = this;
    groups.clear();
    const cell = Math.round(view.symbolSize * 2);
    let symbols = 0;
    for (let i = 0; i < n; i++) {
      const t = visible[i]!;
      size[i] = 0;
      high[i] = 0;
      if (t.kind === 'point' || alwaysShown(t.id)) {
        shown[i] = 1;
        if (t.kind !== 'point') symbols++;
        continue;
      }
      shown[i] = 0;
      const plot = t.kind === 'plot';
      const c = plot ? PLOT_CELL : cell;
      // World-fixed cells, numbered from the one at the canvas's top left (the canvas is
      // never near ROW cells across); plots and symbols in separate halves of the key space.
      const col = Math.floor((x[i]! + view.ox) / c) - Math.floor(view.ox / c) + 1;
      const row = Math.floor((y[i]! + view.oy) / c) - Math.floor(view.oy / c) + 1;
      const key = (row * ROW + col) * 2 + (plot ? 1 : 0);
      const lead = groups.get(key);
      if (lead === undefined) {
        groups.set(key, i);
        size[i] = 1;
        high[i] = t.threat === 'high' ? 1 : 0;
        continue;
      }
      const count = size[lead]! + 1;
      const highs = high[lead]! + (t.threat === 'high' ? 1 : 0);
      const winner = priorityOf(t) > priorityOf(visible[lead]!) ? i : lead;
      size[lead] = 0;
      high[lead] = 0;
      size[winner] = count;
      high[winner] = highs;
      groups.set(key, winner);
    }
    for (const i of groups.values()) {
      shown[i] = 1;
      if (visible[i]!.kind !== 'plot') symbols++;
      // A thinned plot carries no count: it is a texture, not a symbol.
      else size[i] = 1;
    }
    return symbols;
  }
}
