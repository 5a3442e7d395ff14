/**
 * `<lattice-inspector>`: every component of the selected entity with its value, the HLC of the
 * write that won, the node that wrote it, and how old that write is. Raises `follow-change`
 * and `entity-select` (with null, to close).
 *
 * An operator sets a track's or a point's affiliation and renames a geo point here; each change
 * is raised as `entity-edit` with the components to write, which the app writes through the
 * store. A viewer sees those controls disabled and one line saying why (`editBlocked`).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { AFFILIATIONS, COMPONENT_NAMES, type AffiliationValue, type Components, type EntityView } from '../../crdt/index.js';
import { ClockController } from '../controllers/ClockController.js';
import { formatAge, formatComponent, formatHlc } from '../format.js';
import { freshness, updatedAt } from '../staleness.js';
import { labelOf } from '../map/symbology.js';
import { trackName } from '../trackName.js';
import { panel, theme } from '../theme.js';

/** Components an operator asks to write on an entity (`entity-edit`). */
export interface EntityEditDetail {
  readonly entityId: string;
  readonly components: Components;
}

/** The longest name a point may have (a classification label's limit). */
export const POINT_NAME_MAX = 64;

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
      form.edit {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: end;
        margin: 0 0 8px;
      }
      form.edit input {
        width: 12em;
      }
      form.edit :disabled {
        opacity: 0.6;
        cursor: not-allowed;
      }
      .viewer-note {
        margin: 0 0 8px;
        padding: 4px 8px;
        border-left: 3px solid var(--lm-accent);
        background: var(--lm-panel);
      }
      .invalid {
        margin: 0 0 8px;
        color: var(--lm-warn);
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
  /** Why this node may not change entities (a viewer's line); undefined when it may. */
  @property({ attribute: false }) editBlocked: string | undefined;
  /** A name refused before it was sent (empty or too long). */
  @state() private nameProblem: string | undefined;
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
      ${this.renderFreshness(e, now)} ${this.renderEdit(e)}
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

  /** Affiliation of a track or point, and a point's name: what an operator may set here. */
  private renderEdit(e: EntityView) {
    if (e.type !== 'track' && e.type !== 'geo') return nothing;
    const blocked = this.editBlocked !== undefined;
    const affiliation = e.components.affiliation?.value ?? 'unknown';
    return html`<form class="edit" aria-label="Change ${trackName(e)}" @submit=${this.onRename}>
        ${e.type === 'geo'
          ? html`<label
                >Name
                <input name="name" autocomplete="off" maxlength=${POINT_NAME_MAX} .value=${trackName(e)} ?disabled=${blocked} />
              </label>
              <button type="submit" ?disabled=${blocked}>Rename</button>`
          : nothing}
        <label
          >Affiliation
          <select name="affiliation" ?disabled=${blocked} @change=${this.onAffiliation}>
            ${AFFILIATIONS.map((a) => html`<option value=${a} ?selected=${a === affiliation}>${a}</option>`)}
          </select>
        </label>
      </form>
      ${this.nameProblem ? html`<p class="invalid" role="alert">${this.nameProblem}</p>` : nothing}
      ${this.editBlocked ? html`<p class="viewer-note">${this.editBlocked}</p>` : nothing}`;
  }

  /** Puts the keyboard in the name field (after a point was placed, to name it at once). */
  focusName(): void {
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[name=name]');
    input?.focus();
    input?.select();
  }

  private readonly onRename = (ev: SubmitEvent): void => {
    ev.preventDefault();
    const e = this.entity;
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[name=name]');
    if (!e || !input || this.editBlocked) return;
    const name = input.value.trim();
    if (name === '' || name.length > POINT_NAME_MAX) {
      this.nameProblem = `A name has 1 to ${POINT_NAME_MAX} characters.`;
      return;
    }
    this.nameProblem = undefined;
    if (name === trackName(e)) return;
    this.edit(e.id, { classification: { label: name, confidence: 1 } });
  };

  private readonly onAffiliation = (ev: Event): void => {
    const e = this.entity;
    if (!e || this.editBlocked) return;
    const value = (ev.target as HTMLSelectElement).value as AffiliationValue;
    if ((e.components.affiliation?.value ?? 'unknown') === value && e.components.affiliation) return;
    this.edit(e.id, { affiliation: { value } });
  };

  private edit(entityId: string, components: Components): void {
    this.dispatchEvent(new CustomEvent<EntityEditDetail>('entity-edit', { detail: { entityId, components }, bubbles: true, composed: true }));
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
  interface HTMLElementEventMap {
    'entity-edit': CustomEvent<EntityEditDetail>;
  }
}
