import type { EntityView } from '../../src/crdt/index.js';
import { createTrack } from '../../src/ui/map/TrackState.js';
import { trackBrief } from '../../src/ui/trackBrief.js';
import { callsignOf, trackName, trackNumber } from '../../src/ui/trackName.js';
import { briefLine, nearestLine } from '../../src/ui/panels/requestText.js';
import { check, checkEqual } from './assert.js';

const stamp = { wall: 0, counter: 0, node: 'n' };
function view(id: string, type: EntityView['type'], components: EntityView['components']): EntityView {
  return { id, type, components, stamps: {}, created: stamp } as EntityView;
}

describe('track names and briefs', () => {
  it('names a track by a number derived from its id, the same everywhere, and an asset by its callsign', () => {
    const a = trackNumber('f.9c1e7a');
    check(/^TN \d{5}$/.test(a), `a track number: ${a}`);
    checkEqual(trackNumber('f.9c1e7a'), a, 'stable');
    check(trackNumber('f.9c1e7b') !== a, 'ids one character apart differ');
    const numbers = new Set(Array.from({ length: 200 }, (_, i) => trackNumber(`f.${i.toString(16)}`)));
    check(numbers.size >= 199, `200 ids, ${numbers.size} numbers`);
    const base = view('scn.base-north', 'asset', { position: { lat: 52.62, lon: 4.25, alt: 0 } });
    checkEqual(callsignOf(base), 'base-north', 'the scenario prefix is not part of the callsign');
    checkEqual(trackName(base), 'base-north', 'an asset goes by its callsign');
    const track = view('f.9c1e7a', 'track', { position: { lat: 52, lon: 4, alt: 0 }, classification: { label: 'aircraft', confidence: 0.9 } });
    checkEqual(trackName(track), a, 'a track by its number');
    checkEqual(createTrack(track)!.label, a, 'and the map labels it so, not by its class');
  });

  it('tells speed, altitude, heading, sources, and distance and time to the nearest friendly asset', () => {
    const assets = [
      view('scn.base-north', 'asset', { position: { lat: 52.62, lon: 4.25, alt: 0 } }),
      view('scn.port-south', 'asset', { position: { lat: 52.18, lon: 4.05, alt: 0 } }),
    ];
    // 0.1° of latitude (about 11.1 km) south of base-north, flying north at 200 m/s.
    const inbound = view('f.1', 'track', {
      position: { lat: 52.52, lon: 4.25, alt: 6100 },
      velocity: { speed: 200, heading: 0 },
      fusion: { sourceIds: ['scn.eo-1.7', 'radar-1@12#3', 'radar-1@13#1'], confidence: 0.9, errorMajorM: 10, errorMinorM: 5, errorOrientationDeg: 0 },
    });
    const b = trackBrief(inbound, assets);
    checkEqual(b.nearest?.name, 'base-north', 'nearest asset');
    check(Math.abs(b.nearest!.distanceM - 11_130) < 60, `distance ${b.nearest!.distanceM}`);
    check(Math.abs(b.nearest!.timeToGoS! - 55.6) < 1, `time to go ${b.nearest!.timeToGoS}`);
    checkEqual(b.sources, ['eo-1', 'radar-1'], 'sensors behind the track');
    checkEqual(briefLine(b), '389 kn · 6,100 m · hdg 000° · eo-1, radar-1', 'the card line');
    checkEqual(nearestLine(b), '11 km to base-north, 0:56 to go', 'the nearest line');
    const outbound = trackBrief(view('f.2', 'track', { position: { lat: 52.52, lon: 4.25, alt: 0 }, velocity: { speed: 200, heading: 180 } }), assets);
    checkEqual(outbound.nearest?.timeToGoS, undefined, 'flying away: no time to go');
    check(nearestLine(outbound).endsWith('opening'), 'says opening');
    checkEqual(trackBrief(inbound, []).nearest, undefined, 'no assets, no nearest');
  });
});
