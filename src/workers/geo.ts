/**
 * Geodesy good to metres over a scenario area: WGS84 radii of curvature, dead reckoning along
 * the ellipsoid, and a local east-north frame for the filter.
 *
 * Dead reckoning steps with the radii at the current latitude, so a 1 s step at 250 m/s is
 * exact to millimetres and errors do not grow with the distance flown. The frame is an
 * equirectangular map about the scenario origin: exactly invertible (a fused position written
 * back to the document is where the filter put it), but its east-west scale drifts by
 * tan(lat)·Δlat away from the origin's latitude (1.2 % at 50 km north of a 55° origin). The filter
 * only compares points a few kilometres apart, where that is centimetres to metres; distances
 * that are scored use `distanceM`, which takes the radii at the midpoint.
 */
import type { Position } from '../crdt/index.js';

const A = 6_378_137; // WGS84 semi-major axis, m
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const DEG = Math.PI / 180;

/** Meridional radius of curvature M and prime-vertical radius N at a latitude (degrees). */
export function radii(latDeg: number): { m: number; n: number } {
  const w = radiusDivisor(latDeg);
  return { m: meridionalRadius(w), n: primeVerticalRadius(w) };
}

/** √(1 − e² sin² φ), from which both radii follow (apart, so hot paths need no `radii` object). */
function radiusDivisor(latDeg: number): number {
  const s = Math.sin(latDeg * DEG);
  return Math.sqrt(1 - E2 * s * s);
}

function meridionalRadius(w: number): number {
  return (A * (1 - E2)) / (w * w * w);
}

function primeVerticalRadius(w: number): number {
  return A / w;
}

/** A latitude and longitude to overwrite: `offsetInto` and `deadReckonInto` write into one. */
export interface LatLon {
  lat: number;
  lon: number;
}

/** Moves a position by `east`/`north` metres along the ellipsoid (a short step). */
export function offset(p: Position, east: number, north: number): Position {
  const to = offsetInto(OFFSET_SCRATCH, p.lat, p.lon, east, north);
  return { lat: to.lat, lon: to.lon, alt: p.alt };
}

const OFFSET_SCRATCH: LatLon = { lat: 0, lon: 0 };

/** `offset` on bare coordinates, written into `out`: for hot loops that need no object per step. */
export function offsetInto(out: LatLon, lat: number, lon: number, east: number, north: number): LatLon {
  const w = radiusDivisor(lat);
  // cos φ is 0 at a pole, where an east step would be infinite: any longitude will do there.
  let toLon = lon + east / (primeVerticalRadius(w) * Math.max(Math.cos(lat * DEG), 1e-9)) / DEG;
  let toLat = lat + north / meridionalRadius(w) / DEG;
  // Over a pole the step comes down the other side, on the opposite meridian: a target the
  // page admits may fly over one, and a latitude past ±90 is refused by every store.
  if (Math.abs(toLat) > 90) {
    toLat = Math.sign(toLat) * 180 - toLat;
    toLon += 180;
  }
  out.lat = Math.max(-90, Math.min(90, toLat));
  out.lon = wrapLon(toLon);
  return out;
}

/** Whether a step of `north` metres from `lat` passes over a pole (the heading then turns round). */
export function crossesPole(lat: number, north: number): boolean {
  // A degree of latitude is over 110 km: far from a pole no step reaches it (the truth asks
  // this for every target at every step).
  if (Math.abs(lat) + Math.abs(north) / 110_000 < 90) return false;
  return Math.abs(lat + north / meridionalRadius(radiusDivisor(lat)) / DEG) > 90;
}

/** A longitude in [-180, 180] (unchanged when it is in range already). */
export function wrapLon(lon: number): number {
  if (lon >= -180 && lon <= 180) return lon;
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/** Dead reckoning: where a craft at `p` with ground speed (m/s) and heading (deg) is after dt s. */
export function deadReckon(p: Position, speed: number, headingDeg: number, dt: number): Position {
  const h = headingDeg * DEG;
  return offset(p, speed * dt * Math.sin(h), speed * dt * Math.cos(h));
}

/** `deadReckon` on bare coordinates, written into `out`. */
export function deadReckonInto(out: LatLon, lat: number, lon: number, speed: number, headingDeg: number, dt: number): LatLon {
  const h = headingDeg * DEG;
  return offsetInto(out, lat, lon, speed * dt * Math.sin(h), speed * dt * Math.cos(h));
}

/** A local east-north frame about an origin; x east and y north in metres. */
export class LocalFrame {
  readonly origin: Position;
  private readonly mPerDegLat: number;
  private readonly mPerDegLon: number;

  constructor(origin: Position) {
    this.origin = origin;
    const { m, n } = radii(origin.lat);
    this.mPerDegLat = m * DEG;
    this.mPerDegLon = n * Math.cos(origin.lat * DEG) * DEG;
  }

  toLocal(p: Position): { x: number; y: number } {
    return { x: this.eastOf(p), y: this.northOf(p) };
  }

  /** `toLocal(p).x` without the object: hot loops ask this for every observation. */
  eastOf(p: Position): number {
    let dLon = p.lon - this.origin.lon;
    if (dLon > 180) dLon -= 360;
    if (dLon < -180) dLon += 360;
    return dLon * this.mPerDegLon;
  }

  /** `toLocal(p).y` without the object. */
  northOf(p: Position): number {
    return (p.lat - this.origin.lat) * this.mPerDegLat;
  }

  toGeo(x: number, y: number, alt = 0): Position {
    return { lat: Math.max(-90, Math.min(90, this.origin.lat + y / this.mPerDegLat)), lon: wrapLon(this.origin.lon + x / this.mPerDegLon), alt };
  }
}

/** Heading in degrees [0, 360) of a velocity given east/north components. */
export function headingOf(vx: number, vy: number): number {
  const h = Math.atan2(vx, vy) / DEG;
  return h < 0 ? h + 360 : h;
}

export const KNOT = 1852 / 3600; // m/s

/** Distance in metres between two nearby positions (radii at the midpoint; metres over 100 km). */
export function distanceM(a: Position, b: Position): number {
  const mid = (a.lat + b.lat) / 2;
  const w = radiusDivisor(mid);
  const m = meridionalRadius(w);
  const n = primeVerticalRadius(w);
  let dLon = b.lon - a.lon;
  if (dLon > 180) dLon -= 360;
  if (dLon < -180) dLon += 360;
  const dx = dLon * DEG * n * Math.cos(mid * DEG);
  const dy = (b.lat - a.lat) * DEG * m;
  return Math.hypot(dx, dy);
}
