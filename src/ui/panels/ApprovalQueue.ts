/**
 * `<lattice-approval-queue>`: pending approval requests, soonest deadline first, with a live
 * countdown. Approve or deny with the buttons, or focus a request and press A or D (arrow keys
 * move between requests). Raises `approval-decision`; whoever owns tasking writes it.
 *
 * What the operator sees selected is what keys and buttons act on: focusing or clicking a
 * request selects its track (`entity-select`, so the map and inspector follow), and the
 * selection shown is the app's (`selectedEntityId`). After a decision focus stays in the queue,
 * on the next request or on the queue itself.
 *
 * The pending requests own the space: the host is meant to be given a fixed height, the list
 * keeps room for at least one whole card, and the history scrolls in a bounded strip below, so
 * neither a long history nor a new request moves anything outside the queue.
 *
 * A new request flashes, is announced politely to screen readers and by a tone; a request with
 * under 10 s left turns urgent (colour, the word URGENT, a second tone). Focus never moves to a
 * new request, so an operator typing elsewhere is not interrupted.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { OperatorAlerts, type AlertSubject, type ApprovalAlerts, type NotificationState } from '../alerts/ApprovalAlerts.js';
import { URGENCY_TEXT, URGENT_MS, deadlineUrgency } from '../alerts/deadlineUrgency.js';
import { ClockController } from '../controllers/ClockController.js';
import type { ApprovalDecision, ApprovalHistoryItem, ApprovalRequestItem } from '../controllers/PendingApprovalsController.js';
import type { EntityHighlightDetail, EntitySelectDetail } from '../map/LatticeMap.js';
import { formatCountdown, formatUtc } from '../format.js';
import { VIEWER_NOTE } from '../roleText.js';
import { theme } from '../theme.js';
import { approvalQueueStyles } from './approvalQueueStyles.js';
import { briefLine, nearestLine } from './requestText.js';

export { URGENT_MS };

export interface ApprovalDecisionDetail {
  readonly entityId: string;
  readonly requestId: string;
  readonly decision: ApprovalDecision;
}


const NEW_CUE_MS = 6_000;

/** Alerts as the queue drives them: the cues, the sound switch and the notification switch. */
export interface QueueAlerts extends ApprovalAlerts {
  sound: boolean;
  readonly notifications: NotificationState;
  setNotifications(on: boolean): Promise<NotificationState>;
}

@customElement('lattice-approval-queue')
export class ApprovalQueue extends LitElement {
  static override styles = [theme, approvalQueueStyles];

  /** Pending requests (any order; shown soonest deadline first). */
  @property({ attribute: false }) requests: readonly ApprovalRequestItem[] = [];
  /** Requests that left the queue, newest first. */
  @property({ attribute: false }) history: readonly ApprovalHistoryItem[] = [];
  /** Decisions this node already sent, by request id. */
  @property({ attribute: false }) sent: ReadonlyMap<string, ApprovalDecision> = new Map();
  /**
   * False for a viewer: requests are shown, with no decision controls and one line saying why.
   * Set it as a property (`.canDecide`): it defaults to true, so a boolean attribute binding
   * that merely leaves the attribute out would leave a viewer with enabled buttons.
   */
  @property({ type: Boolean, attribute: 'can-decide' }) canDecide = true;
  /** The entity selected on the screen (map, inspector); its request is shown selected. */
  @property({ attribute: false }) selectedEntityId: string | undefined;
  /** Node names by node id, to say who asked ("requested by Sensor East"). */
  @property({ attribute: false }) nodeNames: ReadonlyMap<string, string> = new Map();
  /** The last decision the node refused, shown inside the queue (so nothing below it moves). */
  @property({ attribute: false }) error: string | undefined;
  /** Tones and desktop notifications for new and urgent requests. */
  @property({ attribute: false }) alerts: QueueAlerts = new OperatorAlerts();
  /** Source of time for countdowns (ms since the epoch). */
  @property({ attribute: false }) clock: () => number = () => Date.now();

