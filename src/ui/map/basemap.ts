/**
 * The offline basemap: Natural Earth land and country borders from the world-atlas package,
 * bundled with the app so the map works with no tile server and no internet. It comes at
 * several scales: the coarsest loads with the page, finer ones when the map zooms in far
 * enough to need them (`finer`).
 */
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { Feature, FeatureCollection, MultiLineString } from 'geojson';
import type { BasemapRings } from './basemapRings.js';

/** A more detailed basemap, loaded when the map is zoomed to `minZoom` or closer. */
export interface FinerBasemap {
  readonly minZoom: number;
  readonly load: () => Promise<Basemap>;
}

export interface Basemap {
  readonly land: Feature | FeatureCollection;
  /** Borders between countries (not coastlines). */
  readonly borders: MultiLineString;
  /** The source's scale as a person reads it, e.g. "1:50m". */
  readonly scale?: string;
  readonly finer?: FinerBasemap;
  /** The geometry already made ready to draw (in a worker); made from land and borders if absent. */
  readonly rings?: BasemapRings;
}

export interface BasemapOptions {
  readonly scale?: string;
  readonly finer?: FinerBasemap;
}

function isTopology(value: unknown): value is Topology<{ countries: GeometryCollection; land: GeometryCollection }> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; objects?: { countries?: unknown; land?: unknown } };
  return v.type === 'Topology' && typeof v.objects?.countries === 'object' && typeof v.objects?.land === 'object';
}

/** Converts a world-atlas topology into what the map draws. */
export function basemapFromTopology(topology: unknown, options: BasemapOptions = {}): Basemap {
  if (!isTopology(topology)) throw new Error('The basemap file is not a world-atlas countries topology.');
  return {
    land: feature(topology, topology.objects.land),
    borders: mesh(topology, topology.objects.countries, (a, b) => a !== b),
    ...options,
  };
}

/** Fetches and converts a world-atlas countries topology. */
export async function fetchBasemap(url: string, options: BasemapOptions = {}): Promise<Basemap> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`The offline basemap could not be loaded (${response.status} ${response.statusText}).`);
  return basemapFromTopology(await response.json(), options);
}
