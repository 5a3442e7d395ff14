/**
 * `<lattice-mesh-panel>`: this node's place in the mesh. Peers with their link kind, when they
 * were last heard and whether their state digest equals ours; the room and signaling; what was
 * rejected from peers, by peer; and the switch to go offline or reconnect (raises
 * `mesh-connection`). With its `node`: the
 * link faults in force and the forms that set and heal them (`<lattice-link-faults>`, whose
 * commands this panel runs on `node.faults`, showing a refusal), and the topology
 * (`<lattice-topology-view>`).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LatticeError, type StoreHealth } from '../../crdt/index.js';
import type { LatticeNode, MeshFaults, MeshStatus, NodeIdentity } from '../../peer/LatticeNode.js';
import { ClockController } from '../controllers/ClockController.js';
import { MeshLinksController } from '../controllers/MeshLinksController.js';
import { faultCountText, namesIn } from '../faultText.js';
import { formatAge } from '../format.js';
import { RULES } from '../../peer/monitors/rules.js';

const RULE_COUNT = Object.keys(RULES).length;
import { SYNC_TEXT, inSync, linkText, summarise, type ConvergedAt } from '../meshSummary.js';
import { dataTable, panel, theme } from '../theme.js';
import type { FaultCommand } from './LinkFaultsPanel.js';
import './LinkFaultsPanel.js';
import './RoomPassword.js';
import './TopologyView.js';

export { linkText };

/** Runs one command from the fault forms; throws the node's `ValidationError` on refusal. */
export function runFaultCommand(faults: MeshFaults, c: FaultCommand): void {
  switch (c.kind) {
    case 'cut':
      faults.cut(c.a, c.b);
      break;
    case 'split':
      faults.split(c.groups);
      break;
    case 'impair':
      // The API reads only the impairment's fields; `kind` rides along unread.
      faults.impair(c);
      break;
    case 'heal':
      faults.heal(c.id);
      break;
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
      ul.breaks {
        margin: 0.2rem 0 0;
        padding-left: 1.1rem;
        overflow-wrap: anywhere;
      }
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
      .faults-line {
        margin: 0 0 8px;
        font-weight: 600;
      }
      .faults-line.some {
        color: var(--lm-warn);
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
  /** The node whose faults and topology this panel shows. */
  @property({ attribute: false }) node: LatticeNode | undefined;
  /** The node's refusal of the last fault command. */
  @state() private faultError: string | undefined;
  private readonly ticker = new ClockController(this, 1000, () => this.clock());
  private readonly mesh = new MeshLinksController(this, () => this.node);

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
      ${this.hasNode
        ? html`<p class="faults-line ${this.mesh.faults.length > 0 ? 'some' : ''}" role="status">${faultCountText(this.mesh.faults.length)}</p>`
        : nothing}
      ${s?.problem ? html`<p class="alert" role="alert">${s.problem}</p>` : nothing}
      <dl>
        <dt>Node</dt>
        <dd>${this.identity ? `${this.identity.name} (${this.identity.nodeId}) · ${this.identity.role}` : '—'}</dd>
        <dt>Key</dt>
        <dd class="mono key" title="This node's key fingerprint, and its operator's (this browser profile's)">
          ${s?.fingerprint ?? '—'}${s?.operatorFingerprint ? ` · operator ${s.operatorFingerprint}` : ''}
        </dd>
        <dt>Room</dt>
        <dd>
          <span class="mono">${s?.roomInfo?.name ?? s?.room ?? '—'}</span>
          ${s?.roomInfo ? html`<span class="muted">${s.roomInfo.open ? ' · open: anyone who reaches it writes' : ` · owner ${s.roomInfo.ownerFingerprint ?? ''}`}</span>` : nothing}
        </dd>
        <dt>Password</dt>
        <dd>${s ? html`<lattice-room-password .room=${s.room}></lattice-room-password>` : '—'}</dd>
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
        ${s?.rejectedByPeer && Object.keys(s.rejectedByPeer).length > 0
          ? html`<dt>Refused by peer</dt>
              <dd class="refused">
                ${Object.entries(s.rejectedByPeer)
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([peer, n]) => `${peer}: ${n} refused`)
                  .join(' · ')}
              </dd>`
          : nothing}
        <dt>Checks</dt>
        <dd class=${s?.checks && s.checks.violations > 0 ? 'refused' : ''} data-checks>
          ${!s?.checks
            ? '—'
            : s.checks.violations === 0
              ? `every rule held (${RULE_COUNT} rules checked as it runs)`
              : html`${s.checks.violations} rule ${s.checks.violations === 1 ? 'break' : 'breaks'}:
                  <ul class="breaks">
                    ${s.checks.recent.map((v) => html`<li><span class="mono">${v.rule}</span> ${formatAge(now - v.at)} ago: ${v.evidence}</li>`)}
                  </ul>`}
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
                  <td title=${`${p.nodeId}${p.fingerprint ? `, key ${p.fingerprint}` : ''}${p.operatorFingerprint ? `, operator ${p.operatorFingerprint}` : ''}`}>
                    ${p.name} <span class="muted">${p.role}</span>${p.fingerprint ? html` <span class="mono muted key">${p.fingerprint.slice(0, 9)}</span>` : nothing}
                  </td>
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
      ${this.hasNode ? this.renderLinks(now) : nothing}
      ${this.health && this.health.recentProblems.length > 0
        ? html`<h3>Recent problems</h3>
            <ul>
              ${this.health.recentProblems.slice(-5).map((p) => html`<li>${p}</li>`)}
            </ul>`
        : nothing}
    `;
  }

  private get hasNode(): boolean {
    return (this.node) !== undefined;
  }

  private renderLinks(now: number) {
    const m = this.mesh;
    const nameOf = namesIn(m.topology);
    return html`<h3 id="faults">Link faults</h3>
      <lattice-link-faults
        aria-labelledby="faults"
        .nodes=${m.topology.nodes}
        .faults=${m.faults}
        .nameOf=${nameOf}
        .error=${this.faultError}
        .now=${now}
        @fault-command=${this.onFaultCommand}
      ></lattice-link-faults>
      <h3 id="topology">Topology</h3>
      <div class="row">
        <button type="button" @click=${this.onAntiEntropy} ?disabled=${m.links.length === 0}>Compare and repair now</button>
        <span class="muted">Linked peers compare digests every 5 s and after a heal; this asks them now.</span>
      </div>
      <lattice-topology-view
        aria-labelledby="topology"
        .topology=${m.topology}
        .links=${m.links}
        .routes=${m.routes}
        .faults=${m.faults}
        .nameOf=${nameOf}
        .now=${now}
      ></lattice-topology-view>`;
  }

  private readonly onFaultCommand = (e: CustomEvent<FaultCommand>): void => {
    e.stopPropagation();
    const node = this.node;
    if (!node) return;
    try {
      runFaultCommand(node.faults, e.detail);
      this.faultError = undefined;
    } catch (error) {
      if (!(error instanceof LatticeError)) throw error;
      this.faultError = `Not done: ${error.message}`;
    }
    this.mesh.refresh();
  };

  private readonly onAntiEntropy = (): void => {
    this.node?.antiEntropy();
    this.mesh.refresh();
  };

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
