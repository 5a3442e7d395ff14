/**
 * `<lattice-pipeline-panel>`: the mesh's pipeline run as this node sees it. Which scenario
 * runs, whether this node computes it or stands by, the live score, and worker faults (the
 * worker restarts by itself; the operator is told). Loading a built-in scenario or a JSON file
 * raises `scenario-load`; ending the run raises `scenario-unload`.
 *
 * A load replaces the mesh's run on every node (and its tracks, requests and tasks leave the
 * picture), so when a run is loaded the panel asks first, in a modal dialog; declining changes
 * nothing. A node that is offline still knows the mesh's run from its document and asks the
 * same: its load replaces that run when it reconnects (issue 15). Ending the run removes the same
 * picture from every node, so End run asks too.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { PipelineFault, PipelineHostStatus } from '../../workers/index.js';
import { panel, theme } from '../theme.js';
import { VIEWER_NOTE } from '../roleText.js';

export type ScenarioSource = { readonly builtin: 'default' | 'hard' } | { readonly file: unknown; readonly fileName: string };

export interface ScenarioLoadDetail {
  readonly source: ScenarioSource;
  readonly seed: number | undefined;
}

/** What waits for the operator's answer in the dialog. */
type PendingChange = { readonly kind: 'replace'; readonly load: ScenarioLoadDetail; readonly name: string } | { readonly kind: 'end' };

const ROLE_TEXT: Record<string, string> = {
  idle: 'no run loaded',
  computing: 'this node computes the run',
  standby: 'another node computes; this one stands by',
  finished: 'the run has finished',
  fenced: "this node's clock disagrees with the mesh; it computes nothing until it agrees",
};

@customElement('lattice-pipeline-panel')
export class PipelinePanel extends LitElement {
  static override styles = [
    theme,
    panel,
    css`
      :host {
        font-size: 13px;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: end;
        margin-bottom: 12px;
      }
      .viewer-note {
        margin: 0 0 10px;
        padding: 4px 8px;
        border-left: 3px solid var(--lm-accent);
        background: var(--lm-panel);
      }
      input[type='number'] {
        width: 7em;
      }
      dialog {
        max-width: 30em;
        color: var(--lm-text);
        background: var(--lm-panel);
        border: 1px solid var(--lm-accent);
        border-radius: 4px;
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 50%);
      }
      dialog h2 {
        margin: 0 0 8px;
        font-size: 15px;
      }
      dialog .actions {
        display: flex;
        gap: 8px;
        justify-content: flex-end;
      }
    `,
  ];

  @property({ attribute: false }) status: PipelineHostStatus | undefined;
  @property({ attribute: false }) fault: PipelineFault | undefined;
  /** A problem with the last load (e.g. every error of an invalid scenario file). */
  @property({ attribute: false }) loadError: string | undefined;
  @property({ type: Boolean, attribute: 'can-load' }) canLoad = false;
  /** This node is a viewer: the controls stay off and one line says why. */
  @property({ type: Boolean }) viewer = false;
  /** This node is cut off from the mesh: a load replaces the mesh's run when it reconnects. */
  @property({ type: Boolean }) offline = false;
  @state() private builtin: 'default' | 'hard' = 'default';
  /** A load that would replace the mesh's run, or its end, waiting for the operator to confirm it. */
  @state() private pending: PendingChange | undefined;
  @query('dialog') private dialog!: HTMLDialogElement | null;

  protected override render() {
    const s = this.status;
    const p = s?.pipeline;
    return html`
      ${this.fault
        ? html`<p class="alert" role="alert">Pipeline worker failed (${new Date(this.fault.at).toISOString().slice(11, 19)}Z): ${this.fault.message}. It restarts
            by itself; nothing written is lost.</p>`
        : nothing}
      ${this.loadError ? html`<p class="alert" role="alert">${this.loadError}</p>` : nothing}
      ${this.viewer ? html`<p class="viewer-note">${VIEWER_NOTE}</p>` : nothing}
      ${s?.setAsideRun ? html`<p class="alert" role="alert">${s.setAsideRun.message}</p>` : p?.problem ? html`<p class="alert" role="alert">${p.problem}</p>` : nothing}
      ${p && p.setAside.length > 0
        ? html`<p class="alert" role="alert">
            The pipeline set ${p.setAside.length === 1 ? 'an entity' : `${p.setAside.length} entities`} aside and goes on without
            ${p.setAside.length === 1 ? 'it' : 'them'}: ${p.setAside.map((e) => `${e.id} (${e.stage}: ${e.reason})`).join('; ')}
          </p>`
        : nothing}
      <form @submit=${this.onSubmit} aria-label="Load a scenario">
        <label
          >Scenario
          <select .value=${this.builtin} @change=${(e: Event) => (this.builtin = (e.target as HTMLSelectElement).value as 'default' | 'hard')} ?disabled=${!this.canLoad}>
            <option value="default">default</option>
            <option value="hard">hard (crossing, close targets)</option>
          </select>
        </label>
        <label>Seed <input name="seed" type="number" min="0" step="1" placeholder="scenario's" ?disabled=${!this.canLoad} /></label>
        <button type="submit" ?disabled=${!this.canLoad}>Load</button>
        <label>Or a file <input type="file" accept="application/json,.json" @change=${this.onFile} ?disabled=${!this.canLoad} /></label>
        <button type="button" class="end" @click=${this.askToEnd} ?disabled=${!this.canLoad || !p?.runId}>
          End run
        </button>
      </form>
      <dl>
        <dt>Worker</dt>
        <dd>${s?.state ?? 'not started'}${s && s.restarts > 0 ? ` · ${s.restarts} restart${s.restarts === 1 ? '' : 's'}` : ''}</dd>
        <dt>Run</dt>
        <dd>${p?.scenario ?? '—'}${p?.runId ? ` · ${Math.round(p.runTimeS)} s` : ''}</dd>
        <dt>This node</dt>
        <dd>${p ? ROLE_TEXT[p.role] ?? p.role : '—'}</dd>
        <dt>Computed by</dt>
        <dd>${p?.leaseHolder ?? '—'}</dd>
        <dt>Fused tracks</dt>
        <dd>${p?.role === 'computing' ? p.confirmedTracks : '—'}</dd>
        <dt>Score (GOSPA)</dt>
        <dd>
          ${p?.score
            ? `${Math.round(p.score.gospa)} m · localisation ${Math.round(p.score.localisationM)} m · missed ${p.score.missed.toFixed(2)} · false ${p.score.false.toFixed(2)}`
            : '— (while computing)'}
        </dd>
        <dt>Tick</dt>
        <dd>${p?.timing ? `fusion ${p.timing.fuseMs.toFixed(1)} ms · store ${p.timing.writeMs.toFixed(1)} ms` : '—'}</dd>
      </dl>
      ${this.renderConfirm()}
    `;
  }