  @state() private selected: string | undefined;
  @state() private announcement = '';
  @state() private historyOpen = false;
  private readonly seen = new Set<string>();
  private readonly fresh = new Map<string, number>();
  private readonly urgentCued = new Set<string>();
  private primed = false;
  /** The request just decided here and its place, so focus can go to the next one when it leaves. */
  private decidedAt: { requestId: string; index: number } | undefined;
  private readonly ticker = new ClockController(this, 250, () => this.clock());

  /** What is shown now: pending and not past its deadline, soonest first. */
  visibleRequests(): ApprovalRequestItem[] {
    const now = this.ticker.now;
    return this.requests.filter((r) => r.deadline > now).sort((a, b) => a.deadline - b.deadline || a.requestId.localeCompare(b.requestId));
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('selectedEntityId')) this.selected = this.selectedEntityId;
    const now = this.clock();
    if (changed.has('requests')) this.noteArrivals(now);
    this.noteUrgent(now);
  }

  private noteArrivals(now: number): void {
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
    if (added.length === 0) return;
    const first = added[0]!;
    this.announcement =
      added.length === 1 ? `New approval request: ${this.requestTitle(first)}, ${formatCountdown(first.deadline - now)} left.` : `${added.length} new approval requests.`;
    this.alerts.newRequest(this.subject(first));
  }

  /** Cues each request once when it crosses into its last 10 s. */
  private noteUrgent(now: number): void {
    for (const r of this.requests) {
      const left = r.deadline - now;
      if (left <= 0 || left >= URGENT_MS || this.urgentCued.has(r.requestId) || this.sent.has(r.requestId)) continue;
      this.urgentCued.add(r.requestId);
      this.announcement = `Under 10 seconds to decide: ${this.requestTitle(r)}.`;
      this.alerts.urgent(this.subject(r));
    }
  }

  protected override updated(): void {
    this.keepFocusAfterDecision();
  }

  protected override render() {
    const now = this.ticker.now;
    const requests = this.visibleRequests();
    // One tab stop for the list (roving tabindex): the selected request, else the first.
    const selectedRow = requests.find((r) => r.entityId === this.selected);
    const tabStop = selectedRow?.requestId ?? requests[0]?.requestId;
    return html`
      <header>
        <h2 id="title">Approvals</h2>
        <span class="count mono ${requests.length > 0 ? 'has' : ''}" aria-label="${requests.length} pending">${requests.length}</span>
        ${this.canDecide
          ? html`<span class="hint muted" aria-hidden="true"><kbd>↑</kbd><kbd>↓</kbd> select · <kbd>A</kbd> approve · <kbd>D</kbd> deny</span>`
          : nothing}
        ${this.renderAlertToggles()}
      </header>
      ${this.canDecide ? nothing : html`<p class="viewer-note">${VIEWER_NOTE}</p>`}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
      <ol class="requests" aria-labelledby="title" tabindex="-1" @keydown=${this.onKeyDown}>
        ${requests.length === 0 ? html`<li class="empty muted">No requests waiting.</li>` : nothing}
        ${repeat(
          requests,
          (r) => r.requestId,
          (r) => this.renderRequest(r, now, r.requestId === tabStop, r === selectedRow),
        )}
      </ol>
      ${this.error ? html`<p class="error" role="alert">Not sent: ${this.error}</p>` : nothing} ${this.renderHistory()}
    `;
  }

  private renderAlertToggles() {
    const n = this.alerts.notifications;
    const notifyText = n === 'on' ? 'on' : n === 'blocked' ? 'blocked by the browser' : 'off';
    return html`<span class="toggles">
      <button type="button" class="toggle" aria-pressed=${this.alerts.sound ? 'true' : 'false'} @click=${this.toggleSound} title="Tone for a new request and under 10 s">
        Sound ${this.alerts.sound ? 'on' : 'off'}
      </button>
      ${n === 'unavailable'
        ? nothing
        : html`<button
            type="button"
            class="toggle"
            aria-pressed=${n === 'on' ? 'true' : 'false'}
            @click=${this.toggleNotifications}
            title="Desktop notification while this page is hidden"
          >
            Desktop alerts ${notifyText}
          </button>`}
    </span>`;
  }

  private renderRequest(r: ApprovalRequestItem, now: number, tabStop: boolean, selected: boolean) {
    const left = r.deadline - now;
    const sent = this.sent.get(r.requestId);
    const fresh = this.fresh.get(r.requestId);
    const isNew = fresh !== undefined && now - fresh < NEW_CUE_MS;
    const urgency = deadlineUrgency(r.requestedAt, r.deadline, now);
    const title = this.requestTitle(r);
    const fractionLeft = Math.max(0, Math.min(1, left / Math.max(1, r.deadline - r.requestedAt)));
    const by = this.nameOf(r.requestedBy);
    return html`<li
      class="request ${urgency} ${isNew ? 'new' : ''} ${selected ? 'selected' : ''}"
      data-request=${r.requestId}
      data-entity=${r.entityId}
      tabindex=${tabStop ? 0 : -1}
      aria-current=${selected ? 'true' : 'false'}
      aria-label="${title}, ${formatCountdown(left)} left${urgency === 'urgent' ? ', urgent' : ''}, requested by ${by}${sent ? `, ${sent} sent` : ''}"
      aria-keyshortcuts=${this.canDecide ? 'A D' : nothing}
      @focus=${() => this.select(r)}
      @click=${(e: Event) => (e.target as HTMLElement).closest('button') || this.select(r)}
      @mouseenter=${() => this.highlight(r.entityId)}
      @mouseleave=${() => this.highlight(undefined)}
      @focusin=${() => this.highlight(r.entityId)}
      @focusout=${() => this.highlight(undefined)}
    >
      <span class="what"><span class="name mono">${r.brief.name}</span> ${r.tasks.join(', ')} · ${r.label}</span>
      <span class="countdown mono" role="timer" aria-hidden="true">${formatCountdown(left)}</span>
      <span class="urgency-word" aria-hidden="true">${URGENCY_TEXT[urgency]}</span>
      <span class="bar" aria-hidden="true"><span style="width:${(fractionLeft * 100).toFixed(1)}%"></span></span>
      <span class="meta">${briefLine(r.brief)}</span>
      <span class="meta">${nearestLine(r.brief)}</span>
      <span class="meta muted">threat ${r.threat} · requested by ${by}</span>
      ${this.canDecide
        ? html`<div class="actions">
            <button type="button" class="approve" ?disabled=${sent !== undefined} @click=${(e: Event) => this.decideFrom(e, r, 'approve')} aria-label="Approve ${title}">
              Approve <kbd>A</kbd>
            </button>
            <button type="button" class="deny" ?disabled=${sent !== undefined} @click=${(e: Event) => this.decideFrom(e, r, 'deny')} aria-label="Deny ${title}">
              Deny <kbd>D</kbd>
            </button>
            ${sent ? html`<span class="sent">${sent === 'approve' ? 'Approval' : 'Denial'} sent</span>` : nothing}
          </div>`
        : nothing}
    </li>`;
  }

  private renderHistory() {
    if (this.history.length === 0) return nothing;
    return html`<section class="history-box" aria-label="Recent decisions">
      <button type="button" class="history-toggle" aria-expanded=${this.historyOpen ? 'true' : 'false'} aria-controls="history" @click=${() => (this.historyOpen = !this.historyOpen)}>
        <span aria-hidden="true">${this.historyOpen ? '▾' : '▸'}</span> Recent (${this.history.length})
      </button>
      ${this.historyOpen
        ? html`<ul id="history" class="history" tabindex="0" aria-label="Recent decisions, newest first">
            ${this.history.map(
              (h) => html`<li>
                <span class="mono muted">${formatUtc(h.at, false)}</span>
                <span class="outcome-${h.outcome}">${this.outcomeText(h)}</span>
                <span><span class="mono">${h.request.brief.name}</span> ${h.request.tasks.join(', ')} · ${h.request.label}</span>
              </li>`,
            )}
          </ul>`
        : nothing}
    </section>`;
  }

  private requestTitle(r: ApprovalRequestItem): string {
    return `${r.tasks.join(', ')} on ${r.brief.name} (${r.label})`;
  }

  private subject(r: ApprovalRequestItem): AlertSubject {
    return { requestId: r.requestId, title: this.requestTitle(r) };
  }

  private nameOf(nodeId: string): string {
    return this.nodeNames.get(nodeId) ?? nodeId;
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

  private readonly toggleSound = (): void => {
    this.alerts.sound = !this.alerts.sound;
    this.requestUpdate();
  };

  private readonly toggleNotifications = async (): Promise<void> => {
    await this.alerts.setNotifications(this.alerts.notifications !== 'on');
    this.requestUpdate();
  };

  private decideFrom(e: Event, r: ApprovalRequestItem, decision: ApprovalDecision): void {
    // The button is about to be disabled, which would drop focus to the page: keep it on the card.
    (e.currentTarget as HTMLElement).closest<HTMLElement>('li.request')?.focus();
    this.decide(r, decision);
  }

  private decide(r: ApprovalRequestItem, decision: ApprovalDecision): void {
    if (!this.canDecide || this.sent.has(r.requestId)) return;
    this.decidedAt = { requestId: r.requestId, index: this.visibleRequests().findIndex((x) => x.requestId === r.requestId) };
    this.dispatchEvent(
      new CustomEvent<ApprovalDecisionDetail>('approval-decision', {
        detail: { entityId: r.entityId, requestId: r.requestId, decision },
        bubbles: true,
        composed: true,
      }),
    );
  }

  /**
   * Once the decided request leaves, focus goes to the request now in its place (or the one
   * before, if it was last), or to the list when none is left, so the next key press still
   * acts on the queue. Not if the operator has meanwhile moved focus elsewhere.
   */
  private keepFocusAfterDecision(): void {
    const decided = this.decidedAt;
    if (!decided) return;
    const requests = this.visibleRequests();
    if (requests.some((r) => r.requestId === decided.requestId)) return;
    this.decidedAt = undefined;
    const active = document.activeElement;
    const focusHere = active === null || active === document.body || active === this;
    if (!focusHere) return;
    const next = requests[Math.min(decided.index, requests.length - 1)];
    if (next) this.rowOf(next.requestId)?.focus();
    else this.renderRoot.querySelector<HTMLElement>('ol.requests')?.focus();
  }

  private rowOf(requestId: string): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`li[data-request="${CSS.escape(requestId)}"]`);
  }

  private select(r: ApprovalRequestItem): void {
    if (this.selected === r.entityId) return;
    this.selected = r.entityId;
    this.dispatchEvent(new CustomEvent<EntitySelectDetail>('entity-select', { detail: { entityId: r.entityId }, bubbles: true, composed: true }));
  }

  private highlight(entityId: string | undefined): void {
    this.dispatchEvent(new CustomEvent<EntityHighlightDetail>('entity-highlight', { detail: { entityId }, bubbles: true, composed: true }));
  }

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('li.request');
    if (!row || e.ctrlKey || e.metaKey || e.altKey) return;
    const requests = this.visibleRequests();
    const at = requests.findIndex((r) => r.requestId === row.dataset.request);
    const r = requests[at];
    if (!r) return;
    const key = e.key.toLowerCase();
    if ((key === 'a' || key === 'd') && this.canDecide) {
      e.preventDefault();
      if (e.target !== row) row.focus();
      this.decide(r, key === 'a' ? 'approve' : 'deny');
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = requests[Math.max(0, Math.min(requests.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))]!;
      // Selecting first makes the new row the tab stop before it takes focus.
      this.select(next);
      void this.updateComplete.then(() => this.rowOf(next.requestId)?.focus());
    } else if (e.key === 'Enter' && e.target === row) {
      e.preventDefault();
      this.dispatchEvent(new CustomEvent<EntitySelectDetail>('entity-select', { detail: { entityId: r.entityId }, bubbles: true, composed: true }));
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
