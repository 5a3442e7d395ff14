/**
 * The measuring tool: two points on the map, and the range and true bearing between them along
 * the great circle. The first point is set, the line follows the pointer with its live range, the
 * second point ends it; the line stays until the tool is cancelled or a new measurement starts.
 * Points come from clicks or, for the keyboard, from the map centre (`MapTools` turns Enter into
 * a point there). What it draws is Leaflet vector layers, few enough to be cheap.
 */
import * as L from './leaflet.js';
import { formatBearing, formatRange, greatCirclePoints, rangeBearing, type RangeBearing } from '../rangeBearing.js';
import { formatLatLon } from '../format.js';

/** idle: nothing; from / to: waiting for that point; done: a measurement is shown. */
export type MeasureState = 'idle' | 'from' | 'to' | 'done';

export interface Measurement {
  readonly from: L.LatLng;
  readonly to: L.LatLng;
  readonly result: RangeBearing;
}

const COLOUR = '#ffd84d';

export class MeasureTool {
  private stateNow: MeasureState = 'idle';
  private from: L.LatLng | undefined;
  private to: L.LatLng | undefined;
  private readonly layer: L.LayerGroup;
  private readonly line: L.Polyline;
  private readonly ends: [L.CircleMarker, L.CircleMarker];

  /** `onChange` is called whenever the state or the line changes, so the readout can follow. */
  constructor(
    map: L.Map,
    private readonly onChange: () => void,
  ) {
    this.layer = L.layerGroup().addTo(map);
    this.line = L.polyline([], { color: COLOUR, weight: 2, dashArray: '6 4', interactive: false });
    const end = (): L.CircleMarker => L.circleMarker([0, 0], { radius: 4, color: COLOUR, weight: 2, fillOpacity: 0.6, interactive: false });
    this.ends = [end(), end()];
  }

  get state(): MeasureState {
    return this.stateNow;
  }

  /** Whether a click on the map is a point for this tool (and not a selection). */
  get awaitingPoint(): boolean {
    return this.stateNow === 'from' || this.stateNow === 'to';
  }

  /** The measurement, live while the second point is being chosen; undefined before. */
  get measurement(): Measurement | undefined {
    if (!this.from || !this.to) return undefined;
    return { from: this.from, to: this.to, result: rangeBearing(latLon(this.from), latLon(this.to)) };
  }

  /** Starts a new measurement (clearing the last). */
  start(): void {
    this.clear();
    this.stateNow = 'from';
    this.onChange();
  }

  /** Sets the next point: the first, then the second (which ends it). */
  point(at: L.LatLng): void {
    if (this.stateNow === 'from') {
      this.from = at.wrap();
      this.to = undefined;
      this.stateNow = 'to';
    } else if (this.stateNow === 'to') {
      this.to = at.wrap();
      this.stateNow = 'done';
    } else return;
    this.draw();
    this.onChange();
  }

  /** The pointer moved: while the second point is chosen, the line follows it. */
  hover(at: L.LatLng): void {
    if (this.stateNow !== 'to' || !this.from) return;
    this.to = at.wrap();
    this.draw();
    this.onChange();
  }

  /** Ends the tool and removes what it drew. */
  cancel(): void {
    if (this.stateNow === 'idle') return;
    this.clear();
    this.onChange();
  }

  /** One line for the operator (and screen readers) saying what to do or what was measured. */
  describe(): string {
    const m = this.measurement;
    switch (this.stateNow) {
      case 'idle':
        return '';
      case 'from':
        return 'Measure: click the first point, or press Enter for the map centre. Escape cancels.';
      case 'to':
        return `From ${formatLatLon(this.from!.lat, this.from!.lng)}${m ? `: ${describeResult(m.result)}` : ''}. Click the second point, or press Enter for the map centre.`;
      case 'done':
        return `${describeResult(m!.result)} (back ${formatBearing(m!.result.bearingDeg + 180)}). Escape clears.`;
    }
  }

  destroy(): void {
    this.layer.remove();
  }

  private clear(): void {
    this.stateNow = 'idle';
    this.from = undefined;
    this.to = undefined;
    this.layer.clearLayers();
  }

  private draw(): void {
    this.layer.clearLayers();
    if (!this.from) return;
    this.ends[0].setLatLng(this.from).addTo(this.layer);
    if (!this.to) return;
    // Continuous longitudes: the second end sits where the line arrives, across ±180 if need be.
    const points = greatCirclePoints(latLon(this.from), latLon(this.to)).map((p) => L.latLng(p.lat, p.lon));
    this.line.setLatLngs(points).addTo(this.layer);
    this.ends[1].setLatLng(points[points.length - 1]!).addTo(this.layer);
  }
}

function latLon(p: L.LatLng): { lat: number; lon: number } {
  return { lat: p.lat, lon: p.lng };
}

/** "Range 12.4 km · 6.7 NM, bearing 045°". */
export function describeResult(r: RangeBearing): string {
  return `Range ${formatRange(r.distanceM)}, bearing ${formatBearing(r.bearingDeg)}`;
}
