/**
 * `<lattice-status-bar>`: who and where this node is, and whether its picture can be trusted:
 * node name, role, room, peers, sync state, an unmissable offline indicator, the link faults in
 * force on this node's links (only when there are some), the uplink in use against its budget
 * (only when a budget is set), and UTC time.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { MeshStatus, NodeIdentity, TrafficReport } from '../../peer/LatticeNode.js';
import { ClockController } from '../controllers/ClockController.js';
import { formatRateOf, formatUtc } from '../format.js';
import { SYNC_TEXT, summarise, type ConvergedAt } from '../meshSummary.js';
import { theme } from '../theme.js';
import { summariseUplink } from '../uplinkSummary.js';

@customElement('lattice-status-bar')
export class StatusBar extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: flex;
        align-items: center;
        gap: 18px;
        height: 36px;
        padding: 0 12px;
        background: var(--lm-panel);
        border-bottom: 1px solid var(--lm-line);
        white-space: nowrap;
        overflow: hidden;
      }
      .open-room {
        font-size: 11px;
        font-weight: 700;
        letter-spacing: 0.08em;
        padding: 0 5px;
        border-radius: 3px;
        color: var(--lm-bg, #000);
        background: var(--lm-warn, #e0a030);
      }
      .brand {
        font-weight: 800;
        letter-spacing: 0.18em;
        color: var(--lm-accent);
      }
      .item {
        display: flex;
        gap: 6px;
        align-items: baseline;
      }
      .k {
        color: var(--lm-muted);
        font-size: 11px;
        text-transform: uppercase;
        letter-spacing: 0.06em;
      }
      .role {
        padding: 0 6px;
        border: 1px solid var(--lm-line);
        border-radius: 3px;
        font-size: 11px;
        text-transform: uppercase;
      }
      .sync-converged {
        color: var(--lm-ok);
      }
      .sync-syncing,
      .sync-connecting {
        color: var(--lm-warn);
      }
      .sync-offline {
        color: var(--lm-danger);
      }
      .offline {
        padding: 2px 10px;
        border-radius: 3px;
        background: #b3261e;
        color: #fff;
        font-weight: 800;
        letter-spacing: 0.08em;
      }
      .warn {
        color: var(--lm-warn);
      }
      /* Everything keeps its width but a problem, which shrinks to an ellipsis (the whole of it
         is in its title and on the Mesh tab): the counts and the clock never leave the bar. */
      :host > * {
        flex-shrink: 0;
      }
      :host > .problem {
        flex: 0 1 auto;
        min-width: 4em;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .spacer {
        flex: 1;
      }
    `,
  ];

  @property({ attribute: false }) identity: NodeIdentity | undefined;
  @property({ attribute: false }) status: MeshStatus | undefined;
  /** When each peer was last converged with us. */
  @property({ attribute: false }) convergedAt: ConvergedAt = new Map();
  /** The node's uplink traffic; the indicator shows only while a budget is set. */
  @property({ attribute: false }) traffic: TrafficReport | undefined;
  @property({ type: Number }) entities = 0;
  /** A pipeline problem a person must act on (a run set aside), shown beside the mesh's. */
  @property({ attribute: false }) pipelineProblem: string | undefined;
  @property({ type: Number, attribute: 'pending-approvals' }) pendingApprovals = 0;
  @property({ attribute: false }) clock: () => number = () => Date.now();
  private readonly ticker = new ClockController(this, 1000, () => this.clock());

  protected override render() {
    const s = this.status;
    const summary = summarise(s, this.convergedAt, this.ticker.now);
    const offline = s !== undefined && (s.state === 'offline' || !s.networkOnline);
    return html`
      <span class="brand" aria-label="Lattice Mesh">LATTICE</span>
      <span class="item"><span class="k">Node</span><strong>${this.identity?.name ?? '—'}</strong></span>
      ${this.renderRoom(s)}
      <span class="item"><span class="k">Peers</span><span class="mono">${s?.peers.length ?? 0}</span></span>
      <span class="item" role="status" aria-label="Sync: ${SYNC_TEXT[summary.state]}">
        <span class="k">Sync</span>
        <span class="sync-${summary.state}">${SYNC_TEXT[summary.state]}${summary.state === 'syncing' ? ` ${summary.converged}/${summary.peers}` : ''}</span>
      </span>
      ${offline
        ? html`<span class="offline" role="status">${s!.state === 'offline' ? 'OFFLINE' : 'NO NETWORK'}</span>`
        : nothing}
      ${s?.problem ? html`<span class="warn problem" role="alert" title=${s.problem}>⚠ ${s.problem}</span>` : nothing}
      ${this.pipelineProblem ? html`<span class="warn problem" role="alert" title=${this.pipelineProblem}>⚠ ${this.pipelineProblem}</span>` : nothing}
      ${s?.faults ? this.renderFaults(s.faults) : nothing}
      <span class="spacer"></span>
      ${this.renderUplink()}
      <span class="item"><span class="k">Entities</span><span class="mono">${this.entities}</span></span>
      <span class="item ${this.pendingApprovals > 0 ? 'warn' : ''}"><span class="k">Approvals</span><span class="mono">${this.pendingApprovals}</span></span>
      <span class="mono" aria-label="UTC time">${formatUtc(this.ticker.now, false)}</span>
    `;
  }

  /**
   * The role this node holds (in an owned room, what its membership gives: `guest` without one)
   * and the room by its name; an open room is marked as open, everywhere it is named.
   */
  private renderRoom(s: MeshStatus | undefined) {
    const info = s?.roomInfo;
    const role = info && !info.open ? info.standing : (this.identity?.role ?? '—');
    const owner = info?.ownerFingerprint;
    return html`<span class="role" aria-label="Role ${role}">${role}</span>
      <span class="item" title=${owner ? `Owned by key ${owner}` : info?.open ? 'An open room: anyone who reaches it writes' : ''}>
        <span class="k">Room</span><span class="mono">${info?.name ?? s?.room ?? '—'}</span>
        ${info?.open ? html`<span class="open-room" aria-label="Open room: anyone who reaches it writes">OPEN</span>` : nothing}
      </span>`;
  }

  /** Faults are set on purpose, but a person reading the picture must know its links are impaired. */
  private renderFaults(n: number) {
    const label = `${n} link fault${n === 1 ? '' : 's'} in force on this node's links`;
    return html`<span class="item faults warn" role="status" aria-label=${label} title=${label}>
      <span class="k">Link faults</span><span class="mono">${n}</span>
    </span>`;
  }

  private renderUplink() {
    const t = this.traffic;
    if (!t || t.budget.bytesPerSecond === 0) return nothing;
    const { used, limit, saturated } = summariseUplink(t);
    const waiting = t.queueDepth.toLocaleString('en-US');
    const label = `Uplink budget: ${formatRateOf(used, limit, ' of ')} used, ${waiting} change${t.queueDepth === 1 ? '' : 's'} waiting`;
    return html`<span class="item uplink ${saturated ? 'warn' : ''}" role="img" aria-label=${label} title=${label}>
      <span class="mono">▲ ${formatRateOf(used, limit)} · ${waiting} waiting</span>
    </span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-status-bar': StatusBar;
  }
}
