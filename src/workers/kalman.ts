/**
 * Constant-velocity Kalman filter in a local east-north frame (Bar-Shalom, Li & Kirubarajan,
 * "Estimation with Applications to Tracking and Navigation", 2001, §6.3: the continuous white
 * noise acceleration model). State [x, y, vx, vy] in m and m/s; covariance row-major 4×4.
 * Hand-written small-matrix code: a tick of 1,000 tracks runs thousands of these.
 */
import type { Cov2 } from './sensors.js';

export type Vec4 = Float64Array;
export type Mat4 = Float64Array;

export function newState(x: number, y: number, vx: number, vy: number): Vec4 {
  return Float64Array.of(x, y, vx, vy);
}

export function diagCov(pp: number, vv: number): Mat4 {
  const P = new Float64Array(16);
  P[0] = P[5] = pp;
  P[10] = P[15] = vv;
  return P;
}

/**
 * Predicts over dt seconds with process noise intensity q (m²/s³): P ← F P Fᵀ + Q with
 * Q = q·[[dt³/3, dt²/2], [dt²/2, dt]] per axis.
 */
export function predict(x: Vec4, P: Mat4, dt: number, q: number): void {
  if (dt <= 0) return;
  x[0]! += dt * x[2]!;
  x[1]! += dt * x[3]!;
  // P ← F P: rows 0 and 1 gain dt × rows 2 and 3.
  for (let c = 0; c < 4; c++) {
    P[c]! += dt * P[8 + c]!;
    P[4 + c]! += dt * P[12 + c]!;
  }
  // P ← P Fᵀ: columns 0 and 1 gain dt × columns 2 and 3.
  for (let r = 0; r < 4; r++) {
    P[r * 4]! += dt * P[r * 4 + 2]!;
    P[r * 4 + 1]! += dt * P[r * 4 + 3]!;
  }
  const q3 = (q * dt * dt * dt) / 3;
  const q2 = (q * dt * dt) / 2;
  const q1 = q * dt;
  P[0]! += q3;
  P[5]! += q3;
  P[2]! += q2;
  P[8]! += q2;
  P[7]! += q2;
  P[13]! += q2;
  P[10]! += q1;
  P[15]! += q1;
}

/** Innovation of a 2-vector measurement of components (i, i+1) and its covariance S = HPHᵀ + R. */
export interface Innovation {
  readonly dx: number;
  readonly dy: number;
  readonly see: number;
  readonly sen: number;
  readonly snn: number;
}

export function innovation(x: Vec4, P: Mat4, zx: number, zy: number, R: Cov2, offset = 0): Innovation {
  const i = offset;
  return {
    dx: zx - x[i]!,
    dy: zy - x[i + 1]!,
    see: P[i * 4 + i]! + R.ee,
    sen: P[i * 4 + i + 1]! + R.en,
    snn: P[(i + 1) * 4 + i + 1]! + R.nn,
  };
}

/** An innovation to fill in place: gating tests many pairs and keeps few. */
export type InnovationScratch = { -readonly [K in keyof Innovation]: Innovation[K] };

export function newInnovationScratch(): InnovationScratch {
  return { dx: 0, dy: 0, see: 0, sen: 0, snn: 0 };
}

/** `innovation`, written into `out` (same arithmetic) and returned. */
export function innovationInto(out: InnovationScratch, x: Vec4, P: Mat4, zx: number, zy: number, R: Cov2, offset = 0): Innovation {
  const i = offset;
  out.dx = zx - x[i]!;
  out.dy = zy - x[i + 1]!;
  out.see = P[i * 4 + i]! + R.ee;
  out.sen = P[i * 4 + i + 1]! + R.en;
  out.snn = P[(i + 1) * 4 + i + 1]! + R.nn;
  return out;
}

export function detS(v: Innovation): number {
  return v.see * v.snn - v.sen * v.sen;
}

/** Squared Mahalanobis distance νᵀ S⁻¹ ν: chi-square with 2 degrees of freedom under the hypothesis. */
export function mahalanobis2(v: Innovation): number {
  const det = detS(v);
  if (!(det > 0)) return Infinity;
  return (v.snn * v.dx * v.dx - 2 * v.sen * v.dx * v.dy + v.see * v.dy * v.dy) / det;
}

const SCRATCH_K = new Float64Array(8);
const SCRATCH_H0 = new Float64Array(4);
const SCRATCH_H1 = new Float64Array(4);

/**
 * Updates with a 2-vector measurement of components (offset, offset+1): position (0) or
 * velocity (2). Independent position and velocity measurements are processed one after the
 * other, which is exact for a block-diagonal R.
 */
export function update(x: Vec4, P: Mat4, v: Innovation, offset = 0): void {
  const det = detS(v);
  if (!(det > 0)) return;
  const i0 = offset;
  const i1 = offset + 1;
  const a = v.snn / det;
  const b = -v.sen / det;
  const d = v.see / det;
  // K = P Hᵀ S⁻¹ (4×2), in scratch space: this runs thousands of times a tick.
  const K = SCRATCH_K;
  for (let r = 0; r < 4; r++) {
    const p0 = P[r * 4 + i0]!;
    const p1 = P[r * 4 + i1]!;
    K[r * 2] = p0 * a + p1 * b;
    K[r * 2 + 1] = p0 * b + p1 * d;
  }
  for (let r = 0; r < 4; r++) x[r]! += K[r * 2]! * v.dx + K[r * 2 + 1]! * v.dy;
  // P ← P − K H P (H P is rows i0, i1 of P), then symmetrised against rounding.
  const h0 = SCRATCH_H0;
  const h1 = SCRATCH_H1;
  for (let c = 0; c < 4; c++) {
    h0[c] = P[i0 * 4 + c]!;
    h1[c] = P[i1 * 4 + c]!;
  }
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) P[r * 4 + c]! -= K[r * 2]! * h0[c]! + K[r * 2 + 1]! * h1[c]!;
  }
  for (let r = 0; r < 4; r++) {
    for (let c = r + 1; c < 4; c++) {
      const m = (P[r * 4 + c]! + P[c * 4 + r]!) / 2;
      P[r * 4 + c] = m;
      P[c * 4 + r] = m;
    }
  }
}

/** 1-sigma error ellipse of the position block: semi-axes (m) and major-axis bearing (deg from north). */
export function errorEllipse(P: Mat4): { major: number; minor: number; orientationDeg: number } {
  const ee = P[0]!;
  const nn = P[5]!;
  const en = P[1]!;
  const mean = (ee + nn) / 2;
  const diff = Math.sqrt(((ee - nn) / 2) ** 2 + en * en);
  const l1 = mean + diff;
  const l2 = Math.max(mean - diff, 0);
  // Eigenvector of l1 is (en, l1 − ee) in (east, north); its bearing is atan2(east, north).
  const bearing = Math.abs(en) < 1e-12 ? (ee > nn ? 90 : 0) : (((Math.atan2(en, l1 - ee) * 180) / Math.PI) % 180 + 180) % 180;
  return { major: Math.sqrt(l1), minor: Math.sqrt(l2), orientationDeg: bearing };
}
