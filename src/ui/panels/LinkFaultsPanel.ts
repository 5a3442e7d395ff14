/**
 * `<lattice-link-faults>`: the link faults in force across the mesh, in words, with who set them
 * and a Heal button each; and forms to cut the link between two nodes, split the mesh into two
 * groups, or impair a link or all of one node's links. Every action is raised as `fault-command`;
 * the node judges it, and its refusal comes back as `error`. Text that is not a number is
 * refused here, inline, and raises nothing.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Fault, Impairment } from '../../peer/faults/LinkFaults.js';
import type { Topology } from '../../peer/LatticeNode.js';
import { formatAge } from '../format.js';
import { describeFault, parseAmount, type NameOf } from '../faultText.js';
import { panel, theme } from '../theme.js';

/** What a person asked for, naming nodes by node id (names may repeat; ids do not). */
export type FaultCommand =
  | { readonly kind: 'cut'; readonly a: string; readonly b: string }
  | { readonly kind: 'split'; readonly groups: readonly (readonly string[])[] }
  | ({ readonly kind: 'impair'; readonly node: string; readonly peer?: string } & Impairment)
  /** No id: heal every fault. */
  | { readonly kind: 'heal'; readonly id?: string };

type KnownNode = Topology['nodes'][number];

/** The impairment fields: form name, label, and what to divide the typed number by for the API (percent → fraction). */
const IMPAIR_FIELDS = [
  { name: 'latencyMs', label: 'Latency (ms)', per: 1 },
  { name: 'jitterMs', label: 'Jitter (ms)', per: 1 },
  { name: 'loss', label: 'Loss (%)', per: 100 },
  { name: 'duplicate', label: 'Duplication (%)', per: 100 },
  { name: 'reorder', label: 'Reordering (%)', per: 100 },
  { name: 'bandwidthBps', label: 'Bandwidth cap (B/s)', per: 1 },
] as const;

@customElement('lattice-link-faults')
export class LinkFaultsPanel extends LitElement {
  static override styles = [
    theme,
    panel,
    css`
      :host {
        padding: 0;
      }
      ul.faults {
        list-style: none;
        margin: 0 0 8px;
        padding: 0;
      }
      ul.faults li {
        display: flex;
        align-items: center;
        gap: 8px;
        padding: 4px 0;
        border-bottom: 1px solid var(--lm-line);
      }
      .what {
        flex: 1;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .who {
        display: block;
        font-size: 11px;
        color: var(--lm-muted);
      }
      fieldset {
        margin: 0 0 8px;
        padding: 6px 8px 8px;
        border: 1px solid var(--lm-line);
        border-radius: 4px;
      }
      legend {
        padding: 0 4px;
        font-size: 12px;
        color: var(--lm-muted);
      }
      .fields {
        display: flex;
        flex-wrap: wrap;
        gap: 6px 8px;
        align-items: end;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(3, minmax(0, 1fr));
        gap: 6px 8px;
        margin: 6px 0;
      }
      /* A caption that wraps must not lift its field out of line with the others. */
      .grid label {
        justify-content: space-between;
      }
      select,
      input {
        font-size: 12px;
        background: var(--lm-panel);
        padding: 2px 4px;
        min-width: 0;
        max-width: 100%;
      }
      input[aria-invalid='true'] {
        border-color: var(--lm-danger);
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 8px;
      }
    `,
  ];

  /** Every node known here, this one included. */
  @property({ attribute: false }) nodes: readonly KnownNode[] = [];
  /** The faults in force. */
  @property({ attribute: false }) faults: readonly Fault[] = [];
  @property({ attribute: false }) nameOf: NameOf = (id) => id;
  /** The node's refusal of the last command, if it refused it. */
  @property({ attribute: false }) error: string | undefined;
  @property({ attribute: false }) now = Date.now();
  /** A field whose text is not a number, and why. */
  @state() private inputError: { readonly field: string; readonly message: string } | undefined;

  protected override render() {
    const error = this.inputError?.message ?? this.error;
    return html`
      ${this.faults.length > 0
        ? html`<ul class="faults" aria-label="Link faults in force">
            ${this.faults.map((f) => {
              const what = describeFault(f.spec, this.nameOf);
              return html`<li data-fault=${f.id}>
                <span class="what"><span class="desc">${what}</span><span class="who">set by ${this.nameOf(f.by)} · ${formatAge(this.now - f.at)} ago</span></span>
                <button type="button" aria-label="Heal ${what}" @click=${() => this.raise({ kind: 'heal', id: f.id })}>Heal</button>
              </li>`;
            })}
          </ul>`
        : html`<p class="muted">Every link is clean.</p>`}
      ${error ? html`<p class="alert" role="alert" id="fault-error">${error}</p>` : nothing}
      ${this.renderCut()} ${this.renderSplit()} ${this.renderImpair()}
      <div class="actions">
        <button type="button" ?disabled=${this.faults.length === 0} @click=${() => this.raise({ kind: 'heal' })}>Heal all faults</button>
      </div>
    `;
  }

