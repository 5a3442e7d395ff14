/**
 * `<lattice-tasks-panel>`: tasks given to assets (intercepts), newest first, with their status
 * in Lattice's life cycle and the transitions from their journal. An operator may cancel a task
 * that is not done (raises `task-cancel`); selecting a row selects its target (`entity-select`).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { isTerminal, type StampedEntry, type Task } from '../../crdt/index.js';
import type { EntitySelectDetail } from '../map/LatticeMap.js';
import { panel, theme } from '../theme.js';

export interface TaskRow extends Task {
  readonly id: string;
  /** Status transitions from the task's journal, oldest first. */
  readonly journal: readonly StampedEntry[];
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
      .status.executing,
      .status.sent,
      .status.acknowledged {
        color: var(--lm-warn);
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

  protected override render() {
    return html`
      ${this.cancelError ? html`<p class="alert" role="alert">Not cancelled: ${this.cancelError}</p>` : nothing}
      ${this.tasks.length === 0
        ? html`<p>No tasks yet. An intercept is tasked when a high threat's request is approved.</p>`
        : html`<ul aria-label="Tasks">
            ${this.tasks.map(
              (t) => html`<li>
                <div class="head">
                  <button type="button" class="target" @click=${() => this.select(t.targetId)} aria-label="Select target ${t.targetId}">
                    ${t.kind} ${t.targetId}
                  </button>
                  <span>by ${t.assetId}</span>
                  <span class="status ${t.status}">${t.status.replace(/_/g, ' ')}</span>
                  ${this.canCancel && !isTerminal(t.status)
                    ? html`<button type="button" class="cancel" @click=${() => this.cancel(t.id)} aria-label="Cancel task ${t.id}">Cancel</button>`
                    : nothing}
                </div>
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

  private cancel(taskId: string): void {
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
