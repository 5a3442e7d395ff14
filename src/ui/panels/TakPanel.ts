/**
 * `<lattice-tak-panel>`: the picture in and out as TAK files. Import reads a CoT file (one event
 * or a capture of many) or a KML file into this node's picture, all or nothing, and says what
 * became of each event or why nothing was written; export offers the picture as a CoT file or a
 * KML file to save (raising `tak-export` with the file first, so a host or a test sees it).
 *
 * It works on the node through `peer/tak` (as the Members panel works on `node.authority`); the
 * mapping itself is in `peer/tak/cotMapping.ts` and docs/tak.md.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LatticeError } from '../../crdt/index.js';
import type { LatticeNode } from '../../peer/LatticeNode.js';
import type { TakExport, TakImport } from '../../peer/tak/index.js';
import { loadTak, type TakModule } from '../../peer/tak/load.js';
import { VIEWER_EDIT_NOTE } from '../roleText.js';
import { panel, theme } from '../theme.js';

/** A file the panel offers to save. */
export type TakExportDetail = TakExport;

/** What the last import did, in a sentence per outcome that happened. */
export function importSummary(fileName: string, result: TakImport): string {
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  const parts = [
    result.created.length > 0 ? `${n(result.created.length, 'entity', 'entities')} added` : '',
    result.updated.length > 0 ? `${n(result.updated.length, 'entity', 'entities')} updated` : '',
    result.older.length > 0 ? `${n(result.older.length, 'event')} older than the picture, left out` : '',
    result.stale.length > 0 ? `${n(result.stale.length, 'event')} already stale, left out` : '',
    result.superseded.length > 0 ? `${n(result.superseded.length, 'event')} replaced by a later one for the same uid` : '',
    result.notPoints > 0 ? `${n(result.notPoints, 'placemark')} not a point (lines, shapes), left out` : '',
  ].filter((p) => p !== '');
  return `${fileName} (${result.kind === 'kml' ? 'KML' : 'CoT'}): ${parts.length > 0 ? parts.join('; ') : 'nothing in it'}.`;
}

@customElement('lattice-tak-panel')
export class TakPanel extends LitElement {
  static override styles = [
    theme,
    panel,
    css`
      :host {
        font-size: 13px;
      }
      section {
        margin-bottom: 14px;
      }
      .buttons {
        display: flex;
        gap: 8px;
        flex-wrap: wrap;
      }
      .note {
        margin: 0 0 10px;
        padding: 4px 8px;
        border-left: 3px solid var(--lm-accent);
        background: var(--lm-panel);
      }
      p.hint {
        margin: 4px 0 0;
        color: var(--lm-muted);
        font-size: 12px;
      }
    `,
  ];

  @property({ attribute: false }) node: LatticeNode | undefined;
  /** When files are written and events dated (tests pin it). */
  @property({ attribute: false }) clock: () => number = () => Date.now();
  @state() private outcome: { readonly ok: boolean; readonly text: string } | undefined;

  private get viewer(): boolean {
    return this.node?.identity.role === 'viewer';
  }

  protected override render() {
    const node = this.node;
    return html`
      ${this.viewer ? html`<p class="note">${VIEWER_EDIT_NOTE}</p>` : nothing}
      <section aria-labelledby="tak-import">
        <h3 id="tak-import">Import</h3>
        <label
          >CoT or KML file
          <input type="file" accept=".cot,.xml,.kml,application/xml,text/xml,application/vnd.google-earth.kml+xml" @change=${this.onFile} ?disabled=${!node || this.viewer} />
        </label>
        <p class="hint">One CoT event or many (a capture), or KML point placemarks. A file with any bad event changes nothing.</p>
      </section>
      ${this.outcome
        ? this.outcome.ok
          ? html`<p role="status">${this.outcome.text}</p>`
          : html`<p class="alert" role="alert">${this.outcome.text}</p>`
        : nothing}
      <section aria-labelledby="tak-export">
        <h3 id="tak-export">Export</h3>
        <div class="buttons">
          <button type="button" @click=${() => this.save((tak) => tak.exportCotFile)} ?disabled=${!node}>Export CoT</button>
          <button type="button" @click=${() => this.save((tak) => tak.exportKmlFile)} ?disabled=${!node}>Export KML</button>
        </div>
        <p class="hint">Every track, asset and point with a position. CoT carries approval and task state in remarks.</p>
      </section>
    `;
  }

  private readonly onFile = async (e: Event): Promise<void> => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    const node = this.node;
    if (!file || !node) return;
    const text = await file.text();
    input.value = '';
    const tak = await loadTak();
    try {
      this.outcome = { ok: true, text: importSummary(file.name, tak.importTakFile(node, text, this.clock())) };
    } catch (error) {
      if (!(error instanceof LatticeError)) throw error;
      this.outcome = { ok: false, text: `${file.name} was not imported, nothing changed: ${error.message}` };
    }
  };

  private async save(pick: (tak: TakModule) => (node: LatticeNode, now: number) => TakExport): Promise<void> {
    const node = this.node;
    if (!node) return;
    const file = pick(await loadTak())(node, this.clock());
    const event = new CustomEvent<TakExportDetail>('tak-export', { detail: file, bubbles: true, composed: true, cancelable: true });
    // A host that saves the file itself (or a test) cancels the event; otherwise the browser saves it.
    if (!this.dispatchEvent(event)) return;
    const url = URL.createObjectURL(new Blob([file.text], { type: file.mimeType }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file.fileName;
    a.click();
    // Revoked after the click has been handled: the download has its own reference by then.
    setTimeout(() => URL.revokeObjectURL(url), 0);
    this.outcome = { ok: true, text: `${file.fileName}: ${file.count} ${file.count === 1 ? 'entity' : 'entities'} exported.` };
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lattice-tak-panel': TakPanel;
  }
  interface HTMLElementEventMap {
    'tak-export': CustomEvent<TakExportDetail>;
  }
}
