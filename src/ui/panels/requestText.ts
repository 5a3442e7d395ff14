/** The lines of a request card that describe its track, in the units operators use. */
import { formatCountdown, knots } from '../format.js';
import type { TrackBrief } from '../trackBrief.js';

/** "420 kn · 6,100 m · hdg 085° · eo-1, radar-1". */
export function briefLine(b: TrackBrief): string {
  const parts = [
    b.speedMps === undefined ? 'speed —' : `${Math.round(knots(b.speedMps))} kn`,
    b.altitudeM === undefined ? 'alt —' : `${Math.round(b.altitudeM).toLocaleString('en-GB')} m`,
    b.headingDeg === undefined ? 'hdg —' : `hdg ${String(Math.round(b.headingDeg) % 360).padStart(3, '0')}°`,
    b.sources.length === 0 ? 'no sources' : b.sources.join(', '),
  ];
  return parts.join(' · ');
}

/** "12.4 km to base-north, 1:38 to go" or "… opening": the nearest friendly asset. */
export function nearestLine(b: TrackBrief): string {
  const n = b.nearest;
  if (!n) return 'no friendly asset known';
  const km = n.distanceM >= 10_000 ? (n.distanceM / 1000).toFixed(0) : (n.distanceM / 1000).toFixed(1);
  const toGo = n.timeToGoS === undefined ? 'opening' : `${formatCountdown(n.timeToGoS * 1000)} to go`;
  return `${km} km to ${n.name}, ${toGo}`;
}
