/**
 * Range rings around the assets the mesh defends: circles at fixed ranges, labelled on their
 * north side, so an operator reads at a glance how far a track is from what it may threaten.
 * Off until the operator turns them on; they follow an asset that moves (an interceptor).
 *
 * Leaflet's `L.circle` is drawn with its radius in metres at the centre's latitude, which is
 * true to well under a percent over the 100 km of the outer ring.
 */
import * as L from './leaflet.js';
import type { EntityView } from '../../crdt/index.js';
import { isDefendedAsset } from '../trackBrief.js';
import { destination } from '../rangeBearing.js';

/** Ring radii in kilometres, inner to outer. */
export const RING_RADII_KM = [10, 25, 50, 100] as const;

const COLOUR = '#7fd6ff';

interface AssetRings {
  readonly circles: L.Circle[];
  readonly labels: L.Marker[];
}

export class RangeRings {
  private readonly layer = L.layerGroup();
  private readonly rings = new Map<string, AssetRings>();
  private visibleNow = false;

  constructor(private readonly map: L.Map) {}

  get visible(): boolean {
    return this.visibleNow;
  }

  /** Whether `id` has rings. */
  has(id: string): boolean {
    return this.rings.has(id);
  }

  /** Assets with rings (tests read it). */
  get assets(): string[] {
    return [...this.rings.keys()];
  }

  setVisible(on: boolean): void {
    this.visibleNow = on;
    if (on) this.layer.addTo(this.map);
    else this.layer.remove();
  }

  /** Replaces every ring with those of the given entities. */
  reset(views: Iterable<EntityView>): void {
    for (const id of [...this.rings.keys()]) this.remove(id);
    for (const view of views) this.apply(view.id, view);
  }

  /** One entity's current state: rings for a defended asset with a place, none otherwise. */
  apply(id: string, view: EntityView | undefined): void {
    const at = view && isDefendedAsset(view) ? view.components.position : undefined;
    if (!at) {
      this.remove(id);
      return;
    }
    const existing = this.rings.get(id);
    const centre = L.latLng(at.lat, at.lon);
    const north = (km: number): L.LatLng => {
      const p = destination({ lat: at.lat, lon: at.lon }, 0, km * 1000);
      return L.latLng(p.lat, p.lon);
    };
    if (existing) {
      existing.circles.forEach((c) => c.setLatLng(centre));
      existing.labels.forEach((m, i) => m.setLatLng(north(RING_RADII_KM[i]!)));
      return;
    }
    const circles = RING_RADII_KM.map((km) => L.circle(centre, { radius: km * 1000, color: COLOUR, weight: 1, opacity: 0.55, fill: false, dashArray: '2 4', interactive: false }).addTo(this.layer));
    const labels = RING_RADII_KM.map((km) =>
      L.marker(north(km), {
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: 'lm-ring-label', html: `${km} km`, iconSize: [44, 14], iconAnchor: [22, 7] }),
      }).addTo(this.layer),
    );
    this.rings.set(id, { circles, labels });
  }

  destroy(): void {
    this.layer.remove();
    this.rings.clear();
  }

  private remove(id: string): void {
    const r = this.rings.get(id);
    if (!r) return;
    for (const layer of [...r.circles, ...r.labels]) this.layer.removeLayer(layer);
    this.rings.delete(id);
  }
}
