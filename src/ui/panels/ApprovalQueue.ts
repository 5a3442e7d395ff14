/**
 * `<lattice-approval-queue>`: pending approval requests, soonest deadline first, with a live
 * countdown. Approve or deny with the buttons, or focus a request and press A or D (arrow keys
 * move between requests). Raises `approval-decision`; whoever owns tasking writes it.
 *
 * A new request flashes and is announced to screen readers politely; focus never moves to it,
 * so an operator typing elsewhere is not interrupted.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { ClockController } from '../controllers/ClockController.js';
import type { ApprovalDecision, ApprovalHistoryItem, ApprovalRequestItem } from '../controllers/PendingApprovalsController.js';
import { formatCountdown, formatUtc } from '../format.js';
import { theme } from '../theme.js';

export interface ApprovalDecisionDetail {
  readonly entityId: string;
  readonly requestId: string;
  readonly decision: ApprovalDecision;
}

/** Below this many milliseconds left a request is shown as urgent. */
export const URGENT_MS = 10_000;
const SOON_MS = 30_000;
const NEW_CUE_MS = 6_000;

@customElement('lattice-approval-queue')
export class ApprovalQueue extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
      }
      header {
        display: flex;
        align-items: baseline;
        gap: 8px;
        padding: 8px 12px 6px;
      }
      h2 {
        margin: 0;
        font-size: 12px;
        letter-spacing: 0.08em;
        text-transform: uppercase;
        color: var(--lm-muted);
        font-weight: 600;
      }
      .count {
        min-width: 18px;
        padding: 0 6px;
        border-radius: 9px;
        background: var(--lm-panel-2);
        color: var(--lm-text);
        text-align: center;
        font-weight: 600;
      }
      .count.has {
        background: #7a2b2b;
        color: #fff;
      }
      .hint {
        margin-left: auto;
        font-size: 11px;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0 8px 8px;
        overflow-y: auto;
        flex: 1 1 auto;
        min-height: 0;
      }
      li.request {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 2px 10px;
        padding: 7px 8px;
        margin-bottom: 6px;
        border: 1px solid var(--lm-line);
        border-left: 4px solid var(--lm-warn);
        border-radius: 4px;
        background: var(--lm-panel-2);
      }
      li.request.urgent {
        border-left-color: var(--lm-danger);
      }
      li.request.new {
        animation: cue 1s ease-in-out 3;
      }
      @keyframes cue {
        50% {
          background: #2a3d1f;
          border-color: var(--lm-warn);
        }
      }
      @media (prefers-reduced-motion: reduce) {
        li.request.new {
          animation: none;
          border-color: var(--lm-warn);
        }
      }
      .what {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .countdown {
        font-size: 18px;
        font-weight: 700;
        text-align: right;
        color: var(--lm-warn);
      }
      .urgent .countdown {
        color: var(--lm-danger);
      }
      .calm .countdown {
        color: var(--lm-text);
      }
      .meta {
        grid-column: 1 / -1;
        font-size: 12px;
      }
      .actions {
        grid-column: 1 / -1;
        display: flex;
        gap: 6px;
        margin-top: 4px;
      }
      .approve {
        border-color: #2f7a4e;
        background: #173826;
      }
      .deny {
        border-color: #8a3434;
        background: #3a1a1a;
      }
      kbd {
        font-family: var(--lm-mono);
        font-size: 10px;
        padding: 0 3px;
        border: 1px solid var(--lm-line);
        border-radius: 3px;
        color: var(--lm-muted);
      }
      .sent {
        color: var(--lm-accent);
        font-size: 12px;
        align-self: center;
      }
      .empty {
        padding: 4px 12px 10px;
      }
      details {
        padding: 0 12px 8px;
      }
      summary {
        cursor: pointer;
        color: var(--lm-muted);
        font-size: 12px;
      }
      .history {
        list-style: none;
        padding: 4px 0 0;
        margin: 0;
        font-size: 12px;
      }
      .history li {
        display: flex;
        gap: 8px;
        padding: 2px 0;
      }
      .outcome-approved {
        color: var(--lm-ok);
      }
      .outcome-denied,
      .outcome-withdrawn,
      .outcome-timed_out {
        color: var(--lm-danger);
      }
    `,
  ];

  /** Pending requests (any order; shown soonest deadline first). */
  @property({ attribute: false }) requests: readonly ApprovalRequestItem[] = [];
  /** Requests that left the queue, newest first. */
  @property({ attribute: false }) history: readonly ApprovalHistoryItem[] = [];
  /** Decisions this node already sent, by request id. */
  @property({ attribute: false }) sent: ReadonlyMap<string, ApprovalDecision> = new Map();
  /** False for a viewer: requests are shown, buttons are disabled. */
  @property({ type: Boolean, attribute: 'can-decide' }) canDecide = true;
  /** Source of time for countdowns (ms since the epoch). */
  @property({ attribute: false }) clock: () => number = () => Date.now();

  @state() private focusedId: string | undefined;
  @state() private announcement = '';
  private readonly seen = new Set<string>();
  private readonly fresh = new Map<string, number>();
  private primed = false;
  private readonly ticker = new ClockController(this, 250, () => this.clock());

  /** What is shown now: pending and not past its deadline, soonest first. */
  visibleRequests(): ApprovalRequestItem[] {
    const now = this.ticker.now;
    return this.requests.filter((r) => r.deadline > now).sort((a, b) => a.deadline - b.deadline || a.requestId.localeCompare(b.requestId));
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('requests')) return;
    const now = this.clock();
    const added: ApprovalRequestItem[] = [];
    for (const r of this.requests) {
      if (this.seen.has(r.requestId)) continue;
      this.seen.add(r.requestId);
      // Requests already there when the queue first gets any (loaded from storage) are not
      // "new", unless they were made moments ago.
      if (this.primed || now - r.requestedAt < NEW_CUE_MS) {
        added.push(r);
        this.fresh.set(r.requestId, now);
      }
    }
    if (this.requests.length > 0) this.primed = true;
    if (added.length > 0) {
      const first = added[0]!;
      this.announcement =
        added.length === 1
          ? `New approval request: ${first.tasks.join(', ')} on ${first.label}, ${formatCountdown(first.deadline - now)} left.`
          : `${added.length} new approval requests.`;
    }
  }

  protected override render() {
    const now = this.ticker.now;
    const requests = this.visibleRequests();
    // One tab stop for the list (roving tabindex): the request last focused, else the first.
    const tabStop = requests.some((r) => r.requestId === this.focusedId) ? this.focusedId : requests[0]?.requestId;
    return html`
      <header>
        <h2 id="title">Approvals</h2>
        <span class="count mono ${requests.length > 0 ? 'has' : ''}" aria-label="${requests.length} pending">${requests.length}</span>
        <span class="hint muted" aria-hidden="true"><kbd>↑</kbd><kbd>↓</kbd> move · <kbd>A</kbd> approve · <kbd>D</kbd> deny</span>
      </header>
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
      ${requests.length === 0 ? html`<p class="empty muted">No requests waiting.</p>` : nothing}
      <ol aria-labelledby="title" @keydown=${this.onKeyDown}>
        ${repeat(
          requests,
          (r) => r.requestId,
          (r) => this.renderRequest(r, now, r.requestId === tabStop),
        )}
      </ol>
      ${this.history.length > 0
        ? html`<details>
            <summary>Recent (${this.history.length})</summary>
            <ul class="history">
              ${this.history.map(
                (h) => html`<li>
                  <span class="mono muted">${formatUtc(h.at, false)}</span>
                  <span class="outcome-${h.outcome}">${this.outcomeText(h)}</span>
                  <span>${h.request.tasks.join(', ')} · ${h.request.label}</span>
                </li>`,
              )}
            </ul>
          </details>`
        : nothing}
    `;
  }

  private renderRequest(r: ApprovalRequestItem, now: number, tabStop: boolean) {
    const left = r.deadline - now;
    const sent = this.sent.get(r.requestId);
    const fresh = this.fresh.get(r.requestId);
    const isNew = fresh !== undefined && now - fresh < NEW_CUE_MS;
    const urgency = left < URGENT_MS ? 'urgent' : left < SOON_MS ? '' : 'calm';
    const name = `${r.tasks.join(', ')} on ${r.label}`;
    return html`<li
      class="request ${urgency} ${isNew ? 'new' : ''}"
      data-request=${r.requestId}
      tabindex=${tabStop ? 0 : -1}
      aria-label="${name}, ${formatCountdown(left)} left, requested by ${r.requestedBy}${sent ? `, ${sent} sent` : ''}"
      aria-keyshortcuts="A D"
      @focus=${() => (this.focusedId = r.requestId)}
      @click=${(e: Event) => (e.target as HTMLElement).closest('button') || this.select(r)}
    >
      <span class="what">${name}</span>
      <span class="countdown mono" role="timer" aria-hidden="true">${formatCountdown(left)}</span>
      <span class="meta muted">${r.entityId} · threat ${r.threat} · by ${r.requestedBy} · ${r.requestId}</span>
      <div class="actions">
        <button type="button" class="approve" ?disabled=${!this.canDecide || sent !== undefined} @click=${() => this.decide(r, 'approve')} aria-label="Approve ${name}">
          Approve <kbd>A</kbd>
        </button>
        <button type="button" class="deny" ?disabled=${!this.canDecide || sent !== undefined} @click=${() => this.decide(r, 'deny')} aria-label="Deny ${name}">
          Deny <kbd>D</kbd>
        </button>
        ${sent ? html`<span class="sent">${sent === 'approve' ? 'Approval' : 'Denial'} sent</span>` : nothing}
        ${!this.canDecide ? html`<span class="sent muted">Viewers cannot decide</span>` : nothing}
      </div>
    </li>`;
  }

  private outcomeText(h: ApprovalHistoryItem): string {
    switch (h.outcome) {
      case 'approved':
        return `approved by ${h.by ?? 'unknown'}`;
      case 'denied':
        return `denied by ${h.by ?? 'unknown'}`;
      case 'timed_out':
        return 'timed out (denied)';
      case 'withdrawn':
        return 'withdrawn: threat fell';
      default:
        return 'closed';
    }
  }

  private decide(r: ApprovalRequestItem, decision: ApprovalDecision): void {
    if (!this.canDecide || this.sent.has(r.requestId)) return;
    this.dispatchEvent(
      new CustomEvent<ApprovalDecisionDetail>('approval-decision', {
        detail: { entityId: r.entityId, requestId: r.requestId, decision },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private select(r: ApprovalRequestItem): void {
    this.dispatchEvent(new CustomEvent('entity-select', { detail: { entityId: r.entityId }, bubbles: true, composed: true }));
  }

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('li.request');
    if (!row || e.ctrlKey || e.metaKey || e.altKey) return;
    const requests = this.visibleRequests();
    const at = requests.findIndex((r) => r.requestId === row.dataset.request);
    const r = requests[at];
    if (!r) return;
    const key = e.key.toLowerCase();
    if (key === 'a' || key === 'd') {
      e.preventDefault();
      this.decide(r, key === 'a' ? 'approve' : 'deny');
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = requests[Math.max(0, Math.min(requests.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))]!;
      this.focusedId = next.requestId;
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`li[data-request="${CSS.escape(next.requestId)}"]`)?.focus());
    } else if (e.key === 'Enter' && e.target === row) {
      e.preventDefault();
      this.select(r);
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-approval-queue': ApprovalQueue;
  }
  interface HTMLElementEventMap {
    'approval-decision': CustomEvent<ApprovalDecisionDetail>;
  }
}
