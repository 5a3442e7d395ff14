/**
 * `<lattice-budget-panel>`: this node's uplink budget, shown in the Mesh tab. The budget in
 * force, how much of it is used, what was sent per traffic class and what waits for the link;
 * a form and presets to change it (raises `budget-change`). The node judges the values; its
 * refusal comes back as `error`. Input that is not a whole number is refused here, inline.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { CHANGE_CLASSES, TRAFFIC_CLASSES, type ChangeClass, type TrafficClass, type TrafficReport } from '../../peer/LatticeNode.js';
import { describeBudget, formatBytes, formatRate, formatRateOf, formatWait } from '../format.js';
import { dataTable, panel, theme } from '../theme.js';
import { summariseUplink } from '../uplinkSummary.js';

type BudgetField = keyof BudgetChangeDetail;

export interface BudgetChangeDetail {
  /** 0 lifts the budget. */
  readonly bytesPerSecond: number;
  /** Omitted: the node uses one second of budget (at least 1,024). */
  readonly burstBytes?: number;
}

/** Links operators name by their bit rate, as bytes per second. */
export const BUDGET_PRESETS: readonly { readonly label: string; readonly bytesPerSecond: number }[] = [
  { label: 'Unlimited', bytesPerSecond: 0 },
  { label: '64 kbps satellite', bytesPerSecond: 8000 },
  { label: '9.6 kbps radio', bytesPerSecond: 1200 },
  { label: '1 kB/s', bytesPerSecond: 1000 },
];

const CLASS_TEXT: Record<TrafficClass, string> = {
  delete: 'Deletes',
  create: 'Creates',
  priority: 'Priority',
  routine: 'Routine',
  position: 'Positions',
  sync: 'Resync',
  presence: 'Presence',
  relay: 'Relayed',
};

const isChangeClass = (c: TrafficClass): c is ChangeClass => (CHANGE_CLASSES as readonly string[]).includes(c);
const count = (n: number): string => n.toLocaleString('en-US');

/**
 * A whole number of bytes, or why not. Empty text is `undefined` (the field was left out).
 * Spaces may group digits ("64 000"); commas may not, since "1,5" means 1.5 in much of Europe.
 */
export function parseBytes(text: string, what: string): number | undefined | { readonly error: string } {
  const t = text.trim().replace(/\s/g, '');
  if (t === '') return undefined;
  if (!/^\d+$/.test(t)) return { error: `${what} must be a whole number of bytes, got "${text.trim()}".` };
  return Number(t);
}

@customElement('lattice-budget-panel')
export class BudgetPanel extends LitElement {
  static override styles = [
    theme,
    panel,
    dataTable,
    css`
      :host {
        padding-top: 0;
      }
      dd.sending {
        display: flex;
        align-items: center;
        gap: 10px;
      }
      .bar {
        flex: 1;
        height: 8px;
        border: 1px solid var(--lm-line);
        border-radius: 4px;
        background: var(--lm-panel);
        overflow: hidden;
      }
      .bar > span {
        display: block;
        height: 100%;
        background: var(--lm-ok);
      }
      .bar.saturated > span {
        background: var(--lm-warn);
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: end;
        margin: 0 0 8px;
      }
      input {
        width: 8em;
        background: var(--lm-panel);
        padding: 2px 6px;
      }
      input[aria-invalid='true'] {
        border-color: var(--lm-danger);
      }
      .presets {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
      }
      .presets button {
        padding: 2px 8px;
        font-size: 12px;
      }
      caption {
        caption-side: bottom;
        text-align: left;
        padding: 4px 0 2px;
        font-size: 11px;
        color: var(--lm-muted);
      }
      th.num,
      td.num {
        text-align: right;
        white-space: nowrap;
      }
      tr.idle td,
      tr.idle th {
        color: var(--lm-muted);
        font-weight: 400;
      }
      tbody th {
        font-weight: 400;
      }
    `,
  ];

  @property({ attribute: false }) traffic: TrafficReport | undefined;
  /** Why the node refused the last budget, shown until the next one is accepted. */
  @property({ attribute: false }) error: string | undefined;
  /** Input that is not a number: refused here, nothing is raised. */
  @state() private inputError: { readonly field: BudgetField; readonly message: string } | undefined;

  protected override render() {
    const t = this.traffic;
    return html`
      <h3>Uplink budget</h3>
      <dl>
        <dt>Budget</dt>
        <dd class="current">${t ? describeBudget(t.budget) : '—'}</dd>
        ${t ? this.renderUse(t) : nothing}
      </dl>
      ${t ? this.renderTable(t) : nothing}
      <h3 id="budget-heading">Set the budget</h3>
      ${this.renderForm()}
    `;
  }