  private renderConfirm() {
    const pending = this.pending;
    const p = this.status?.pipeline;
    if (!pending) return nothing;
    const current = p?.scenario ?? 'a scenario';
    // (Run time is known only where the run is computed, so it is not said here.)
    const state = p?.role === 'finished' ? 'has finished; its picture stays until it is replaced' : 'is running';
    const offline = this.offline ? (pending.kind === 'end' ? 'This node is offline: the run ends on the others when it reconnects.' : 'This node is offline: the replacement reaches the mesh when it reconnects, and replaces whatever runs then.') : '';
    const [title, text, confirm] =
      pending.kind === 'replace'
        ? ["Replace the mesh's scenario?", `“${current}” ${state}. Loading “${pending.name}” ends it on every node: its tracks, requests and tasks leave the picture.`, 'Replace']
        : ["End the mesh's run?", `“${current}” ${state}. Ending it stops it on every node: its tracks, requests and tasks leave the picture.`, 'End run'];
    return html`<dialog aria-labelledby="confirm-title" aria-describedby="confirm-text" @cancel=${this.onDialogCancel}>
      <h2 id="confirm-title">${title}</h2>
      <p id="confirm-text">${text} ${offline}</p>
      <div class="actions">
        <button type="button" class="keep" @click=${this.decline} autofocus>Keep the current run</button>
        <button type="button" class="confirm" @click=${this.confirm}>${confirm}</button>
      </div>
    </dialog>`;
  }

  protected override updated(): void {
    // Opened modal once rendered: focus moves into it, the page behind is inert, Escape declines.
    if (this.pending && this.dialog && !this.dialog.open) this.dialog.showModal();
  }

  private readonly onDialogCancel = (e: Event): void => {
    e.preventDefault();
    this.decline();
  };

  private readonly decline = (): void => {
    this.dialog?.close();
    this.pending = undefined;
  };

  private readonly confirm = (): void => {
    const pending = this.pending;
    this.dialog?.close();
    this.pending = undefined;
    if (pending?.kind === 'replace') this.raiseLoad(pending.load);
    else if (pending?.kind === 'end') this.dispatchEvent(new CustomEvent('scenario-unload', { bubbles: true, composed: true }));
  };

  /** Ending the run takes its picture off every node: asked first, like a replacement. */
  private readonly askToEnd = (): void => {
    this.pending = { kind: 'end' };
  };

  private readonly onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    const seedText = new FormData(e.target as HTMLFormElement).get('seed');
    this.load({ builtin: this.builtin }, seedText);
  };

  private readonly onFile = async (e: Event): Promise<void> => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const text = await file.text();
    input.value = '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this.loadError = `${file.name} is not JSON: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    const seedText = this.renderRoot.querySelector<HTMLInputElement>('input[name=seed]')?.value ?? '';
    this.load({ file: parsed, fileName: file.name }, seedText);
  };

  private load(source: ScenarioSource, seedText: FormDataEntryValue | null): void {
    const seed = typeof seedText === 'string' && seedText.trim() !== '' ? Number(seedText) : undefined;
    if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) {
      this.loadError = `The seed must be a whole number ≥ 0, got "${String(seedText)}".`;
      return;
    }
    this.loadError = undefined;
    // A run in the document (running, finished, or set aside here) is the mesh's: ask first.
    if (this.status?.pipeline?.runId !== undefined) {
      this.pending = { kind: 'replace', load: { source, seed }, name: 'builtin' in source ? source.builtin : source.fileName };
      return;
    }
    this.raiseLoad({ source, seed });
  }

  private raiseLoad(detail: ScenarioLoadDetail): void {
    this.dispatchEvent(new CustomEvent<ScenarioLoadDetail>('scenario-load', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-pipeline-panel': PipelinePanel;
  }
  interface HTMLElementEventMap {
    'scenario-load': CustomEvent<ScenarioLoadDetail>;
    'scenario-unload': CustomEvent<void>;
  }
}
