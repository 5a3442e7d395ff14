/**
 * `<lattice-mesh-panel>`: this node's place in the mesh. Peers with their link kind, when they
 * were last heard and whether their state digest equals ours; the room and signaling; what was
 * rejected from peers; and the switch to go offline or reconnect (raises `mesh-connection`).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { StoreHealth } from '../../crdt/index.js';
import type { MeshStatus, NodeIdentity } from '../../peer/LatticeNode.js';
import { ClockController } from '../controllers/ClockController.js';
import { formatAge } from '../format.js';
import { SYNC_TEXT, inSync, summarise, type ConvergedAt } from '../meshSummary.js';
import { dataTable, panel, theme } from '../theme.js';

/** How a peer is reached, in words; unknown kinds (a newer mesh) are shown as they are. */
export function linkText(link: string): string {
  switch (link) {
    case 'webrtc':
      return 'WebRTC';
    case 'broadcastchannel':
      return 'same browser';
    case 'relay':
      return 'via others';
    default:
      return link;
  }
}

export interface MeshConnectionDetail {
  /** True to join the mesh, false to leave it. */
  readonly connect: boolean;
}

@customElement('lattice-mesh-panel')
export class MeshPanel extends LitElement {
  static override styles = [
    theme,
    panel,
    dataTable,
    css`
      .row {
        display: flex;
        align-items: center;
        gap: 10px;
        margin-bottom: 8px;
      }
      .pill {
        padding: 2px 8px;
        border-radius: 10px;
        font-weight: 700;
        font-size: 12px;
        border: 1px solid currentColor;
      }
      .pill.online {
        color: var(--lm-ok);
      }
      .pill.offline {
        color: var(--lm-danger);
      }
      .pill.connecting {
        color: var(--lm-warn);
      }
      .row button {
        margin-left: auto;
      }
      dd {
        overflow: hidden;
        text-overflow: ellipsis;
      }
      h3 {
        margin: 12px 0 6px;
        font-size: 11px;
        color: var(--lm-muted);
        text-transform: uppercase;
        letter-spacing: 0.08em;
      }
      td.mono,
      td.state {
        white-space: nowrap;
      }
      .yes {
        color: var(--lm-ok);
      }
      .no {
        color: var(--lm-warn);
      }
      ul {
        margin: 0;
        padding-left: 16px;
        font-size: 12px;
      }
    `,
  ];

  @property({ attribute: false }) status: MeshStatus | undefined;
  @property({ attribute: false }) identity: NodeIdentity | undefined;
  /** Our own state digest, computed recently. */
  @property({ attribute: false }) localDigest: string | undefined;
  /** When each peer was last converged with us. */
  @property({ attribute: false }) convergedAt: ConvergedAt = new Map();
  @property({ attribute: false }) health: StoreHealth | undefined;
  @property({ attribute: false }) clock: () => number = () => Date.now();
  private readonly ticker = new ClockController(this, 1000, () => this.clock());

  protected override render() {
    const s = this.status;
    const now = this.ticker.now;
    const summary = summarise(s, this.convergedAt, now);
    const state = s?.state ?? 'connecting';
    return html`
      <div class="row">
        <span class="pill ${state}">${state.toUpperCase()}</span>
        <span>${SYNC_TEXT[summary.state]}${summary.peers > 0 ? ` · ${summary.converged}/${summary.peers} converged` : ''}</span>
        <button type="button" @click=${() => this.setConnected(state === 'offline')} ?disabled=${!s}>
          ${state === 'offline' ? 'Reconnect' : 'Go offline'}
        </button>
      </div>
      ${s?.problem ? html`<p class="alert" role="alert">${s.problem}</p>` : nothing}
      <dl>
        <dt>Node</dt>
        <dd>${this.identity ? `${this.identity.name} (${this.identity.nodeId}) · ${this.identity.role}` : '—'}</dd>
        <dt>Room</dt>
        <dd class="mono">${s?.room ?? '—'}</dd>
        <dt>Signaling</dt>
        <dd class="mono">${s ? `${s.signaling.join(', ') || 'none'} · ${s.signalingConnected ? 'connected' : 'not connected'}` : '—'}</dd>
        <dt>Network</dt>
        <dd>${s ? (s.networkOnline ? 'online' : 'browser reports no network') : '—'}</dd>
        <dt>State digest</dt>
        <dd class="mono">${this.localDigest ?? '—'}</dd>
        <dt>Rejected</dt>
        <dd>
          ${s?.rejectedMessages ?? 0} messages · ${this.health?.rejectedWrites ?? 0} writes · ${this.health?.rejectedBatches ?? 0} batches ·
          ${this.health?.clockSkews ?? 0} clock skews
        </dd>
        ${s && 'linkReplacements' in s && typeof s.linkReplacements === 'number'
          ? html`<dt>Links replaced</dt>
              <dd>${s.linkReplacements} (carried no traffic)</dd>`
          : nothing}
      </dl>
      <h3 id="peers">Peers (${s?.peers.length ?? 0})</h3>
      ${s && s.peers.length > 0
        ? html`<table aria-labelledby="peers">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Link</th>
                <th scope="col">Heard</th>
                <th scope="col">Up</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              ${s.peers.map((p) => {
                const converged = inSync(p, this.convergedAt, now);
                const lastSeen = this.convergedAt.get(p.nodeId);
                return html`<tr data-peer=${p.nodeId}>
                  <td title=${p.nodeId}>${p.name} <span class="muted">${p.role}</span></td>
                  <td>${linkText(p.link)}</td>
                  <td class="mono">${formatAge(now - p.lastHeard)} ago</td>
                  <td class="mono">${formatAge(now - p.connectedSince)}</td>
                  <td class="state ${converged ? 'yes' : 'no'}" title="digest ${p.digest}">
                    ${p.converged ? '✓ converged' : converged ? `✓ ${formatAge(now - lastSeen!)} ago` : '⟳ syncing'}
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>`
        : html`<p class="muted">${state === 'offline' ? 'Offline: no peers until you reconnect.' : 'No other nodes in this room yet.'}</p>`}
      ${this.health && this.health.recentProblems.length > 0
        ? html`<h3>Recent problems</h3>
            <ul>
              ${this.health.recentProblems.slice(-5).map((p) => html`<li>${p}</li>`)}
            </ul>`
        : nothing}
    `;
  }

  private setConnected(connect: boolean): void {
    this.dispatchEvent(new CustomEvent<MeshConnectionDetail>('mesh-connection', { detail: { connect }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-mesh-panel': MeshPanel;
  }
  interface HTMLElementEventMap {
    'mesh-connection': CustomEvent<MeshConnectionDetail>;
  }
}
