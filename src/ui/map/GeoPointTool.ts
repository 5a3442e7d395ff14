/**
 * Placing and moving geographic points (entities of type `geo`) on the map. The tool only
 * decides where: the next click (or Enter, for the map centre) places a new point, or moves the
 * point being moved there, and `onPoint` is called with it. Writing is the app's (it checks the
 * role and shows a refusal), so the tool holds no store and no permission of its own.
 */
import type * as L from './leaflet.js';

/** idle: nothing; place: the next point is a new geo point; move: it is where `movingId` goes. */
export type GeoPointMode = 'idle' | 'place' | 'move';

export interface GeoPointPick {
  readonly mode: 'place' | 'move';
  /** The point moved; undefined when placing a new one. */
  readonly entityId: string | undefined;
  readonly lat: number;
  readonly lon: number;
}

export class GeoPointTool {
  private modeNow: GeoPointMode = 'idle';
  private moving: { id: string; name: string } | undefined;

  constructor(
    private readonly onPoint: (pick: GeoPointPick) => void,
    private readonly onChange: () => void,
  ) {}

  get mode(): GeoPointMode {
    return this.modeNow;
  }

  get awaitingPoint(): boolean {
    return this.modeNow !== 'idle';
  }

  /** The next point places a new geo point. */
  place(): void {
    this.modeNow = 'place';
    this.moving = undefined;
    this.onChange();
  }

  /** The next point is where the point `entityId` (called `name` on screen) goes. */
  move(entityId: string, name: string): void {
    this.modeNow = 'move';
    this.moving = { id: entityId, name };
    this.onChange();
  }

  point(at: L.LatLng): void {
    if (this.modeNow === 'idle') return;
    const wrapped = at.wrap();
    const pick: GeoPointPick = { mode: this.modeNow, entityId: this.moving?.id, lat: wrapped.lat, lon: wrapped.lng };
    this.cancel();
    this.onPoint(pick);
  }

  cancel(): void {
    if (this.modeNow === 'idle') return;
    this.modeNow = 'idle';
    this.moving = undefined;
    this.onChange();
  }

  /** What to do now, in one line. */
  describe(): string {
    if (this.modeNow === 'place') return 'Place a point: click the map, or press Enter for the map centre. Escape cancels.';
    if (this.modeNow === 'move') return `Move ${this.moving!.name}: click where it goes, or press Enter for the map centre. Escape cancels.`;
    return '';
  }
}
