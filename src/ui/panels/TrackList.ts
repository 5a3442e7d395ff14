/**
 * `<lattice-track-list>`: the picture as a table, most threatening first, filterable by name,
 * id or label, sortable by any column (name, threat, speed, heading, altitude, age). It is the
 * keyboard way to find and select what the map shows (the canvas marks are not focusable).
 *
 * The rows are one tab stop (a grid with a roving focus): ↑ ↓ Home End Page Up/Down move and
 * select the track, so the map brackets it while the table stays open (`entity-select` with
 * `keepTab`); Enter opens it in the inspector (`entity-select`). A click selects; a double
 * click inspects. Sorting is a property the app keeps (`track-sort`), so it survives a visit
 * to another tab.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { THREAT_LEVELS, type EntityView } from '../../crdt/index.js';
import { ClockController } from '../controllers/ClockController.js';
import { formatAge, knots } from '../format.js';
import { freshness, updatedAt } from '../staleness.js';
import { IDENTITY_COLOURS, identityOf, labelOf } from '../map/symbology.js';
import type { EntitySelectDetail } from '../map/LatticeMap.js';
import { trackName } from '../trackName.js';
import { formatBearing } from '../rangeBearing.js';
import { theme } from '../theme.js';

/** Rows rendered at most; the filter narrows the rest. */
export const TRACK_LIST_LIMIT = 150;
/** Rows a Page Up / Page Down moves. */
const PAGE_ROWS = 10;

export const TRACK_SORT_KEYS = ['name', 'threat', 'speed', 'heading', 'altitude', 'age'] as const;
export type TrackSortKey = (typeof TRACK_SORT_KEYS)[number];
export type SortDirection = 'ascending' | 'descending';

export interface TrackSort {
  readonly key: TrackSortKey;
  readonly direction: SortDirection;
}

/** What the table starts with: most threatening first. */
export const DEFAULT_TRACK_SORT: TrackSort = { key: 'threat', direction: 'descending' };

const COLUMN_TEXT: Record<TrackSortKey, string> = { name: 'Track', threat: 'Threat', speed: 'Speed', heading: 'Hdg', altitude: 'Alt', age: 'Age' };
/** What a screen reader says for each column. */
const COLUMN_NAME: Record<TrackSortKey, string> = { name: 'Track name', threat: 'Threat', speed: 'Speed', heading: 'Heading', altitude: 'Altitude', age: 'Age' };
/** Units, on a second header line with the sort arrow, so narrow columns keep both. */
const COLUMN_UNIT: Record<TrackSortKey, string> = { name: '', threat: '', speed: 'kn', heading: '°T', altitude: 'm', age: '' };
/** A first click sorts the way one usually wants: threats and speeds high first, names A to Z. */
const FIRST_DIRECTION: Record<TrackSortKey, SortDirection> = { name: 'ascending', threat: 'descending', speed: 'descending', heading: 'ascending', altitude: 'descending', age: 'ascending' };

/** Most threatening first, then by label. */
export function byThreat(a: EntityView, b: EntityView): number {
  const ta = THREAT_LEVELS.indexOf(a.components.threat?.level ?? 'none');
  const tb = THREAT_LEVELS.indexOf(b.components.threat?.level ?? 'none');
  return tb - ta || labelOf(a).localeCompare(labelOf(b)) || a.id.localeCompare(b.id);
}

/** When the entity's position was last written (any entity, for the age column). */
function positionAt(e: EntityView): number | undefined {
  return e.stamps.position?.wall;
}

/** The value a column sorts by; undefined sorts last whichever the direction. */
function sortValue(e: EntityView, key: TrackSortKey, now: number): number | string | undefined {
  switch (key) {
    case 'name':
      return trackName(e);
    case 'threat':
      return THREAT_LEVELS.indexOf(e.components.threat?.level ?? 'none');
    case 'speed':
      return e.components.velocity?.speed;
    case 'heading':
      return e.components.velocity?.heading;
    case 'altitude':
      return e.components.position?.alt;
    case 'age': {
      const at = positionAt(e);
      return at === undefined ? undefined : now - at;
    }
  }
}

/** Sorts a copy of `entities` by `sort`; ties by threat then name, so the order is stable. */
export function sortTracks(entities: readonly EntityView[], sort: TrackSort, now: number): EntityView[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return entities
    .map((e) => ({ e, v: sortValue(e, sort.key, now) }))
    .sort((a, b) => {
      if (a.v === undefined || b.v === undefined) return a.v === b.v ? byThreat(a.e, b.e) : a.v === undefined ? 1 : -1;
      const c = typeof a.v === 'string' ? a.v.localeCompare(b.v as string) : a.v - (b.v as number);
      return c * sign || byThreat(a.e, b.e);
    })
    .map((x) => x.e);
}

