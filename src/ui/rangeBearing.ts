/**
 * Range and bearing as an operator reads them: the distance between two points on the WGS84
 * ellipsoid and the initial true bearing from the first to the second, and the distance and time
 * to go of an interceptor closing on its target. Pure functions, shared by the measuring tool,
 * the range rings and the Tasks tab, so every place says the same figure.
 *
 * Distances use Vincenty's inverse formula (Vincenty 1975, Survey Review 23(176)), good to
 * millimetres; it does not converge for nearly antipodal points, where the spherical
 * great-circle figure (within 0.5 %) is used instead. `workers/geo.ts` has a flat-frame distance
 * good over a scenario area; a ruler dragged across an ocean needs the ellipsoid.
 */
import type { EntityView, Position } from '../crdt/index.js';
import { formatCountdown } from './format.js';

const A = 6_378_137;
const F = 1 / 298.257223563;
const B = A * (1 - F);
/** Mean Earth radius (IUGG), for the spherical fallback and for destinations. */
const R = 6_371_008.8;
const DEG = Math.PI / 180;
const METRES_PER_NM = 1852;

export interface LatLonPoint {
  readonly lat: number;
  readonly lon: number;
}

export interface RangeBearing {
  /** Metres along the ellipsoid. */
  readonly distanceM: number;
  /** Initial bearing, degrees true in [0, 360). */
  readonly bearingDeg: number;
}

const norm360 = (deg: number): number => ((deg % 360) + 360) % 360;

/** Great-circle range and initial bearing on a sphere: the fallback, and a check in tests. */
export function sphericalRangeBearing(a: LatLonPoint, b: LatLonPoint): RangeBearing {
  const p1 = a.lat * DEG;
  const p2 = b.lat * DEG;
  const dl = (b.lon - a.lon) * DEG;
  const h = Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
  const distanceM = 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
  const y = Math.sin(dl) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return { distanceM, bearingDeg: norm360(Math.atan2(y, x) / DEG) };
}

/** Range and initial bearing from `a` to `b` on the WGS84 ellipsoid. */
export function rangeBearing(a: LatLonPoint, b: LatLonPoint): RangeBearing {
  if (a.lat === b.lat && a.lon === b.lon) return { distanceM: 0, bearingDeg: 0 };
  const L = (b.lon - a.lon) * DEG;
  const U1 = Math.atan((1 - F) * Math.tan(a.lat * DEG));
  const U2 = Math.atan((1 - F) * Math.tan(b.lat * DEG));
  const sinU1 = Math.sin(U1);
  const cosU1 = Math.cos(U1);
  const sinU2 = Math.sin(U2);
  const cosU2 = Math.cos(U2);
  let lambda = L;
  for (let i = 0; i < 200; i++) {
    const sinL = Math.sin(lambda);
    const cosL = Math.cos(lambda);
    const sinSigma = Math.hypot(cosU2 * sinL, cosU1 * sinU2 - sinU1 * cosU2 * cosL);
    if (sinSigma === 0) return { distanceM: 0, bearingDeg: 0 };
    const cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
    const sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinL) / sinSigma;
    const cos2Alpha = 1 - sinAlpha * sinAlpha;
    // On the equator cos²α is 0 and the term below is 0 too.
    const cos2SigmaM = cos2Alpha === 0 ? 0 : cosSigma - (2 * sinU1 * sinU2) / cos2Alpha;
    const C = (F / 16) * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha));
    const previous = lambda;
    lambda = L + (1 - C) * F * sinAlpha * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    if (Math.abs(lambda - previous) < 1e-12) {
      const u2 = (cos2Alpha * (A * A - B * B)) / (B * B);
      const bigA = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
      const bigB = (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
      const dSigma =
        bigB * sinSigma * (cos2SigmaM + (bigB / 4) * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) - (bigB / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
      const bearing = Math.atan2(cosU2 * Math.sin(lambda), cosU1 * sinU2 - sinU1 * cosU2 * Math.cos(lambda));
      return { distanceM: B * bigA * (sigma - dSigma), bearingDeg: norm360(bearing / DEG) };
    }
  }
  // Nearly antipodal: Vincenty's iteration does not settle.
  return sphericalRangeBearing(a, b);
}

/** The point `distanceM` from `p` along the great circle leaving it at `bearingDeg` (sphere). */
export function destination(p: LatLonPoint, bearingDeg: number, distanceM: number): LatLonPoint {
  const d = distanceM / R;
  const t = bearingDeg * DEG;
  const p1 = p.lat * DEG;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(t));
  const l2 = p.lon * DEG + Math.atan2(Math.sin(t) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return { lat: p2 / DEG, lon: norm360(l2 / DEG + 180) - 180 };
}

