/**
 * Where labels may go without covering each other or a symbol: a coarse occupancy grid over
 * the canvas, filled greedily in the order marks matter (selected, high threat, …), so when
 * two labels would collide the more important one is the one drawn.
 */
const CELL = 4;

export class LabelSpace {
  private cols = 0;
  private rows = 0;
  private taken = new Uint8Array(0);

  /** Empties the grid for a canvas of this size (CSS px). */
  reset(width: number, height: number): void {
    const cols = Math.ceil(width / CELL);
    const rows = Math.ceil(height / CELL);
    if (cols !== this.cols || rows !== this.rows) {
      this.cols = cols;
      this.rows = rows;
      this.taken = new Uint8Array(cols * rows);
    } else this.taken.fill(0);
  }

  /** Marks a box as used (a symbol drawn there). */
  occupy(x: number, y: number, w: number, h: number): void {
    this.walk(x, y, w, h, true);
  }

  /** Takes the box if none of it is used yet; returns whether it was free. */
  claim(x: number, y: number, w: number, h: number): boolean {
    if (!this.walk(x, y, w, h, false)) return false;
    this.walk(x, y, w, h, true);
    return true;
  }

  /** Visits the cells of a box: marks them, or reports whether all are free. */
  private walk(x: number, y: number, w: number, h: number, mark: boolean): boolean {
    const c0 = Math.max(0, Math.floor(x / CELL));
    const r0 = Math.max(0, Math.floor(y / CELL));
    const c1 = Math.min(this.cols - 1, Math.floor((x + w) / CELL));
    const r1 = Math.min(this.rows - 1, Math.floor((y + h) / CELL));
    for (let r = r0; r <= r1; r++) {
      const row = r * this.cols;
      for (let c = c0; c <= c1; c++) {
        if (mark) this.taken[row + c] = 1;
        else if (this.taken[row + c]) return false;
      }
    }
    return true;
  }
}