@customElement('lattice-track-list')
export class TrackList extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        padding: 10px 12px;
      }
      input {
        padding: 5px 8px;
        margin-bottom: 6px;
      }
      .scroll {
        overflow-y: auto;
        min-height: 0;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        table-layout: fixed;
        font-size: 12px;
      }
      th {
        position: sticky;
        top: 0;
        background: var(--lm-panel-2);
        text-align: left;
        padding: 0;
        border-bottom: 1px solid var(--lm-line);
      }
      th button {
        width: 100%;
        border: none;
        border-radius: 0;
        background: transparent;
        color: var(--lm-muted);
        font-size: 11px;
        font-weight: 600;
        text-align: inherit;
        padding: 4px 3px;
        white-space: nowrap;
      }
      th[aria-sort='ascending'] button,
      th[aria-sort='descending'] button {
        color: var(--lm-text);
      }
      th.num,
      td.num {
        text-align: right;
      }
      th.name {
        width: auto;
      }
      th.threat {
        width: 60px;
      }
      th.speed,
      th.altitude {
        width: 58px;
      }
      th.heading,
      th.age {
        width: 44px;
      }
      th .unit {
        font-weight: 400;
      }
      td {
        padding: 3px;
        border-bottom: 1px solid var(--lm-line);
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
        vertical-align: top;
      }
      tr[tabindex] {
        cursor: pointer;
      }
      tr[aria-selected='true'] td {
        background: var(--lm-panel);
      }
      tr:focus {
        outline: 2px solid var(--lm-focus);
        outline-offset: -2px;
      }
      .dot {
        display: inline-block;
        width: 8px;
        height: 8px;
        margin-right: 4px;
        border-radius: 2px;
      }
      .sub {
        font-size: 11px;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .threat-high {
        color: var(--lm-danger);
        font-weight: 700;
      }
      .threat-medium {
        color: var(--lm-warn);
      }
      .more,
      .hint {
        font-size: 12px;
        padding-top: 4px;
        margin: 0;
      }
      tr.stale td {
        opacity: 0.6;
      }
      .stale-word {
        color: var(--lm-warn);
      }
    `,
  ];

  @property({ attribute: false }) entities: readonly EntityView[] = [];
  @property({ attribute: false }) selectedId: string | undefined;
  /** The column and direction rows are sorted by; the app keeps it across tab visits. */
  @property({ attribute: false }) sort: TrackSort = DEFAULT_TRACK_SORT;
  /** This node's wall clock, against which tracks age. */
  @property({ attribute: false }) now: () => number = () => Date.now();
  @state() private filter = '';
  /** The row that holds the grid's one tab stop when nothing is selected. */
  @state() private activeId: string | undefined;
  /** Tracks age with nothing changing: the table looks again every few seconds. */
  private readonly ticker = new ClockController(this, 5000, () => this.now());
  /** The rows as last rendered, for keyboard moves. */
  private shownIds: string[] = [];

  protected override render() {
    const q = this.filter.trim().toLowerCase();
    const now = this.ticker.now;
    // Entities with no place (tasks) are not in the picture; silent tracks have left it (`staleness.ts`).
    const inPicture = this.entities.filter((e) => e.components.position !== undefined && freshness(updatedAt(e), now) !== 'gone');
    const matches = q ? inPicture.filter((e) => e.id.toLowerCase().includes(q) || trackName(e).toLowerCase().includes(q) || labelOf(e).toLowerCase().includes(q)) : inPicture;
    const shown = sortTracks(matches, this.sort, now).slice(0, TRACK_LIST_LIMIT);
    this.shownIds = shown.map((e) => e.id);
    const stop = this.shownIds.includes(this.selectedId ?? '') ? this.selectedId : this.shownIds.includes(this.activeId ?? '') ? this.activeId : this.shownIds[0];
    return html`
      <label class="visually-hidden" for="filter">Filter tracks by name, id or label</label>
      <input id="filter" type="search" placeholder="Filter by name, id or label" .value=${this.filter} @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} />
      <div class="scroll">
        <table role="grid" aria-label="Tracks" aria-rowcount=${shown.length + 1} aria-describedby="keys" @keydown=${this.onKeyDown}>
          <thead>
            <tr>
              ${TRACK_SORT_KEYS.map((key) => this.renderHeader(key))}
            </tr>
          </thead>
          <tbody>
            ${repeat(
              shown,
              (e) => e.id,
              (e) => this.renderRow(e, now, e.id === stop),
            )}
          </tbody>
        </table>
      </div>
      ${matches.length > shown.length ? html`<p class="more muted">${matches.length - shown.length} more; filter to narrow.</p>` : nothing}
      <p class="hint muted" id="keys">↑ ↓ select a track (the map follows), Enter inspects it; column headers sort.</p>
    `;
  }

  private renderHeader(key: TrackSortKey) {
    const sorted = this.sort.key === key;
    const num = key !== 'name' && key !== 'threat';
    return html`<th scope="col" class="${key} ${num ? 'num' : ''}" aria-sort=${sorted ? this.sort.direction : 'none'}>
      <button type="button" @click=${() => this.sortBy(key)} aria-label="Sort by ${COLUMN_NAME[key]}">
        ${COLUMN_TEXT[key]}<br /><span class="unit">${COLUMN_UNIT[key]}${sorted ? (this.sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>`;
  }

  private renderRow(e: EntityView, now: number, tabStop: boolean) {
    const stale = freshness(updatedAt(e), now) === 'stale';
    const v = e.components.velocity;
    const p = e.components.position;
    const at = positionAt(e);
    const level = e.components.threat?.level;
    const label = labelOf(e) === e.id ? '' : labelOf(e);
    return html`<tr
      data-id=${e.id}
      class=${stale ? 'stale' : ''}
      tabindex=${tabStop ? 0 : -1}
      aria-selected=${e.id === this.selectedId ? 'true' : 'false'}
      @click=${() => this.select(e.id, true)}
      @dblclick=${() => this.select(e.id, false)}
      @focus=${() => (this.activeId = e.id)}
    >
      <td title=${e.id}>
        <span class="dot" style="background:${IDENTITY_COLOURS[identityOf(e)]}" aria-hidden="true"></span><span class="mono">${trackName(e)}</span>
        <div class="sub muted">${stale ? html`<span class="stale-word">stale</span> · ` : nothing}${label ? `${label} · ` : ''}<span class="mono">${e.id}</span></div>
      </td>
      <td class="threat-${level ?? 'none'}">${level ?? '—'}</td>
      <td class="num mono">${v ? Math.round(knots(v.speed)) : '—'}</td>
      <td class="num mono">${v ? formatBearing(v.heading) : '—'}</td>
      <td class="num mono">${p ? Math.round(p.alt).toLocaleString('en-GB') : '—'}</td>
      <td class="num mono">${at === undefined ? '—' : formatAge(now - at)}</td>
    </tr>`;
  }

  private sortBy(key: TrackSortKey): void {
    const direction = this.sort.key === key ? (this.sort.direction === 'ascending' ? 'descending' : 'ascending') : FIRST_DIRECTION[key];
    this.sort = { key, direction };
    this.dispatchEvent(new CustomEvent<TrackSort>('track-sort', { detail: this.sort, bubbles: true, composed: true }));
  }

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    const row = (e.composedPath()[0] as Element | undefined)?.closest?.('tr[data-id]');
    if (!(row instanceof HTMLElement)) return;
    const id = row.dataset.id!;
    const at = this.shownIds.indexOf(id);
    const last = this.shownIds.length - 1;
    let to: number;
    switch (e.key) {
      case 'ArrowDown':
        to = Math.min(last, at + 1);
        break;
      case 'ArrowUp':
        to = Math.max(0, at - 1);
        break;
      case 'PageDown':
        to = Math.min(last, at + PAGE_ROWS);
        break;
      case 'PageUp':
        to = Math.max(0, at - PAGE_ROWS);
        break;
      case 'Home':
        to = 0;
        break;
      case 'End':
        to = last;
        break;
      case 'Enter':
        e.preventDefault();
        e.stopPropagation();
        this.select(id, false);
        return;
      case ' ':
        e.preventDefault();
        this.select(id, true);
        return;
      default:
        return;
    }
    e.preventDefault();
    const next = this.shownIds[to];
    if (next === undefined) return;
    this.activeId = next;
    this.select(next, true);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`tr[data-id="${CSS.escape(next)}"]`)?.focus());
  };

  /** `keepTab`: select for the map and stay in the table; otherwise open the inspector too. */
  private select(id: string, keepTab: boolean): void {
    this.activeId = id;
    this.dispatchEvent(new CustomEvent<EntitySelectDetail>('entity-select', { detail: { entityId: id, keepTab }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-track-list': TrackList;
  }
  interface HTMLElementEventMap {
    'track-sort': CustomEvent<TrackSort>;
  }
}