  private renderUse(t: TrafficReport) {
    const { used, limit } = summariseUplink(t);
    return html`
      <dt>Sending</dt>
      <dd class="sending"><span class="mono">${limit > 0 ? formatRateOf(used, limit) : formatRate(used)}</span>${limit > 0 ? this.renderBar(t) : nothing}</dd>
      <dt>Waiting</dt>
      <dd class="waiting">
        ${t.queueDepth === 0 ? 'nothing' : html`${count(t.queueDepth)} change${t.queueDepth === 1 ? '' : 's'} · oldest ${formatWait(t.oldestWaitMs)}`}
      </dd>
      <dt>Encoded</dt>
      <dd class="pending">${formatBytes(t.pendingBytes)} waiting for the link</dd>
      <dt>Coalesced</dt>
      <dd class="coalesced">${count(t.coalesced)} replaced by a newer change before they left</dd>
    `;
  }

  private renderBar(t: TrafficReport) {
    const { used, limit, share, saturated } = summariseUplink(t);
    return html`<div
      class="bar ${saturated ? 'saturated' : ''}"
      role="meter"
      aria-label="Uplink use"
      aria-valuemin="0"
      aria-valuemax=${limit}
      aria-valuenow=${Math.min(used, limit)}
      aria-valuetext="${formatRateOf(used, limit)} (${Math.round(share * 100)} %)"
    >
      <span style="width: ${Math.min(100, share * 100).toFixed(1)}%"></span>
    </div>`;
  }

  private renderForm() {
    const error = this.inputError?.message ?? this.error;
    const invalid = (field: BudgetField) => (this.inputError?.field === field ? 'true' : 'false');
    const describedBy = error ? 'budget-error' : nothing;
    return html`
      ${error ? html`<p class="alert" role="alert" id="budget-error">${error}</p>` : nothing}
      <form @submit=${this.onSubmit} aria-labelledby="budget-heading" novalidate>
        <label
          >Bytes per second
          <input name="bytesPerSecond" inputmode="numeric" autocomplete="off" placeholder="0 = unlimited" aria-invalid=${invalid('bytesPerSecond')} aria-describedby=${describedBy} />
        </label>
        <label
          >Burst (bytes)
          <input name="burstBytes" inputmode="numeric" autocomplete="off" placeholder="1 s of budget" aria-invalid=${invalid('burstBytes')} aria-describedby=${describedBy} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <div class="presets" role="group" aria-label="Budget presets">
        ${BUDGET_PRESETS.map((p) => html`<button type="button" data-bps=${p.bytesPerSecond} @click=${() => this.applyPreset(p.bytesPerSecond)}>${p.label}</button>`)}
      </div>
    `;
  }

  private renderTable(t: TrafficReport) {
    return html`<table aria-label="Uplink traffic by class">
      <caption>
        Rates averaged over the last ${formatWait(t.windowMs)}; totals since the node started.
      </caption>
      <thead>
        <tr>
          <th scope="col">Class</th>
          <th scope="col" class="num">Now</th>
          <th scope="col" class="num">Waiting</th>
          <th scope="col" class="num">Sent</th>
        </tr>
      </thead>
      <tbody>
        ${TRAFFIC_CLASSES.map((c) => {
          const waiting = isChangeClass(c) ? t.queued[c] : undefined;
          const idle = t.bytesPerSecond[c] === 0 && !waiting;
          return html`<tr data-class=${c} class=${idle ? 'idle' : ''}>
            <th scope="row">${CLASS_TEXT[c]}</th>
            <td class="num mono">${formatRate(t.bytesPerSecond[c])}</td>
            <td class="num mono">${waiting === undefined ? '—' : count(waiting)}</td>
            <td class="num mono">${formatBytes(t.totalBytes[c])}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  private readonly onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const rate = parseBytes(String(data.get('bytesPerSecond') ?? ''), 'Bytes per second');
    const burst = parseBytes(String(data.get('burstBytes') ?? ''), 'The burst');
    if (rate === undefined) this.inputError = { field: 'bytesPerSecond', message: 'Bytes per second is needed (0 lifts the budget).' };
    else if (typeof rate === 'object') this.inputError = { field: 'bytesPerSecond', message: rate.error };
    else if (typeof burst === 'object') this.inputError = { field: 'burstBytes', message: burst.error };
    else this.raise(burst === undefined ? { bytesPerSecond: rate } : { bytesPerSecond: rate, burstBytes: burst });
  };

  /** A preset replaces whatever was typed, so the form does not show values that were never applied. */
  private applyPreset(bytesPerSecond: number): void {
    this.renderRoot.querySelector('form')?.reset();
    this.raise({ bytesPerSecond });
  }

  private raise(detail: BudgetChangeDetail): void {
    this.inputError = undefined;
    this.dispatchEvent(new CustomEvent<BudgetChangeDetail>('budget-change', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-budget-panel': BudgetPanel;
  }
  interface HTMLElementEventMap {
    'budget-change': CustomEvent<BudgetChangeDetail>;
  }
}
