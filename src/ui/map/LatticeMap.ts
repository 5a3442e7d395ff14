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
import { StartView } from './StartView.js';
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

/** The map's layers an operator can turn on and off. */
export interface MapLayers {
  readonly basemap: boolean;
  /** Online tiles (offered only when a tile URL is configured; off by default). */
  readonly tiles: boolean;
  readonly tracks: boolean;
  readonly plots: boolean;
  readonly trails: boolean;
}

const LAYER_NAMES: Record<keyof MapLayers, string> = {
  basemap: 'Offline basemap',
  tiles: 'Online tiles',
  tracks: 'Tracks',
  plots: 'Raw plots',
  trails: 'Trails',
};

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
      .overlay {
        flex-direction: column;
        align-items: flex-end;
      }
      .overlay button[aria-expanded='true'] {
        border-color: var(--lm-accent);
        color: var(--lm-accent);
      }
      .layers {
        margin: 0;
        padding: 6px 10px 8px;
        min-width: 150px;
        background: rgba(11, 22, 32, 0.92);
        border: 1px solid var(--lm-line);
        border-radius: 4px;
        color: var(--lm-text);
        font-size: 12px;
      }
      .layers legend {
        padding: 0 4px;
        color: var(--lm-muted);
      }
      .layers label {
        display: flex;
        align-items: center;
        gap: 6px;
        padding: 3px 0;
        cursor: pointer;
      }
      .layers .scale {
        color: var(--lm-muted);
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
  /** Which layers are drawn (the layer control). */
  @state() layers: MapLayers = { basemap: true, tiles: false, tracks: true, plots: true, trails: true };
  @state() private layersOpen = false;
  @state() private counts = { drawn: 0, total: 0, framed: 0, symbols: 0 };
  /** The scale of the offline basemap drawn, e.g. "1:10m". */
  @state() private basemapScale: string | undefined;
  /** Where the pointer is on the map, for the coordinate readout. */
  @state() private pointer: L.LatLng | undefined;

  private map: L.Map | undefined;
  /** The canvas with every track; exposed for tests and the bench. */
  tracks: TrackCanvas | undefined;
  /** The canvas with the offline basemap; exposed for tests and the bench. */
  basemapCanvas: BasemapCanvas | undefined;
  private tileLayer: L.TileLayer | undefined;
  private startView: StartView | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private countsTimer: ReturnType<typeof setInterval> | undefined;

  /** Measuring, range rings, geo points (`MapTools.ts`). */
  readonly tools = new MapTools(this);

  /** Feeds store changes to the canvas once per frame. */
  readonly changes = new StoreChangesController(this, () => this.store, (batch, store) => this.onChanges(batch, store), {
    cadence: 'frame',
    onReset: (store) => {
      this.tracks?.reset(store ? store.list() : []);
      this.startView?.update();
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
    if (changed.has('tileUrl') || changed.has('layers')) this.syncLayers();
    if (changed.has('selectedId')) this.tracks?.setSelected(this.selectedId);
    if (changed.has('highlightId')) this.tracks?.setHighlighted(this.highlightId);
    if ((changed.has('follow') || changed.has('selectedId')) && this.follow) this.centreOnSelected(false);
  }

  protected override render() {
    const tiles = isTileUrlTemplate(this.tileUrl);
    const names = (Object.keys(LAYER_NAMES) as (keyof MapLayers)[]).filter((k) => k !== 'tiles' || tiles);
    const { drawn, total, framed, symbols } = this.counts;
    return html`
      <div id="map" role="application" aria-label="Map of tracks and assets. Arrow keys pan, plus and minus zoom."></div>
      <div class="overlay">
        <button type="button" aria-expanded=${this.layersOpen ? 'true' : 'false'} aria-controls="layers" @click=${() => (this.layersOpen = !this.layersOpen)}>
          Layers
        </button>
        <fieldset id="layers" class="layers" ?hidden=${!this.layersOpen} @keydown=${this.onLayersKey}>
          <legend>Map layers</legend>
          ${names.map(
            (k) => html`<label>
              <input type="checkbox" .checked=${this.layers[k]} @change=${(e: Event) => this.setLayer(k, (e.target as HTMLInputElement).checked)} />
              ${LAYER_NAMES[k]}${k === 'basemap' && this.basemapScale ? html` <span class="scale">${this.basemapScale}</span>` : nothing}
            </label>`,
          )}
        </fieldset>
      </div>
      ${this.tools.render()}
      <div class="legend mono" aria-live="off">
        ${drawn} of ${total} shown${symbols < framed ? ` · ${framed - symbols} grouped` : ''}${this.pointer ? ` · ${formatLatLon(this.pointer.lat, this.pointer.lng)}` : ''}
      </div>
    `;
  }

  private setLayer(layer: keyof MapLayers, on: boolean): void {
    this.layers = { ...this.layers, [layer]: on };
  }

  /** Escape closes the layer list and gives focus back to its button. */
  private readonly onLayersKey = (e: KeyboardEvent): void => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    this.layersOpen = false;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('button[aria-controls="layers"]')?.focus());
  };

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
    this.startView = new StartView(this.map, this.tracks);
    this.map.on('click', this.onClick);
    this.map.on('mousemove', this.onPointerMove);
    this.map.on('mouseout', this.onPointerOut);
    this.map.on('dragstart', this.onDragStart);
    this.tools.attach(this.map);
    this.resizeObserver = new ResizeObserver(() => {
      this.map?.invalidateSize({ animate: false });
      // The panel beside or below the map can change size; a followed track stays centred,
      // and the start view frames everything again for the new size.
      if (this.follow) this.centreOnSelected(false);
      else this.startView?.update(true);
    });
    this.resizeObserver.observe(el);
    this.countsTimer = setInterval(() => this.readCounts(), 1000);
    this.drawBasemap();
    this.syncLayers();
    this.startView.update();
  }

  /**
   * The legend's counts, once a second; also set as data attributes (`data-symbols` framed
   * symbols drawn, `data-framed` tracks in view that would each be one without decluttering).
   */
  private readCounts(): void {
    const s = this.tracks?.lastStats;
    if (s && (s.drawn !== this.counts.drawn || s.total !== this.counts.total || s.framed !== this.counts.framed || s.symbols !== this.counts.symbols)) {
      this.counts = { drawn: s.drawn, total: s.total, framed: s.framed, symbols: s.symbols };
      this.dataset['symbols'] = String(s.symbols);
      this.dataset['framed'] = String(s.framed);
    }
    this.basemapScale = this.basemapCanvas?.drawnScale;
  }

  private destroyMap(): void {
    this.startView?.destroy();
    this.startView = undefined;
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

  private syncLayers(): void {
    const map = this.map;
    if (!map) return;
    const want = this.layers.tiles && isTileUrlTemplate(this.tileUrl);
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
    this.basemapCanvas?.setShown(this.layers.basemap);
    this.tracks?.setLayers(this.layers);
  }

  private onChanges(batch: StoreChangeBatch, store: EntityStore): void {
    const tracks = this.tracks;
    if (!tracks) return;
    for (const id of batch.deleted) tracks.apply(id, undefined);
    for (const id of batch.changed) tracks.apply(id, store.get(id));
    this.startView?.update();
    if (this.follow && this.selectedId && batch.changed.has(this.selectedId)) this.centreOnSelected(true);
  }

  private centreOnSelected(animate: boolean): void {
    // Following a track is the operator's choice of view: the start view no longer frames.
    this.startView?.take();
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
