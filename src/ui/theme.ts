/**
 * Shared look: a dark, low-glare palette for long watches. Text colours are chosen for a
 * contrast ratio of at least 4.5:1 against the backgrounds they sit on (WCAG AA); the muted
 * grey is 6.9:1 on `--lm-panel` and 6.3:1 on `--lm-panel-2`. test/ui/accessibility.test.ts checks it.
 */
import { css } from 'lit';

export const theme = css`
  :host {
    --lm-bg: #0b1620;
    --lm-panel: #101e29;
    --lm-panel-2: #152634;
    --lm-line: #24394a;
    --lm-text: #dbe6ee;
    --lm-muted: #93a8b8;
    --lm-accent: #5cc8ff;
    --lm-ok: #5fd38d;
    --lm-warn: #ffb547;
    --lm-danger: #ff6b6b;
    --lm-focus: #ffd84d;
    --lm-mono: ui-monospace, 'DejaVu Sans Mono', 'SFMono-Regular', Menlo, Consolas, monospace;
    --lm-sans: system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Roboto, sans-serif;
    color: var(--lm-text);
    font-family: var(--lm-sans);
    font-size: 13px;
    line-height: 1.35;
  }
  :host *:focus-visible {
    outline: 2px solid var(--lm-focus);
    outline-offset: 1px;
  }
  button {
    font: inherit;
    color: var(--lm-text);
    background: var(--lm-panel-2);
    border: 1px solid var(--lm-line);
    border-radius: 4px;
    padding: 3px 10px;
    cursor: pointer;
  }
  button:hover:not([disabled]) {
    border-color: var(--lm-accent);
  }
  button[disabled] {
    opacity: 0.55;
    cursor: not-allowed;
  }
  /* Text fields and selects; no specificity, so a panel's own rule for them (a width, a
     background) wins. */
  :where(input:not([type='checkbox'], [type='radio'], [type='file']), select) {
    font: inherit;
    color: var(--lm-text);
    background: var(--lm-bg);
    border: 1px solid var(--lm-line);
    border-radius: 4px;
    padding: 3px 6px;
  }
  .mono {
    font-family: var(--lm-mono);
    font-variant-numeric: tabular-nums;
  }
  .muted {
    color: var(--lm-muted);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/**
 * What the side-panel tabs share: their padding, section headings (`h3`), label/value lists
 * (`dl`), and an alert box for something the operator must read (`.alert`).
 */
export const panel = css`
  :host {
    display: block;
    padding: 10px 12px;
  }
  h3 {
    margin: 12px 0 6px;
    font-size: 11px;
    color: var(--lm-muted);
    text-transform: uppercase;
    letter-spacing: 0.08em;
  }
  dl {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 3px 12px;
    margin: 0 0 12px;
    font-size: 12px;
  }
  dt {
    color: var(--lm-muted);
  }
  dd {
    margin: 0;
  }
  /* A form field: its caption above the control. */
  label {
    display: flex;
    flex-direction: column;
    gap: 3px;
    font-size: 12px;
    color: var(--lm-muted);
  }
  .alert {
    margin: 0 0 8px;
    padding: 6px 8px;
    border: 1px solid var(--lm-danger);
    border-radius: 4px;
    background: #3a1a1a;
    white-space: pre-wrap;
  }
`;

/** A compact table of figures (peers, traffic classes): full width, ruled rows, muted headings. */
export const dataTable = css`
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: left;
    padding: 4px;
    border-bottom: 1px solid var(--lm-line);
    font-size: 12px;
  }
  thead th {
    color: var(--lm-muted);
    font-weight: 600;
  }
`;