/** "850 m", "12.4 km · 6.7 NM", "1,240 km · 670 NM". */
export function formatRange(m: number): string {
  if (m < 1000) return `${Math.round(m)} m`;
  const km = m < 100_000 ? (m / 1000).toFixed(1) : Math.round(m / 1000).toLocaleString('en-GB');
  const nmValue = m / METRES_PER_NM;
  const nm = nmValue < 100 ? nmValue.toFixed(1) : Math.round(nmValue).toLocaleString('en-GB');
  return `${km} km · ${nm} NM`;
}

/** "045°": bearings are three digits, degrees true. */
export function formatBearing(deg: number): string {
  return `${String(Math.round(norm360(deg)) % 360).padStart(3, '0')}°`;
}

export interface InterceptGeometry extends RangeBearing {
  /** The rate at which the range shrinks, m/s (negative while it opens). */
  readonly closingMps: number;
  /** Seconds until the range is zero at the present closing rate; undefined while it opens. */
  readonly timeToGoS: number | undefined;
}

/** Velocity as east/north metres per second. */
function velocityEN(view: EntityView): { e: number; n: number } {
  const v = view.components.velocity;
  if (!v) return { e: 0, n: 0 };
  return { e: v.speed * Math.sin(v.heading * DEG), n: v.speed * Math.cos(v.heading * DEG) };
}

/**
 * Range, bearing and time to go from an interceptor to its target: the closing rate is the
 * relative velocity along the line of sight, so a target flying away lengthens the time (or
 * opens the range) as it would in the air. Undefined when either has no position.
 */
export function interceptGeometry(interceptor: EntityView, target: EntityView): InterceptGeometry | undefined {
  const from: Position | undefined = interceptor.components.position;
  const to: Position | undefined = target.components.position;
  if (!from || !to) return undefined;
  const rb = rangeBearing(from, to);
  const a = velocityEN(interceptor);
  const b = velocityEN(target);
  const los = { e: Math.sin(rb.bearingDeg * DEG), n: Math.cos(rb.bearingDeg * DEG) };
  const closingMps = (a.e - b.e) * los.e + (a.n - b.n) * los.n;
  // Half a metre a second is standing still, not closing over days.
  return { ...rb, closingMps, timeToGoS: closingMps > 0.5 ? rb.distanceM / closingMps : undefined };
}

/** "12.4 km · 6.7 NM, brg 045°, 1:38 to go" or "… opening". */
export function interceptLine(g: InterceptGeometry): string {
  const toGo = g.timeToGoS === undefined ? 'opening' : `${formatCountdown(g.timeToGoS * 1000)} to go`;
  return `${formatRange(g.distanceM)}, brg ${formatBearing(g.bearingDeg)}, ${toGo}`;
}

/**
 * Points along the great circle from `a` to `b` (sphere), `segments + 1` of them, with
 * longitudes made continuous (a line across the antimeridian goes on past ±180 rather than
 * back across the whole map), so a straight Leaflet polyline through them draws the route.
 */
export function greatCirclePoints(a: LatLonPoint, b: LatLonPoint, segments = 64): LatLonPoint[] {
  const toVector = (p: LatLonPoint): [number, number, number] => [Math.cos(p.lat * DEG) * Math.cos(p.lon * DEG), Math.cos(p.lat * DEG) * Math.sin(p.lon * DEG), Math.sin(p.lat * DEG)];
  const va = toVector(a);
  const vb = toVector(b);
  const dot = Math.max(-1, Math.min(1, va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2]));
  const omega = Math.acos(dot);
  const points: LatLonPoint[] = [];
  let previousLon = a.lon;
  for (let i = 0; i <= segments; i++) {
    const t = i / segments;
    let v: [number, number, number];
    if (omega < 1e-9 || Math.sin(omega) < 1e-9) v = i === segments ? vb : va;
    else {
      const s = Math.sin(omega);
      const ka = Math.sin((1 - t) * omega) / s;
      const kb = Math.sin(t * omega) / s;
      v = [ka * va[0] + kb * vb[0], ka * va[1] + kb * vb[1], ka * va[2] + kb * vb[2]];
    }
    const lat = Math.atan2(v[2], Math.hypot(v[0], v[1])) / DEG;
    let lon = Math.atan2(v[1], v[0]) / DEG;
    while (lon - previousLon > 180) lon -= 360;
    while (lon - previousLon < -180) lon += 360;
    previousLon = lon;
    points.push({ lat, lon });
  }
  return points;
}
