/**
 * The operator's tools on the map, as one reactive controller of `<lattice-map>` so the map
 * itself only hosts them: a measuring tool (range and bearing between two points), range rings
 * around the defended assets, and placing and moving geographic points.
 *
 * Pointer and keys work alike: a tool waiting for a point takes the next click on the map, or
 * Enter on the focused map for its centre (marked by a crosshair; arrow keys pan the map under
 * it). Escape ends the tool first, and only then does the app's Escape clear the selection.
 * An operator may also drag a geo point to where it goes.
 * Placing and moving raise `geo-point-place` and `geo-point-move`; the app writes them (and
 * refuses what the node's role refuses). A viewer sees those two controls disabled and one line
 * saying why (`editBlocked`).
 */
import { css, html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { EntityStore } from '../../crdt/index.js';
import * as L from './leaflet.js';
import { StoreChangesController } from '../controllers/StoreChangesController.js';
import { trackName } from '../trackName.js';
import { GeoPointTool, type GeoPointPick } from './GeoPointTool.js';
import { MeasureTool } from './MeasureTool.js';
import { RangeRings } from './RangeRings.js';

/** Where a new geo point goes (`geo-point-place`). */
export interface GeoPointPlaceDetail {
  readonly lat: number;
  readonly lon: number;
}

/** Where an existing geo point goes (`geo-point-move`). */
export interface GeoPointMoveDetail extends GeoPointPlaceDetail {
  readonly entityId: string;
}

/** What the tools need of the map element that hosts them. */
export interface MapToolsHost extends ReactiveControllerHost, HTMLElement {
  readonly store: EntityStore | undefined;
  readonly selectedId: string | undefined;
  /** Why this node may not place or move points (a viewer), or undefined when it may. */
  readonly editBlocked: string | undefined;
  /** What is drawn under a point of the map container (the track canvas). */
  readonly tracks: { hitTest(containerX: number, containerY: number): string | undefined } | undefined;
}

/** A drag shorter than this (px) is a click, not a move. */
const DRAG_THRESHOLD_PX = 4;

export const mapToolStyles = css`
  .tools {
    position: absolute;
    z-index: 1000;
    left: 10px;
    top: 84px;
    display: flex;
    flex-direction: column;
    gap: 4px;
    max-width: 240px;
  }
  .tools .row {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
  }
  .tools button {
    background: rgba(16, 30, 41, 0.92);
    font-size: 12px;
    padding: 3px 8px;
  }
  .tools button[aria-pressed='true'] {
    border-color: var(--lm-focus);
    color: var(--lm-focus);
  }
  .tool-note,
  .tool-status {
    margin: 0;
    padding: 4px 8px;
    font-size: 12px;
    background: rgba(11, 22, 32, 0.92);
    border: 1px solid var(--lm-line);
    border-radius: 4px;
  }
  .tool-status:empty {
    display: none;
  }
  .tool-note {
    border-left: 3px solid var(--lm-accent);
  }
  .crosshair {
    position: absolute;
    z-index: 900;
    left: 50%;
    top: 50%;
    width: 24px;
    height: 24px;
    margin: -12px 0 0 -12px;
    pointer-events: none;
    background:
      linear-gradient(var(--lm-focus), var(--lm-focus)) center / 2px 100% no-repeat,
      linear-gradient(var(--lm-focus), var(--lm-focus)) center / 100% 2px no-repeat;
    opacity: 0.8;
  }
  .lm-ring-label {
    color: #7fd6ff;
    font-size: 10px;
    text-align: center;
    text-shadow: 0 0 3px #05111a, 0 0 3px #05111a;
    white-space: nowrap;
  }
`;

export class MapTools implements ReactiveController {
  private map: L.Map | undefined;
  private measure: MeasureTool | undefined;
  private rings: RangeRings | undefined;
  private readonly geo: GeoPointTool;
  /** A geo point being dragged: which, from where (container px), and its mark under the pointer. */
  /** Until when a click is the end of a drag (ms, `performance.now()`). */
  private dropClickUntil = 0;
  private drag: { id: string; name: string; pointerId: number; x: number; y: number; moved: boolean; mark: L.CircleMarker } | undefined;

  constructor(private readonly host: MapToolsHost) {
    host.addController(this);
    this.geo = new GeoPointTool(this.onPick, () => this.host.requestUpdate());
    // Rings follow the assets; only asset changes matter, so a few times a second is plenty.
    new StoreChangesController(
      host,
      () => host.store,
      (batch, store) => {
        // The Move button names the selected point: a rename or its removal shows at once.
        const selected = host.selectedId;
        if (selected && (batch.changed.has(selected) || batch.deleted.has(selected))) host.requestUpdate();
        const rings = this.rings;
        if (!rings) return;
        for (const id of batch.deleted) rings.apply(id, undefined);
        for (const id of batch.changed) if (store.typeOf(id) === 'asset' || rings.has(id)) rings.apply(id, store.get(id));
      },
      { cadence: 250, onReset: (store) => this.rings?.reset(store ? store.list('asset') : []) },
    );
  }

  hostConnected(): void {
    this.host.addEventListener('keydown', this.onKeyDown);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('keydown', this.onKeyDown);
  }

  /** Called by the host once its Leaflet map exists. */
  attach(map: L.Map): void {
    this.map = map;
    this.measure = new MeasureTool(map, () => this.host.requestUpdate());
    this.rings = new RangeRings(map);
    this.rings.reset(this.host.store?.list('asset') ?? []);
    map.on('mousemove', this.onPointerMove);
    map.on('move', this.onMapMove);
    // Capture: the point is taken before Leaflet starts panning the map.
    map.getContainer().addEventListener('pointerdown', this.onPointerDown, true);
  }

  /** Called by the host before its Leaflet map goes. */
  detach(): void {
    this.map?.off('mousemove', this.onPointerMove);
    this.map?.off('move', this.onMapMove);
    this.map?.getContainer().removeEventListener('pointerdown', this.onPointerDown, true);
    this.endDrag();
    this.measure?.destroy();
    this.rings?.destroy();
    this.geo.cancel();
    this.map = undefined;
    this.measure = undefined;
    this.rings = undefined;
  }

  /** Whether a tool waits for a point (the map's clicks then go to it, not to selection). */
  get awaitingPoint(): boolean {
    return (this.measure?.awaitingPoint ?? false) || this.geo.awaitingPoint;
  }

  /** The measuring tool and the rings (tests read them). */
  get measuring(): MeasureTool | undefined {
    return this.measure;
  }

  get rangeRings(): RangeRings | undefined {
    return this.rings;
  }

  /** A click on the map: a point for the tool waiting for one. Returns whether it took it. */
  click(at: L.LatLng): boolean {
    // The click that ends a drag is the drop, not a selection of what lies there.
    if (performance.now() < this.dropClickUntil) this.dropClickUntil = 0;
    else if (this.measure?.awaitingPoint) this.measure.point(at);
    else if (this.geo.awaitingPoint) this.geo.point(at);
    else return false;
    return true;
  }

  render() {
    const blocked = this.host.editBlocked;
    const measuring = this.measure !== undefined && this.measure.state !== 'idle';
    const selected = this.selectedPoint();
    const line = this.drag ? `Moving ${this.drag.name}: release where it goes. Escape cancels.` : this.geo.describe() || this.measure?.describe() || '';
    return html`
      <div class="tools" role="group" aria-label="Map tools">
        <div class="row">
          <button type="button" aria-pressed=${measuring ? 'true' : 'false'} @click=${this.toggleMeasure}>Measure</button>
          <button type="button" aria-pressed=${this.rings?.visible ? 'true' : 'false'} @click=${this.toggleRings}>Range rings</button>
        </div>
        <div class="row">
          <button type="button" aria-pressed=${this.geo.mode === 'place' ? 'true' : 'false'} ?disabled=${blocked !== undefined} @click=${this.togglePlace}>Place point</button>
          <button
            type="button"
            aria-pressed=${this.geo.mode === 'move' ? 'true' : 'false'}
            aria-label=${selected ? `Move ${selected.name}` : 'Move point'}
            title=${selected ? '' : 'Select a point on the map to move it'}
            ?disabled=${blocked !== undefined || !selected}
            @click=${this.toggleMove}
          >
            Move point
          </button>
        </div>
        ${blocked ? html`<p class="tool-note">${blocked}</p>` : nothing}
        <p class="tool-status" role="status">${line}</p>
      </div>
      ${this.awaitingPoint ? html`<div class="crosshair" aria-hidden="true"></div>` : nothing}
    `;
  }

  /** The selected entity when it is a geo point, with its name. */
  private selectedPoint(): { id: string; name: string } | undefined {
    const id = this.host.selectedId;
    const view = id ? this.host.store?.get(id) : undefined;
    return view?.type === 'geo' ? { id: view.id, name: trackName(view) } : undefined;
  }

  private readonly toggleMeasure = (): void => {
    const measure = this.measure;
    if (!measure) return;
    if (measure.state !== 'idle') measure.cancel();
    else {
      this.geo.cancel();
      measure.start();
      this.focusMap();
    }
    this.syncCursor();
  };

  private readonly toggleRings = (): void => {
    this.rings?.setVisible(!this.rings.visible);
    this.host.requestUpdate();
  };

  private readonly togglePlace = (): void => {
    if (this.host.editBlocked) return;
    if (this.geo.mode === 'place') this.geo.cancel();
    else {
      this.measure?.cancel();
      this.geo.place();
      this.focusMap();
    }
    this.syncCursor();
  };

  private readonly toggleMove = (): void => {
    const selected = this.selectedPoint();
    if (this.host.editBlocked || !selected) return;
    if (this.geo.mode === 'move') this.geo.cancel();
    else {
      this.measure?.cancel();
      this.geo.move(selected.id, selected.name);
      this.focusMap();
    }
    this.syncCursor();
  };

  /** Keyboard users go on at the map: arrows pan under the crosshair, Enter sets the point. */
  private focusMap(): void {
    this.map?.getContainer().focus({ preventScroll: true });
  }

  private syncCursor(): void {
    const el = this.map?.getContainer();
    if (el) el.style.cursor = this.awaitingPoint ? 'crosshair' : '';
  }

  private readonly onPick = (pick: GeoPointPick): void => {
    this.syncCursor();
    const detail = { lat: pick.lat, lon: pick.lon };
    if (pick.mode === 'place') this.host.dispatchEvent(new CustomEvent<GeoPointPlaceDetail>('geo-point-place', { detail, bubbles: true, composed: true }));
    else this.host.dispatchEvent(new CustomEvent<GeoPointMoveDetail>('geo-point-move', { detail: { ...detail, entityId: pick.entityId! }, bubbles: true, composed: true }));
  };

  private readonly onPointerMove = (e: L.LeafletMouseEvent): void => {
    this.measure?.hover(e.latlng);
    // The map's own hover sets a pointer cursor over marks; a tool keeps its crosshair.
    if (this.awaitingPoint) this.syncCursor();
  };

  /** An operator presses on a geo point: it follows the pointer, and goes where it is released. */
  private readonly onPointerDown = (e: PointerEvent): void => {
    const map = this.map;
    const store = this.host.store;
    if (!map || !store || e.button !== 0 || this.host.editBlocked || this.awaitingPoint || this.drag) return;
    const container = map.getContainer();
    const box = container.getBoundingClientRect();
    const x = e.clientX - box.left;
    const y = e.clientY - box.top;
    const id = this.host.tracks?.hitTest(x, y);
    const view = id ? store.get(id) : undefined;
    if (!view || view.type !== 'geo') return;
    // Not a pan: no compatibility mouse events reach Leaflet's dragging.
    e.preventDefault();
    e.stopPropagation();
    container.setPointerCapture(e.pointerId);
    const mark = L.circleMarker(map.containerPointToLatLng([x, y]), { radius: 7, color: '#ffd84d', weight: 2, fillOpacity: 0.3, interactive: false });
    this.drag = { id: view.id, name: trackName(view), pointerId: e.pointerId, x, y, moved: false, mark };
    container.addEventListener('pointermove', this.onDragMove);
    container.addEventListener('pointerup', this.onDragEnd);
    container.addEventListener('pointercancel', this.onDragCancel);
  };

  private readonly onDragMove = (e: PointerEvent): void => {
    const drag = this.drag;
    const map = this.map;
    if (!drag || !map || e.pointerId !== drag.pointerId) return;
    const box = map.getContainer().getBoundingClientRect();
    const x = e.clientX - box.left;
    const y = e.clientY - box.top;
    if (!drag.moved && Math.hypot(x - drag.x, y - drag.y) < DRAG_THRESHOLD_PX) return;
    if (!drag.moved) {
      drag.moved = true;
      drag.mark.addTo(map);
      map.getContainer().style.cursor = 'grabbing';
      this.host.requestUpdate();
    }
    drag.mark.setLatLng(map.containerPointToLatLng([x, y]));
  };

  private readonly onDragEnd = (e: PointerEvent): void => {
    const drag = this.drag;
    if (!drag || e.pointerId !== drag.pointerId) return;
    const to = drag.moved ? drag.mark.getLatLng().wrap() : undefined;
    if (to) this.dropClickUntil = performance.now() + 500;
    this.endDrag();
    if (to) this.host.dispatchEvent(new CustomEvent<GeoPointMoveDetail>('geo-point-move', { detail: { entityId: drag.id, lat: to.lat, lon: to.lng }, bubbles: true, composed: true }));
  };

  private readonly onDragCancel = (): void => this.endDrag();

  private endDrag(): void {
    const drag = this.drag;
    const container = this.map?.getContainer();
    if (!drag) return;
    this.drag = undefined;
    drag.mark.remove();
    if (container) {
      container.removeEventListener('pointermove', this.onDragMove);
      container.removeEventListener('pointerup', this.onDragEnd);
      container.removeEventListener('pointercancel', this.onDragCancel);
      if (container.hasPointerCapture(drag.pointerId)) container.releasePointerCapture(drag.pointerId);
      container.style.cursor = '';
    }
    this.host.requestUpdate();
  }

  /** Panning with the keys: the line follows the crosshair, as it follows the pointer. */
  private readonly onMapMove = (): void => {
    const map = this.map;
    if (!map || this.measure?.state !== 'to' || this.host.shadowRoot?.activeElement !== map.getContainer()) return;
    this.measure.hover(map.getCenter());
  };

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    const measure = this.measure;
    if (e.key === 'Escape') {
      if (this.drag) this.endDrag();
      else if (this.geo.awaitingPoint) this.geo.cancel();
      else if (measure && measure.state !== 'idle') measure.cancel();
      else return;
      // The tool took this Escape: the selection stays.
      e.stopPropagation();
      this.syncCursor();
      return;
    }
    if ((e.key === 'Enter' || e.key === ' ') && this.awaitingPoint && this.map) {
      const target = e.composedPath()[0];
      if (target !== this.map.getContainer()) return;
      e.preventDefault();
      this.click(this.map.getCenter());
      this.syncCursor();
    }
  };
}

declare global {
  interface HTMLElementEventMap {
    'geo-point-place': CustomEvent<GeoPointPlaceDetail>;
    'geo-point-move': CustomEvent<GeoPointMoveDetail>;
  }
}
