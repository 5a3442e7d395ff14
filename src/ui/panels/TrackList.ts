/**
 * `<lattice-track-list>`: the picture as a list, most threatening first, filterable by id or
 * label. It is the keyboard way to find and select what the map shows (the canvas marks are
 * not focusable). Raises `entity-select`.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { THREAT_LEVELS, type EntityView } from '../../crdt/index.js';
import { ClockController } from '../controllers/ClockController.js';
import { formatAge, formatComponent } from '../format.js';
import { freshness, updatedAt } from '../staleness.js';
import { IDENTITY_COLOURS, identityOf, labelOf } from '../map/symbology.js';
import { trackName } from '../trackName.js';
import { theme } from '../theme.js';

/** Rows rendered at most; the filter narrows the rest. */
export const TRACK_LIST_LIMIT = 150;

/** Most threatening first, then by label. */
export function byThreat(a: EntityView, b: EntityView): number {
  const ta = THREAT_LEVELS.indexOf(a.components.threat?.level ?? 'none');
  const tb = THREAT_LEVELS.indexOf(b.components.threat?.level ?? 'none');
  return tb - ta || labelOf(a).localeCompare(labelOf(b)) || a.id.localeCompare(b.id);
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
        font: inherit;
        color: var(--lm-text);
        background: var(--lm-bg);
        border: 1px solid var(--lm-line);
        border-radius: 4px;
        padding: 5px 8px;
        margin-bottom: 6px;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        overflow-y: auto;
      }
      li button {
        display: grid;
        grid-template-columns: 10px 1fr auto;
        gap: 8px;
        align-items: center;
        width: 100%;
        text-align: left;
        border: none;
        border-bottom: 1px solid var(--lm-line);
        border-radius: 0;
        background: transparent;
        padding: 4px 2px;
      }
      li button[aria-current='true'] {
        background: var(--lm-panel-2);
        outline: 1px solid var(--lm-focus);
      }
      .dot {
        width: 9px;
        height: 9px;
        border-radius: 2px;
      }
      .threat-high {
        color: var(--lm-danger);
        font-weight: 700;
      }
      .threat-medium {
        color: var(--lm-warn);
      }
      .more {
        font-size: 12px;
        padding-top: 4px;
      }
      li.stale button {
        opacity: 0.5;
      }
    `,
  ];

  @property({ attribute: false }) entities: readonly EntityView[] = [];
  @property({ attribute: false }) selectedId: string | undefined;
  /** This node's wall clock, against which tracks age. */
  @property({ attribute: false }) now: () => number = () => Date.now();
  @state() private filter = '';
  /** Tracks age with nothing changing: the list looks again every few seconds. */
  private readonly ticker = new ClockController(this, 5000, () => this.now());

  protected override render() {
    const q = this.filter.trim().toLowerCase();
    const now = this.ticker.now;
    // Tracks silent too long have left the picture (see `staleness.ts`).
    const inPicture = this.entities.filter((e) => freshness(updatedAt(e), now) !== 'gone');
    const matches = (q ? inPicture.filter((e) => e.id.toLowerCase().includes(q) || trackName(e).toLowerCase().includes(q) || labelOf(e).toLowerCase().includes(q)) : inPicture).sort(byThreat);
    const shown = matches.slice(0, TRACK_LIST_LIMIT);
    return html`
      <label class="visually-hidden" for="filter">Filter tracks by name, id or label</label>
      <input id="filter" type="search" placeholder="Filter by name, id or label" .value=${this.filter} @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} />
      <ul aria-label="Tracks, most threatening first">
        ${shown.map((e) => {
          const updated = updatedAt(e);
          const stale = freshness(updated, now) === 'stale';
          return html`<li class=${stale ? 'stale' : ''}>
            <button type="button" aria-current=${e.id === this.selectedId ? 'true' : 'false'} @click=${() => this.select(e.id)}>
              <span class="dot" style="background:${IDENTITY_COLOURS[identityOf(e)]}" aria-hidden="true"></span>
              <span
                ><span class="mono">${trackName(e)}</span> ${labelOf(e) === e.id ? '' : labelOf(e)} <span class="muted mono">${e.id}</span
                >${stale ? html` <span class="muted">stale, ${formatAge(now - updated!)} old</span>` : ''}</span
              >
              <span class="threat-${e.components.threat?.level ?? 'none'}">${e.components.threat ? formatComponent('threat', e.components.threat) : ''}</span>
            </button>
          </li>`;
        })}
      </ul>
      ${matches.length > shown.length ? html`<p class="more muted">${matches.length - shown.length} more; filter to narrow.</p>` : ''}
    `;
  }

  private select(id: string): void {
    this.dispatchEvent(new CustomEvent('entity-select', { detail: { entityId: id }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-track-list': TrackList;
  }
}
