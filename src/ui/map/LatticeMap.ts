/**
 * `<lattice-map>`: the Leaflet map with the offline basemap, optional online tiles, and every
 * entity of the store on the track canvas. Raises `entity-select` when a mark is clicked and
 * `follow-change` when a drag ends following.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import * as L from './leaflet.js';
import type { EntityStore } from '../../crdt/index.js';
import { StoreChangesController, type StoreChangeBatch } from '../controllers/StoreChangesController.js';
import { TrackCanvas } from './TrackCanvas.js';
import { BasemapCanvas } from './BasemapCanvas.js';
import type { Basemap } from './basemap.js';
import { leafletStyles } from './leafletStyles.js';
import { theme } from '../theme.js';
import { formatLatLon } from '../format.js';
import { MapTools, mapToolStyles } from './MapTools.js';

export interface EntitySelectDetail {
  /** The entity chosen, or null when the selection was cleared. */
  readonly entityId: string | null;
  /** Select without leaving the panel that raised it (the track table); default: open the inspector. */
  readonly keepTab?: boolean;
}

/** A track pointed at elsewhere (a queue card hovered or focused); undefined when it ends. */
export interface EntityHighlightDetail {
  readonly entityId: string | undefined;
}

export interface FollowChangeDetail {
  readonly follow: boolean;
}

