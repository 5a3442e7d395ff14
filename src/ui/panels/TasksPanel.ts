/**
 * `<lattice-tasks-panel>`: tasks given to assets (intercepts), newest first, with their status
 * in Lattice's life cycle and the transitions from their journal; an intercept under way shows its
 * range, bearing and time to go from the interceptor to the target. An operator may cancel a task
 * that is not done (raises `task-cancel`) after confirming it: a cancelled intercept cannot be
 * taken back, and the Cancel button sits where a slip of the pointer lands. Selecting a row
 * selects its target (`entity-select`).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { isTerminal, type StampedEntry, type Task } from '../../crdt/index.js';
import type { EntitySelectDetail } from '../map/LatticeMap.js';
import { panel, theme } from '../theme.js';
import { trackNumber } from '../trackName.js';
import { interceptLine, type InterceptGeometry } from '../rangeBearing.js';

export interface TaskRow extends Task {
  readonly id: string;
  /** Status transitions from the task's journal, oldest first. */
  readonly journal: readonly StampedEntry[];
  /** Interceptor to target, now; undefined when either is not in the picture. */
  readonly geometry?: InterceptGeometry | undefined;
}

export interface TaskCancelDetail {
  readonly taskId: string;
}

@customElement('lattice-tasks-panel')
export class TasksPanel extends LitElement {
  static override styles = [
    theme,
    panel,
    css`
      :host {
        font-size: 13px;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        padding: 8px 0;
        border-bottom: 1px solid var(--lm-line);
      }
      .head {
        display: flex;
        gap: 8px;
        align-items: center;
      }
      .status {
        margin-left: auto;
        font-weight: 700;
      }
      .status.done_ok {
        color: var(--lm-ok);
      }
      .status.done_not_ok,
      .status.cancelled {
        color: var(--lm-danger);
      }
      .geometry {
        margin: 4px 0 0;
        font-size: 12px;
      }
      .status.executing,
      .status.sent,
      .status.acknowledged {
        color: var(--lm-warn);
      }
      .confirm {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
        margin-top: 6px;
        padding: 6px 8px;
        border: 1px solid var(--lm-warn);
        border-radius: 4px;
        background: #2e2412;
      }
      .confirm .yes {
        border-color: #8a3434;
        background: #3a1a1a;
      }
      ol {
        margin: 4px 0 0;
        padding-left: 18px;
        font-size: 12px;
        color: var(--lm-muted);
      }
    `,
  ];

  @property({ attribute: false }) tasks: readonly TaskRow[] = [];
  @property({ type: Boolean, attribute: 'can-cancel' }) canCancel = false;
  @property({ attribute: false }) cancelError: string | undefined;
  /** The short name of an entity (track number or callsign), as the map and queue show it. */
  @property({ attribute: false }) nameOf: (entityId: string) => string = trackNumber;
  /** The task whose cancellation waits for the operator to confirm it. */
  @state() private confirming: string | undefined;

  protected override render() {
    return html`
      ${this.cancelError ? html`<p class="alert" role="alert">Not cancelled: ${this.cancelError}</p>` : nothing}
      ${this.tasks.length === 0
        ? html`<p>No tasks yet. An intercept is tasked when a high threat's request is approved.</p>`
        : html`<ul aria-label="Tasks">
            ${this.tasks.map(
              (t) => html`<li>
                <div class="head">
                  <button type="button" class="target" @click=${() => this.select(t.targetId)} aria-label="Select target ${this.nameOf(t.targetId)}" title=${t.targetId}>
                    ${t.kind} <span class="mono">${this.nameOf(t.targetId)}</span>
                  </button>
                  <span>by ${this.nameOf(t.assetId)}</span>
                  <span class="status ${t.status}">${t.status.replace(/_/g, ' ')}</span>
                  ${this.canCancel && !isTerminal(t.status) && this.confirming !== t.id
                    ? html`<button type="button" class="cancel" @click=${() => this.askToCancel(t.id)} aria-label="Cancel task ${t.id}">Cancel</button>`
                    : nothing}
                </div>
                ${this.canCancel && !isTerminal(t.status) && this.confirming === t.id
                  ? html`<div class="confirm" role="group" aria-label="Confirm cancelling ${t.kind} of ${this.nameOf(t.targetId)}">
                      <span>Cancel the ${t.kind} of ${this.nameOf(t.targetId)}? It cannot be resumed.</span>
                      <button type="button" class="yes" @click=${() => this.cancel(t.id)}>Yes, cancel ${t.kind}</button>
                      <button type="button" class="keep" @click=${() => this.keep(t.id)}>Keep it running</button>
                    </div>`
                  : nothing}
                ${!isTerminal(t.status) && t.geometry
                  ? html`<p class="geometry mono" aria-label="Range and time to go of the ${t.kind} of ${this.nameOf(t.targetId)}">
                      ${this.nameOf(t.assetId)} → ${this.nameOf(t.targetId)}: ${interceptLine(t.geometry)}
                    </p>`
                  : nothing}
                <ol>
                  ${t.journal.map(
                    (j) =>
                      html`<li>${new Date(j.at.wall).toISOString().slice(11, 19)}Z ${j.entry.kind === 'task' ? j.entry.status : j.entry.kind}
                      ${j.entry.kind === 'task' && j.entry.note ? `— ${j.entry.note}` : ''} (${j.at.node})</li>`,
                  )}
                </ol>
              </li>`,
            )}
          </ul>`}
    `;
  }

  private askToCancel(taskId: string): void {
    this.confirming = taskId;
    // Focus goes to the safe choice, so a second Enter or click does not cancel by accident.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.confirm .keep')?.focus());
  }

  private keep(taskId: string): void {
    this.confirming = undefined;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`button.cancel[aria-label="Cancel task ${CSS.escape(taskId)}"]`)?.focus());
  }

  private cancel(taskId: string): void {
    this.confirming = undefined;
    this.dispatchEvent(new CustomEvent<TaskCancelDetail>('task-cancel', { detail: { taskId }, bubbles: true, composed: true }));
  }

  private select(id: string): void {
    this.dispatchEvent(new CustomEvent<EntitySelectDetail>('entity-select', { detail: { entityId: id }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-tasks-panel': TasksPanel;
  }
  interface HTMLElementEventMap {
    'task-cancel': CustomEvent<TaskCancelDetail>;
  }
}
