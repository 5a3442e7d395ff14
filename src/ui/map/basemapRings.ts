/**
 * Natural Earth geometry as rings in Web Mercator pixels at zoom 0 (a 256 px world), ready to
 * draw on a plane.
 *
 * The data lives on a sphere: a ring may cross the antimeridian (Chukotka, Fiji, the Eurasia
 * ring itself) with a step from +180° to -180°, and Antarctica's ring goes once round the
 * South Pole. Drawn as they are, those steps became horizontal seams across the whole world
 * (65° N and 16.5° S) and the even-odd fill swapped land and sea north of them. Here a ring is
 * unwrapped (each step of more than 180° is undone by ±360°), so it is a plain shape that may
 * reach past ±180° and is drawn once per world copy in view; a ring that goes round a pole is
 * closed along the map's edge on that pole's side.
 */
import type { Feature, FeatureCollection, MultiLineString, Position } from 'geojson';
import { projectX, projectY } from './mercator.js';

/** Zoom-0 pixels of one world's width. */
export const WORLD = 256;

/** A basemap made ready to draw: land rings (filled) and border lines. */
export interface BasemapRings {
  readonly land: readonly Ring[];
  readonly borders: readonly Ring[];
}

export interface Ring {
  /** x, y pairs in zoom-0 Web Mercator pixels; x unwrapped, so it may leave [0, 256]. */
  readonly coords: Float64Array;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
  /**
   * For a ring that goes once round a pole: the y of the map edge to close it along (0 north,
   * 256 south) when it is filled; undefined for an ordinary ring.
   */
  readonly poleY: number | undefined;
}

/** One ring of lon/lat positions, unwrapped across the antimeridian and projected. */
export function ringOf(points: readonly Position[]): Ring {
  const coords = new Float64Array(points.length * 2);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let shift = 0;
  let previous = NaN;
  let latSum = 0;
  for (let i = 0; i < points.length; i++) {
    const [lon, lat] = points[i]!;
    if (i > 0) {
      const step = lon! - previous;
      if (step > 180) shift -= 360;
      else if (step < -180) shift += 360;
    }
    previous = lon!;
    latSum += lat!;
    const x = projectX(lon! + shift);
    const y = projectY(lat!);
    coords[i * 2] = x;
    coords[i * 2 + 1] = y;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  // Unwrapped, a ring that circles a pole ends a world's width from where it started.
  const n = points.length;
  const aroundPole = n > 1 && Math.abs(coords[(n - 1) * 2]! - coords[0]!) > WORLD / 2;
  const poleY = aroundPole ? (latSum < 0 ? WORLD : 0) : undefined;
  if (poleY !== undefined) {
    minY = Math.min(minY, poleY);
    maxY = Math.max(maxY, poleY);
  }
  return { coords, minX, minY, maxX, maxY, poleY };
}

/** Every linear ring of the land polygons (outer rings and holes). */
export function landRings(land: Feature | FeatureCollection): Ring[] {
  const out: Ring[] = [];
  const features = land.type === 'FeatureCollection' ? land.features : [land];
  for (const f of features) {
    const g = f.geometry;
    if (g?.type === 'Polygon') for (const r of g.coordinates) out.push(ringOf(r));
    else if (g?.type === 'MultiPolygon') for (const p of g.coordinates) for (const r of p) out.push(ringOf(r));
  }
  return out;
}

/** The border lines (open rings: never filled, never closed). */
export function borderLines(borders: MultiLineString): Ring[] {
  return borders.coordinates.map(ringOf);
}
