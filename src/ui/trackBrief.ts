/**
 * What an operator needs to read off a track before deciding on it: its name, speed, altitude,
 * heading, where its picture comes from, and how far it is from the nearest friendly asset and
 * how soon it could be there. A pure function of the entity and the assets, so the queue's card,
 * the history and the tests agree.
 */
import type { EntityView, Position } from '../crdt/index.js';
import { distanceM } from '../workers/geo.js';
import { trackName } from './trackName.js';

export interface NearestAsset {
  readonly name: string;
  readonly distanceM: number;
  /** Seconds until the track reaches it at its present closing speed; undefined when opening. */
  readonly timeToGoS: number | undefined;
}

export interface TrackBrief {
  readonly name: string;
  readonly speedMps: number | undefined;
  readonly altitudeM: number | undefined;
  readonly headingDeg: number | undefined;
  /** Sensors behind the track ("eo-1", "radar-1"), or the writer's kind for a single source. */
  readonly sources: readonly string[];
  readonly nearest: NearestAsset | undefined;
}

/** Assets the mesh defends: every `asset` not declared something other than friendly. */
export function isDefendedAsset(view: EntityView): boolean {
  return view.type === 'asset' && (view.components.affiliation?.value ?? 'friend') === 'friend';
}

/** Initial bearing from `a` to `b` in degrees true, on a local flat frame (fine within ~100 km). */
function bearingDeg(a: Position, b: Position): number {
  const mid = ((a.lat + b.lat) / 2) * (Math.PI / 180);
  let dLon = b.lon - a.lon;
  if (dLon > 180) dLon -= 360;
  if (dLon < -180) dLon += 360;
  const deg = (Math.atan2(dLon * Math.cos(mid), b.lat - a.lat) * 180) / Math.PI;
  return deg < 0 ? deg + 360 : deg;
}

/** The sensor a source id came from: "eo-1.42" and "radar-1@7#3" both name their sensor first. */
function sensorOf(sourceId: string): string {
  return sourceId.replace(/^scn\./, '').split(/[.@#]/)[0] || sourceId;
}

function sourcesOf(view: EntityView): string[] {
  const fused = view.components.fusion?.sourceIds;
  if (fused && fused.length > 0) return [...new Set(fused.map(sensorOf))];
  const source = view.components.source;
  return source ? [source.sensorId] : [];
}

/** The nearest of `assets` to `view`, with the time to go at its closing speed. */
export function nearestAsset(view: EntityView, assets: readonly EntityView[]): NearestAsset | undefined {
  const at = view.components.position;
  if (!at) return undefined;
  let best: { asset: EntityView; d: number } | undefined;
  for (const asset of assets) {
    const p = asset.components.position;
    if (!p || asset.id === view.id) continue;
    const d = distanceM(at, p);
    if (!best || d < best.d) best = { asset, d };
  }
  if (!best) return undefined;
  const v = view.components.velocity;
  // Closing speed: the part of the track's velocity along the line to the asset.
  const closing = v ? v.speed * Math.cos(((v.heading - bearingDeg(at, best.asset.components.position!)) * Math.PI) / 180) : 0;
  return { name: trackName(best.asset), distanceM: best.d, timeToGoS: closing > 0.5 ? best.d / closing : undefined };
}

export function trackBrief(view: EntityView, assets: readonly EntityView[]): TrackBrief {
  return {
    name: trackName(view),
    speedMps: view.components.velocity?.speed,
    altitudeM: view.components.position?.alt,
    headingDeg: view.components.velocity?.heading,
    sources: sourcesOf(view),
    nearest: nearestAsset(view, assets),
  };
}
