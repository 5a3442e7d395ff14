/** Range, bearing and time to go: the figures the measuring tool, the rings and the Tasks tab show. */
import { EntityStore } from '../../src/crdt/index.js';
import * as Y from 'yjs';
import { destination, formatBearing, formatRange, interceptGeometry, interceptLine, rangeBearing, sphericalRangeBearing } from '../../src/ui/rangeBearing.js';
import { check, checkEqual } from './assert.js';

const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol;

describe('rangeBearing', () => {
  it('matches Vincenty\'s published example (Flinders Peak to Buninyong) to a millimetre', () => {
    const flinders = { lat: -(37 + 57 / 60 + 3.7203 / 3600), lon: 144 + 25 / 60 + 29.5244 / 3600 };
    const buninyong = { lat: -(37 + 39 / 60 + 10.1561 / 3600), lon: 143 + 55 / 60 + 35.3839 / 3600 };
    const rb = rangeBearing(flinders, buninyong);
    check(near(rb.distanceM, 54_972.271, 0.001), `distance ${rb.distanceM}`);
    check(near(rb.bearingDeg, 306 + 52 / 60 + 5.37 / 3600, 1e-5), `bearing ${rb.bearingDeg}`);
  });

  it('gives the cardinal bearings, across the antimeridian too, and falls back near the antipode', () => {
    checkEqual(Math.round(rangeBearing({ lat: 0, lon: 0 }, { lat: 1, lon: 0 }).bearingDeg), 0, 'north');
    checkEqual(Math.round(rangeBearing({ lat: 0, lon: 0 }, { lat: 0, lon: 1 }).bearingDeg), 90, 'east');
    checkEqual(Math.round(rangeBearing({ lat: 0, lon: 0 }, { lat: -1, lon: 0 }).bearingDeg), 180, 'south');
    const across = rangeBearing({ lat: 10, lon: 179.5 }, { lat: 10, lon: -179.5 });
    check(near(across.distanceM, 109_600, 500) && near(across.bearingDeg, 90, 0.2), `across the antimeridian: ${JSON.stringify(across)}`);
    const antipode = rangeBearing({ lat: 0, lon: 0 }, { lat: 0.5, lon: 179.7 });
    const sphere = sphericalRangeBearing({ lat: 0, lon: 0 }, { lat: 0.5, lon: 179.7 });
    check(Number.isFinite(antipode.distanceM) && near(antipode.distanceM, sphere.distanceM, sphere.distanceM * 0.006), `near-antipodal: ${antipode.distanceM}`);
  });

  it('a destination lies at the range and bearing it was asked for', () => {
    const from = { lat: 57.3, lon: 18.9 };
    const to = destination(from, 45, 50_000);
    const back = rangeBearing(from, to);
    check(near(back.distanceM, 50_000, 250) && near(back.bearingDeg, 45, 0.3), `round trip: ${JSON.stringify(back)}`);
  });

  it('formats ranges in km and NM and bearings as three digits', () => {
    checkEqual(formatRange(850), '850 m', 'metres');
    checkEqual(formatRange(12_400), '12.4 km · 6.7 NM', 'km and NM');
    checkEqual(formatRange(1_240_000), '1,240 km · 670 NM', 'whole km far off');
    checkEqual(formatBearing(45.4), '045°', 'three digits');
    checkEqual(formatBearing(359.7), '000°', 'wraps');
  });

  it('time to go closes with the relative speed along the line of sight, and says when the range opens', () => {
    const store = new EntityStore(new Y.Doc(), { node: 'n1' });
    store.create('asset', 'asset', { position: { lat: 57, lon: 18, alt: 0 }, velocity: { speed: 250, heading: 90 } });
    const east = rangeBearing({ lat: 57, lon: 18 }, { lat: 57, lon: 19 });
    store.create('head-on', 'track', { position: { lat: 57, lon: 19, alt: 0 }, velocity: { speed: 150, heading: 270 } });
    store.create('fleeing', 'track', { position: { lat: 57, lon: 19, alt: 0 }, velocity: { speed: 300, heading: 90 } });
    const headOn = interceptGeometry(store.get('asset')!, store.get('head-on')!)!;
    check(near(headOn.distanceM, east.distanceM, 1), 'range');
    check(near(headOn.closingMps, 400, 1), `closing at 250 + 150 m/s: ${headOn.closingMps}`);
    check(near(headOn.timeToGoS!, east.distanceM / 400, 1), 'time to go');
    check(/^60\.\d km · 32\.\d NM, brg 09\d°, 2:3\d to go$/.test(interceptLine(headOn)), interceptLine(headOn));
    const fleeing = interceptGeometry(store.get('asset')!, store.get('fleeing')!)!;
    checkEqual(fleeing.timeToGoS, undefined, 'a faster target flying away: no time to go');
    check(interceptLine(fleeing).endsWith('opening'), interceptLine(fleeing));
  });
});