  private options(selected: string | undefined, extra?: { value: string; text: string }) {
    const duplicate = (n: KnownNode) => this.nodes.some((m) => m !== n && m.name === n.name);
    return html`${extra ? html`<option value=${extra.value} ?selected=${selected === extra.value}>${extra.text}</option>` : nothing}
    ${this.nodes.map(
      (n) => html`<option value=${n.nodeId} ?selected=${n.nodeId === selected}>
        ${n.name}${duplicate(n) ? ` (${n.nodeId})` : ''}${n.self ? ' (this node)' : ''}
      </option>`,
    )}`;
  }

  private renderCut() {
    const self = this.nodes.find((n) => n.self)?.nodeId;
    const other = this.nodes.find((n) => !n.self)?.nodeId;
    return html`<form @submit=${this.onCut} aria-labelledby="cut-legend">
      <fieldset class="fields">
        <legend id="cut-legend">Cut the link between two nodes</legend>
        <label>First node <select name="a">${this.options(self)}</select></label>
        <label>Second node <select name="b">${this.options(other)}</select></label>
        <button type="submit" ?disabled=${this.nodes.length < 2}>Cut</button>
      </fieldset>
    </form>`;
  }

  private renderSplit() {
    return html`<form @submit=${this.onSplit} aria-labelledby="split-legend">
      <fieldset>
        <legend id="split-legend">Split the mesh into two groups</legend>
        <div class="grid">
          ${this.nodes.map(
            (n) => html`<label
              >${n.name}
              <select name="group" data-node=${n.nodeId} aria-label="Group of ${n.name}">
                <option value="1" ?selected=${n.self}>Group 1</option>
                <option value="2" ?selected=${!n.self}>Group 2</option>
                <option value="0">Neither</option>
              </select></label
            >`,
          )}
        </div>
        <div class="actions"><button type="submit" ?disabled=${this.nodes.length < 2}>Split</button></div>
      </fieldset>
    </form>`;
  }

  private renderImpair() {
    const bad = this.inputError?.field;
    return html`<form @submit=${this.onImpair} aria-labelledby="impair-legend">
      <fieldset>
        <legend id="impair-legend">Impair a link, or all of a node's links</legend>
        <div class="fields">
          <label>Node <select name="node">${this.options(this.nodes.find((n) => n.self)?.nodeId)}</select></label>
          <label>Link to <select name="peer">${this.options('', { value: '', text: 'all its links' })}</select></label>
        </div>
        <div class="grid">
          ${IMPAIR_FIELDS.map(
            (f) => html`<label
              >${f.label}
              <input
                name=${f.name}
                inputmode="decimal"
                autocomplete="off"
                placeholder="0"
                aria-invalid=${bad === f.name ? 'true' : 'false'}
                aria-describedby=${bad === f.name ? 'fault-error' : nothing}
            /></label>`,
          )}
        </div>
        <div class="actions"><button type="submit" ?disabled=${this.nodes.length === 0}>Impair</button></div>
      </fieldset>
    </form>`;
  }

  private readonly onCut = (e: SubmitEvent): void => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    this.raise({ kind: 'cut', a: String(form.get('a')), b: String(form.get('b')) });
  };

  private readonly onSplit = (e: SubmitEvent): void => {
    e.preventDefault();
    const groups: [string[], string[]] = [[], []];
    for (const select of (e.target as HTMLFormElement).querySelectorAll<HTMLSelectElement>('select[name=group]')) {
      if (select.value === '1' || select.value === '2') groups[Number(select.value) - 1]!.push(select.dataset.node!);
    }
    this.raise({ kind: 'split', groups });
  };

  private readonly onImpair = (e: SubmitEvent): void => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const values: Record<string, number> = {};
    for (const f of IMPAIR_FIELDS) {
      const read = parseAmount(String(form.get(f.name) ?? ''), f.label.replace(/ \(.*\)$/, ''));
      if (typeof read === 'object') {
        this.inputError = { field: f.name, message: read.error };
        return;
      }
      values[f.name] = read / f.per;
    }
    const peer = String(form.get('peer') ?? '');
    this.raise({
      kind: 'impair',
      node: String(form.get('node')),
      ...(peer === '' ? {} : { peer }),
      latencyMs: values.latencyMs!,
      jitterMs: values.jitterMs!,
      loss: values.loss!,
      duplicate: values.duplicate!,
      reorder: values.reorder!,
      bandwidthBps: values.bandwidthBps!,
    });
  };

  private raise(command: FaultCommand): void {
    this.inputError = undefined;
    this.dispatchEvent(new CustomEvent<FaultCommand>('fault-command', { detail: command, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-link-faults': LinkFaultsPanel;
  }
  interface HTMLElementEventMap {
    'fault-command': CustomEvent<FaultCommand>;
  }
}