/** Only http(s) tile templates with {z}/{x}/{y}: the URL may come from a query parameter. */
export function isTileUrlTemplate(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > 500) return false;
  if (!/\{z\}/.test(url) || !/\{x\}/.test(url) || !/\{y\}/.test(url)) return false;
  try {
    const parsed = new URL(url.replace(/\{[a-z]\}/g, '0'));
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

@customElement('lattice-map')
export class LatticeMap extends LitElement {
  static override styles = [
    theme,
    leafletStyles,
    mapToolStyles,
    css`
      :host {
        display: block;
        position: relative;
        min-height: 200px;
        background: var(--lm-bg);
      }
      #map {
        position: absolute;
        inset: 0;
        background: #0a1823;
      }
      .overlay {
        position: absolute;
        z-index: 1000;
        top: 10px;
        right: 10px;
        display: flex;
        gap: 6px;
      }
      .overlay button[aria-pressed='true'] {
        border-color: var(--lm-accent);
        color: var(--lm-accent);
      }
      .legend {
        position: absolute;
        z-index: 1000;
        left: 10px;
        bottom: 28px;
        padding: 4px 8px;
        background: rgba(11, 22, 32, 0.8);
        border: 1px solid var(--lm-line);
        border-radius: 4px;
        color: var(--lm-muted);
        font-size: 11px;
        pointer-events: none;
      }
    `,
  ];

  /** The entity store whose entities are drawn. */
  @property({ attribute: false }) store: EntityStore | undefined;
  /** Land and borders drawn under everything; the map works without it (dark sea only). */
  @property({ attribute: false }) basemap: Basemap | undefined;
  /** Optional online tile template, e.g. `https://tile.example.org/{z}/{x}/{y}.png`. */
  @property({ attribute: 'tile-url' }) tileUrl: string | undefined;
  @property({ attribute: 'tile-attribution' }) tileAttribution = '';
  @property({ attribute: false }) selectedId: string | undefined;
  /** A track to ring because a panel points at it (a queue card hovered or focused). */
  @property({ attribute: false }) highlightId: string | undefined;
  /** Keep the selected entity centred as it moves. */
  @property({ type: Boolean }) follow = false;
  /** Why this node may not place or move points (a viewer's line), or undefined when it may. */
  @property({ attribute: false }) editBlocked: string | undefined;
  @state() private tilesOn = false;
  @state() private counts = { drawn: 0, total: 0 };
  /** Where the pointer is on the map, for the coordinate readout. */
  @state() private pointer: L.LatLng | undefined;

  private map: L.Map | undefined;
  /** The canvas with every track; exposed for tests and the bench. */
  tracks: TrackCanvas | undefined;
  private basemapCanvas: BasemapCanvas | undefined;
  private tileLayer: L.TileLayer | undefined;
  private fitted = false;
  private resizeObserver: ResizeObserver | undefined;
  private countsTimer: ReturnType<typeof setInterval> | undefined;

  /** Measuring, range rings, geo points (`MapTools.ts`). */
  readonly tools = new MapTools(this);

  /** Feeds store changes to the canvas once per frame. */
  readonly changes = new StoreChangesController(this, () => this.store, (batch, store) => this.onChanges(batch, store), {
    cadence: 'frame',
    onReset: (store) => {
      this.tracks?.reset(store ? store.list() : []);
      this.fitOnce();
    },
  });

  /** The Leaflet map, once rendered. */
  get leaflet(): L.Map | undefined {
    return this.map;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated && !this.map) this.createMap();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.destroyMap();
  }

  protected override firstUpdated(): void {
    this.createMap();
  }

  protected override updated(changed: PropertyValues): void {
    if (!this.map) return;
    if (changed.has('basemap')) this.drawBasemap();
    if (changed.has('tileUrl') || changed.has('tilesOn')) this.syncTiles();
    if (changed.has('selectedId')) this.tracks?.setSelected(this.selectedId);
    if (changed.has('highlightId')) this.tracks?.setHighlighted(this.highlightId);
    if ((changed.has('follow') || changed.has('selectedId')) && this.follow) this.centreOnSelected(false);
  }

  protected override render() {
    const tiles = isTileUrlTemplate(this.tileUrl);
    return html`
      <div id="map" role="application" aria-label="Map of tracks and assets. Arrow keys pan, plus and minus zoom."></div>
      <div class="overlay">
        ${tiles
          ? html`<button type="button" aria-pressed=${this.tilesOn ? 'true' : 'false'} @click=${() => (this.tilesOn = !this.tilesOn)}>
              Online tiles
            </button>`
          : nothing}
      </div>
      ${this.tools.render()}
      <div class="legend mono" aria-live="off">
        ${this.counts.drawn} of ${this.counts.total} shown${this.pointer ? ` · ${formatLatLon(this.pointer.lat, this.pointer.lng)}` : ''}
      </div>
    `;
  }

  private createMap(): void {
    const el = this.renderRoot.querySelector<HTMLElement>('#map');
    if (!el) return;
    this.map = L.map(el, {
      center: [20, 0],
      zoom: 3,
      minZoom: 2,
      maxZoom: 16,
      worldCopyJump: false,
      // Track marks are on our own canvas; snapping zoom keeps them and the basemap in step.
      zoomAnimation: false,
      fadeAnimation: false,
      zoomSnap: 0.25,
      zoomDelta: 0.5,
      attributionControl: true,
    });
    this.map.attributionControl.setPrefix('');
    this.map.attributionControl.addAttribution('Natural Earth');
    L.control.scale({ imperial: false, position: 'bottomright' }).addTo(this.map);
    this.basemapCanvas = new BasemapCanvas(this.map);
    this.tracks = new TrackCanvas(this.map);
    this.tracks.setSelected(this.selectedId);
    this.tracks.setHighlighted(this.highlightId);
    this.tracks.reset(this.store ? this.store.list() : []);
    this.map.on('click', this.onClick);
    this.map.on('mousemove', this.onPointerMove);
    this.map.on('mouseout', this.onPointerOut);
    this.map.on('dragstart', this.onDragStart);
    this.tools.attach(this.map);
    this.resizeObserver = new ResizeObserver(() => {
      this.map?.invalidateSize({ animate: false });
      // The panel beside or below the map can change size; a followed track stays centred.
      if (this.follow) this.centreOnSelected(false);
    });
    this.resizeObserver.observe(el);
    this.countsTimer = setInterval(() => {
      const s = this.tracks?.lastStats;
      if (s && (s.drawn !== this.counts.drawn || s.total !== this.counts.total)) this.counts = { drawn: s.drawn, total: s.total };
    }, 1000);
    this.drawBasemap();
    this.syncTiles();
    this.fitOnce();
  }

  private destroyMap(): void {
    this.resizeObserver?.disconnect();
    clearInterval(this.countsTimer);
    this.tools.detach();
    this.tracks?.destroy();
    this.basemapCanvas?.destroy();
    this.map?.remove();
    this.map = undefined;
    this.tracks = undefined;
    this.basemapCanvas = undefined;
    this.tileLayer = undefined;
  }

  private drawBasemap(): void {
    this.basemapCanvas?.setBasemap(this.basemap);
  }

  private syncTiles(): void {
    const map = this.map;
    if (!map) return;
    const want = this.tilesOn && isTileUrlTemplate(this.tileUrl);
    if (this.tileLayer && (!want || this.tileLayer.options.attribution !== this.tileAttribution)) {
      this.tileLayer.remove();
      this.tileLayer = undefined;
    }
    if (want && !this.tileLayer) {
      this.tileLayer = L.tileLayer(this.tileUrl!, { maxZoom: 18, attribution: this.tileAttribution, crossOrigin: true }).addTo(map);
      this.tileLayer.bringToBack();
    }
    // Land fill would hide the tiles; borders and coasts stay as a reference.
    this.basemapCanvas?.setFill(!want);
  }

  /** Frames everything the first time there is something to show. */
  private fitOnce(): void {
    if (this.fitted || !this.map || !this.tracks) return;
    const bounds = this.tracks.bounds();
    if (!bounds) return;
    this.fitted = true;
    this.map.fitBounds(bounds.pad(0.1), { maxZoom: 10, animate: false });
  }

  private onChanges(batch: StoreChangeBatch, store: EntityStore): void {
    const tracks = this.tracks;
    if (!tracks) return;
    for (const id of batch.deleted) tracks.apply(id, undefined);
    for (const id of batch.changed) tracks.apply(id, store.get(id));
    this.fitOnce();
    if (this.follow && this.selectedId && batch.changed.has(this.selectedId)) this.centreOnSelected(true);
  }

  private centreOnSelected(animate: boolean): void {
    const at = this.selectedId ? this.tracks?.position(this.selectedId) : undefined;
    if (at) this.map?.panTo(at, { animate, duration: 0.4 });
  }

  private readonly onClick = (e: L.LeafletMouseEvent): void => {
    if (this.tools.click(e.latlng)) return;
    const id = this.tracks?.hitTest(e.containerPoint.x, e.containerPoint.y);
    this.dispatchEvent(new CustomEvent<EntitySelectDetail>('entity-select', { detail: { entityId: id ?? null }, bubbles: true, composed: true }));
  };

  private readonly onPointerMove = (e: L.LeafletMouseEvent): void => {
    this.pointer = e.latlng.wrap();
    const hit = this.tracks?.hitTest(e.containerPoint.x, e.containerPoint.y);
    const el = this.map?.getContainer();
    if (el) el.style.cursor = hit ? 'pointer' : '';
  };

  private readonly onPointerOut = (): void => {
    this.pointer = undefined;
  };

  private readonly onDragStart = (): void => {
    if (!this.follow) return;
    // The operator took the map: stop following rather than fight them.
    this.dispatchEvent(new CustomEvent<FollowChangeDetail>('follow-change', { detail: { follow: false }, bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-map': LatticeMap;
  }
  interface HTMLElementEventMap {
    'entity-select': CustomEvent<EntitySelectDetail>;
    'follow-change': CustomEvent<FollowChangeDetail>;
  }
}
