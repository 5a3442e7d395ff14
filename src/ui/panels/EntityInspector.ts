/**
 * `<lattice-inspector>`: every component of the selected entity with its value, the HLC of the
 * write that won, the node that wrote it, and how old that write is. Raises `follow-change`
 * and `entity-select` (with null, to close).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { COMPONENT_NAMES, type EntityView } from '../../crdt/index.js';
import { ClockController } from '../controllers/ClockController.js';
import { formatAge, formatComponent, formatHlc } from '../format.js';
import { freshness, updatedAt } from '../staleness.js';
import { labelOf } from '../map/symbology.js';
import { trackName } from '../trackName.js';
import { panel, theme } from '../theme.js';

@customElement('lattice-inspector')
export class EntityInspector extends LitElement {
  static override styles = [
    theme,
    panel,
    css`
      .head {
        display: flex;
        align-items: center;
        gap: 8px;
        margin-bottom: 8px;
      }
      h2 {
        margin: 0;
        font-size: 15px;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .type {
        padding: 1px 6px;
        border: 1px solid var(--lm-line);
        border-radius: 3px;
        font-size: 11px;
        text-transform: uppercase;
        color: var(--lm-muted);
      }
      .buttons {
        margin-left: auto;
        display: flex;
        gap: 6px;
      }
      button[aria-pressed='true'] {
        border-color: var(--lm-accent);
        color: var(--lm-accent);
      }
      .sub {
        margin: 0 0 8px;
        font-size: 12px;
      }
      .stale {
        margin: 0 0 8px;
        color: var(--lm-warn);
      }
      table {
        width: 100%;
        border-collapse: collapse;
        table-layout: fixed;
      }
      th,
      td {
        text-align: left;
        vertical-align: top;
        padding: 5px 4px;
        border-bottom: 1px solid var(--lm-line);
      }
      thead th {
        font-size: 11px;
        font-weight: 600;
        color: var(--lm-muted);
        text-transform: uppercase;
        letter-spacing: 0.06em;
      }
      thead th:first-child {
        width: 104px;
      }
      tbody th {
        font-weight: 600;
      }
      .value {
        word-break: break-word;
      }
      .stamp {
        font-size: 11px;
        color: var(--lm-muted);
        margin-top: 2px;
      }
      .age {
        width: 44px;
        text-align: right;
        white-space: nowrap;
      }
      .local {
        color: var(--lm-accent);
      }
      .threat-high {
        color: var(--lm-danger);
        font-weight: 700;
      }
      .threat-medium {
        color: var(--lm-warn);
      }
      .empty {
        margin: 24px 0;
        text-align: center;
      }
    `,
  ];

  /** The entity shown, or undefined for none. */
  @property({ attribute: false }) entity: EntityView | undefined;
  /** Id of an entity that was selected but no longer exists. */
  @property({ attribute: false }) missingId: string | undefined;
  /** This node's id, to mark the writes it made itself. */
  @property({ attribute: 'local-node' }) localNode = '';
  @property({ type: Boolean }) following = false;
  @property({ attribute: false }) clock: () => number = () => Date.now();
  private readonly ticker = new ClockController(this, 1000, () => this.clock());

  /** A track the sensors no longer update says so: where it is drawn is where it was. */
  private renderFreshness(e: EntityView, now: number) {
    const updated = updatedAt(e);
    const fresh = freshness(updated, now);
    if (fresh === 'live') return nothing;
    const age = formatAge(now - updated!);
    return html`<p class="stale" role="status">
      ${fresh === 'stale' ? `Stale: no update for ${age}; shown where it was.` : `Left the picture: no update for ${age}.`}
    </p>`;
  }

  protected override render() {
    const e = this.entity;
    if (!e) {
      return html`<p class="empty muted">
        ${this.missingId ? `${this.missingId} was deleted.` : 'Select a track on the map or in the track list to inspect it.'}
      </p>`;
    }
    const now = this.ticker.now;
    const names = COMPONENT_NAMES.filter((n) => e.components[n] !== undefined);
    return html`
      <div class="head">
        <h2 title=${e.id}><span class="mono">${trackName(e)}</span> ${labelOf(e) === e.id ? '' : labelOf(e)}</h2>
        <span class="type">${e.type}</span>
        <div class="buttons">
          <button type="button" aria-pressed=${this.following ? 'true' : 'false'} aria-keyshortcuts="F" @click=${this.toggleFollow} ?disabled=${!e.components.position}>
            Follow
          </button>
          <button type="button" aria-label="Close inspector" aria-keyshortcuts="Escape" @click=${this.close}>✕</button>
        </div>
      </div>
      <p class="sub muted mono">${e.id} · created ${formatHlc(e.created)} by ${this.displayNode(e.created.node)}</p>
      ${this.renderFreshness(e, now)}
      <table aria-label="Components of ${e.id}">
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col">Value · HLC · node</th>
            <th scope="col" class="age">Age</th>
          </tr>
        </thead>
        <tbody>
          ${names.map((name) => {
            const stamp = e.stamps[name];
            const threatClass = name === 'threat' ? `threat-${e.components.threat!.level}` : '';
            return html`<tr data-component=${name}>
              <th scope="row">${name}</th>
              <td>
                <div class="value ${threatClass}">${formatComponent(name, e.components[name])}</div>
                ${stamp
                  ? html`<div class="stamp mono">
                      ${formatHlc(stamp)} · <span class=${stamp.node === this.localNode ? 'local' : ''}>${this.displayNode(stamp.node)}</span>
                    </div>`
                  : nothing}
              </td>
              <td class="age mono">${stamp ? formatAge(now - stamp.wall) : '—'}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    `;
  }

  private displayNode(node: string): string {
    return node === this.localNode ? `${node} (this node)` : node;
  }

  private readonly toggleFollow = (): void => {
    this.dispatchEvent(new CustomEvent('follow-change', { detail: { follow: !this.following }, bubbles: true, composed: true }));
  };

  private readonly close = (): void => {
    this.dispatchEvent(new CustomEvent('entity-select', { detail: { entityId: null }, bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-inspector': EntityInspector;
  }
}
