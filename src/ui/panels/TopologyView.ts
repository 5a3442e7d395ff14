/**
 * `<lattice-topology-view>`: the shape of the mesh as this node sees it. A small graph of who
 * links to whom (impaired links amber; the pairs a fault cuts dashed and marked ✕, since a cut
 * link carries nothing and so is not in the topology), the same as a table with the route from
 * here to every node, and this node's direct links with their kind, when
 * each was last heard, the faults on it, the messages the faults touched, what was refused, and
 * anti-entropy rounds and repairs. Shows; changes nothing.
 */
import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { isCleanPolicy, linkPolicy, type Fault } from '../../peer/faults/LinkFaults.js';
import type { LinkInfo, Topology } from '../../peer/LatticeNode.js';
import { formatAge } from '../format.js';
import { describePolicy, type NameOf } from '../faultText.js';
import { linkText } from '../meshSummary.js';
import { dataTable, theme } from '../theme.js';

const VIEW = { width: 360, height: 190, radius: 68 } as const;

/** "3 cut, 1 lost"; only the kinds that happened. */
function faultedText(f: LinkInfo['faulted']): string {
  const parts = (['cut', 'lost', 'duplicated', 'reordered', 'delayed'] as const).filter((k) => f[k] > 0).map((k) => `${f[k]} ${k}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

@customElement('lattice-topology-view')
export class TopologyView extends LitElement {
  static override styles = [
    theme,
    dataTable,
    css`
      :host {
        display: block;
      }
      svg {
        display: block;
        width: 100%;
        height: auto;
        margin-bottom: 6px;
      }
      line {
        stroke: var(--lm-muted);
        stroke-width: 1.5;
      }
      line.impaired {
        stroke: var(--lm-warn);
      }
      line.cut {
        stroke: var(--lm-danger);
        stroke-dasharray: 5 4;
      }
      circle {
        fill: var(--lm-panel);
        stroke: var(--lm-accent);
        stroke-width: 1.5;
      }
      circle.self {
        fill: var(--lm-accent);
      }
      text {
        fill: currentColor;
        color: var(--lm-text);
        font-size: 12px;
      }
      text.mark {
        color: var(--lm-danger);
        font-weight: 700;
      }
      td {
        vertical-align: top;
        overflow-wrap: anywhere;
      }
      .sub {
        display: block;
        font-size: 11px;
        font-weight: 400;
        color: var(--lm-muted);
      }
      th[scope='row'] .sub {
        white-space: nowrap;
      }
      .cut {
        color: var(--lm-danger);
      }
      .key.verified {
        color: var(--lm-ok);
      }
      .key.unverified {
        color: var(--lm-warn);
      }
      .key .sub {
        white-space: nowrap;
        font-family: ui-monospace, monospace;
      }
      .impaired {
        color: var(--lm-warn);
      }
    `,
  ];

  @property({ attribute: false }) topology: Topology = { nodes: [], edges: [] };
  @property({ attribute: false }) links: readonly LinkInfo[] = [];
  /** Routes to the nodes with no direct link from here (see `MeshLinksController`). */
  @property({ attribute: false }) routes: ReadonlyMap<string, readonly string[] | undefined> = new Map();
  /** The faults in force, to mark the links between other nodes too. */
  @property({ attribute: false }) faults: readonly Fault[] = [];
  @property({ attribute: false }) nameOf: NameOf = (id) => id;
  @property({ attribute: false }) now = Date.now();

  protected override render() {
    return html`${this.renderGraph()} ${this.renderTable()} ${this.renderLinks()}`;
  }

  private edgeClass(a: string, b: string): string {
    const p = linkPolicy(this.faults, a, b);
    return p.cut ? 'cut' : isCleanPolicy(p) ? '' : 'impaired';
  }

  /** The topology's edges and every pair of known nodes a fault in force cuts. */
  private pairs(): (readonly [string, string])[] {
    const { nodes, edges } = this.topology;
    const seen = new Set(edges.map(([a, b]) => `${a}|${b}`));
    const cut: [string, string][] = [];
    if (this.faults.length > 0) {
      const ids = nodes.map((n) => n.nodeId).sort();
      for (let i = 0; i < ids.length; i++) {
        for (let j = i + 1; j < ids.length; j++) {
          const [a, b] = [ids[i]!, ids[j]!];
          if (!seen.has(`${a}|${b}`) && linkPolicy(this.faults, a, b).cut) cut.push([a, b]);
        }
      }
    }
    return [...edges, ...cut];
  }

  private renderGraph() {
    const nodes = this.topology.nodes;
    if (nodes.length < 2) return nothing;
    const cx = VIEW.width / 2;
    const cy = VIEW.height / 2;
    // On a circle, this node at the top; labels sit outside the circle so they never cross an edge.
    const at = new Map(nodes.map((n, i) => [n.nodeId, -Math.PI / 2 + (2 * Math.PI * i) / nodes.length]));
    const xy = (id: string, r: number = VIEW.radius) => [cx + r * Math.cos(at.get(id) ?? 0), cy + r * Math.sin(at.get(id) ?? 0)] as const;
    // The table below says the same in words; the picture is for the eye.
    return html`<svg viewBox="0 0 ${VIEW.width} ${VIEW.height}" aria-hidden="true">
      ${this.pairs().map(([a, b]) => {
        const [x1, y1] = xy(a);
        const [x2, y2] = xy(b);
        const kind = this.edgeClass(a, b);
        return svg`<line class=${kind} x1=${x1} y1=${y1} x2=${x2} y2=${y2}></line>
          ${kind === 'cut' ? svg`<text class="mark" x=${(x1 + x2) / 2} y=${(y1 + y2) / 2 + 4} text-anchor="middle">✕</text>` : nothing}`;
      })}
      ${nodes.map((n) => {
        const [x, y] = xy(n.nodeId);
        const [lx, ly] = xy(n.nodeId, VIEW.radius + 14);
        const anchor = Math.abs(lx - cx) < 8 ? 'middle' : lx > cx ? 'start' : 'end';
        return svg`<circle class=${n.self ? 'self' : ''} cx=${x} cy=${y} r="6"></circle>
          <text x=${lx} y=${ly + 4} text-anchor=${anchor}>${n.name}</text>`;
      })}
    </svg>`;
  }

  private renderTable() {
    const nodes = this.topology.nodes;
    const pairs = this.pairs();
    // A cut direct link carries nothing: what reaches that node goes the route.
    const direct = new Set(this.links.filter((l) => !l.policy.cut).map((l) => l.nodeId));
    const neighbours = (id: string) => pairs.flatMap(([a, b]) => (a === id ? [b] : b === id ? [a] : []));
    const reach = (n: Topology['nodes'][number]): string => {
      if (n.self) return 'this node';
      if (direct.has(n.nodeId)) return 'direct';
      const route = this.routes.get(n.nodeId);
      return route && route.length > 2 ? `via ${route.slice(1, -1).map(this.nameOf).join(', ')}` : 'no route';
    };
    return html`<table aria-label="Who links to whom">
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Links to</th>
          <th scope="col">From here</th>
        </tr>
      </thead>
      <tbody>
        ${nodes.map(
          (n) => html`<tr data-node=${n.nodeId}>
            <th scope="row">${n.name}</th>
            <td>
              ${neighbours(n.nodeId).map((m, i) => {
                const kind = this.edgeClass(n.nodeId, m);
                return html`${i > 0 ? ', ' : ''}<span class=${kind}>${this.nameOf(m)}${kind === 'cut' ? ' (cut)' : ''}</span>`;
              })}
              ${neighbours(n.nodeId).length === 0 ? html`<span class="muted">none</span>` : nothing}
            </td>
            <td>${reach(n)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private renderLinks() {
    if (this.links.length === 0) return html`<p class="muted">No direct links.</p>`;
    return html`<table aria-label="Direct links from here">
      <thead>
        <tr>
          <th scope="col">Link</th>
          <th scope="col">Key</th>
          <th scope="col">Faults</th>
          <th scope="col">Messages</th>
          <th scope="col">Anti-entropy</th>
        </tr>
      </thead>
      <tbody>
        ${this.links.map((l) => {
          const ae = l.antiEntropy;
          const repairs = ae.syncRepairs + ae.rangeRepairs;
          return html`<tr data-link=${l.nodeId ?? l.peerId}>
            <th scope="row">
              ${l.name ?? l.nodeId ?? l.peerId}
              <span class="sub">${linkText(l.kind)} · ${formatAge(this.now - l.lastHeard)} ago</span>
            </th>
            <td class="key ${l.verified ? 'verified' : 'unverified'}">
              ${l.verified ? '✓ verified' : 'proving its key'}
              <span class="sub mono">${l.fingerprint ?? '—'}</span>
            </td>
            <td class=${l.policy.cut ? 'cut' : isCleanPolicy(l.policy) ? '' : 'impaired'}>${describePolicy(l.policy)}</td>
            <td>faulted: ${faultedText(l.faulted)} <span class="sub">${l.rejected} refused</span></td>
            <td>
              ${ae.rounds} round${ae.rounds === 1 ? '' : 's'}
              <span class="sub">${repairs} repair${repairs === 1 ? '' : 's'}${ae.entities > 0 ? ` (${ae.entities} entities)` : ''}</span>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-topology-view': TopologyView;
  }
}
