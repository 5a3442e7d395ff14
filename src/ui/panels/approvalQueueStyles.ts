/**
 * The approval queue's look. The layout is the point: the host is a column whose request list
 * never shrinks below one whole card (`--lm-card-min`) and takes any room left, while the
 * history shrinks first, is capped at 40 % of the queue and scrolls inside it; the countdown's
 * colour follows `deadlineUrgency`.
 */
import { css } from 'lit';

export const approvalQueueStyles = css`
  :host {
    --lm-card-min: 168px;
    display: flex;
    flex-direction: column;
    min-height: 0;
    overflow: hidden;
    position: relative;
  }
  header,
  .viewer-note,
  .error {
    flex: 0 0 auto;
  }
  ol.requests {
    flex: 1 0 var(--lm-card-min);
  }
  .history-box {
    flex: 0 1 auto;
    max-height: 40%;
    box-sizing: border-box;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 4px 8px;
    padding: 8px 12px 6px;
  }
  h2 {
    margin: 0;
    font-size: 12px;
    letter-spacing: 0.08em;
    text-transform: uppercase;
    color: var(--lm-muted);
    font-weight: 600;
  }
  .count {
    min-width: 18px;
    padding: 0 6px;
    border-radius: 9px;
    background: var(--lm-panel-2);
    color: var(--lm-text);
    text-align: center;
    font-weight: 600;
  }
  .count.has {
    background: #7a2b2b;
    color: #fff;
  }
  .hint {
    font-size: 11px;
  }
  .toggles {
    margin-left: auto;
    display: flex;
    gap: 4px;
  }
  .toggle {
    font-size: 11px;
    padding: 1px 6px;
    color: var(--lm-muted);
  }
  .toggle[aria-pressed='true'] {
    color: var(--lm-text);
    border-color: var(--lm-accent);
  }
  .viewer-note {
    margin: 0 12px 6px;
    padding: 4px 8px;
    border-left: 3px solid var(--lm-accent);
    background: var(--lm-panel-2);
    font-size: 12px;
  }
  ol.requests {
    list-style: none;
    margin: 0;
    padding: 2px 8px 8px;
    overflow-y: auto;
    min-height: 0;
  }
  ol.requests:focus-visible {
    outline-offset: -2px;
  }
  li.empty {
    padding: 4px 4px 10px;
  }
  li.request {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 1px 10px;
    padding: 7px 8px;
    margin-bottom: 6px;
    border: 1px solid var(--lm-line);
    border-left: 5px solid var(--lm-ok);
    border-radius: 4px;
    background: var(--lm-panel-2);
    cursor: pointer;
  }
  li.request.selected {
    border-color: var(--lm-accent);
    box-shadow: inset 0 0 0 1px var(--lm-accent);
  }
  li.request.warning {
    border-left-color: var(--lm-warn);
  }
  li.request.urgent {
    border-left-color: var(--lm-danger);
    animation: urgent 1s steps(2, jump-none) infinite;
  }
  li.request.new {
    animation: cue 1s ease-in-out 3;
  }
  @keyframes cue {
    50% {
      background: #2a3d1f;
      border-color: var(--lm-warn);
    }
  }
  @keyframes urgent {
    50% {
      background: #3a1a1a;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    li.request.new,
    li.request.urgent {
      animation: none;
    }
    li.request.new {
      border-color: var(--lm-warn);
    }
    li.request.urgent {
      background: #3a1a1a;
    }
  }
  .what {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .name {
    color: var(--lm-accent);
  }
  .countdown {
    grid-row: span 2;
    font-size: 20px;
    font-weight: 700;
    text-align: right;
    color: var(--lm-ok);
  }
  .warning .countdown {
    color: var(--lm-warn);
  }
  .urgent .countdown {
    color: var(--lm-danger);
  }
  .urgency-word {
    grid-column: 2;
    grid-row: 3;
    text-align: right;
    font-size: 11px;
    font-weight: 700;
    letter-spacing: 0.04em;
    color: var(--lm-muted);
  }
  .urgent .urgency-word {
    color: var(--lm-danger);
  }
  .bar {
    grid-column: 1 / -1;
    height: 3px;
    margin: 2px 0 3px;
    background: var(--lm-line);
    border-radius: 2px;
    overflow: hidden;
  }
  .bar > span {
    display: block;
    height: 100%;
    background: var(--lm-ok);
  }
  .warning .bar > span {
    background: var(--lm-warn);
  }
  .urgent .bar > span {
    background: var(--lm-danger);
  }
  .meta {
    grid-column: 1 / -1;
    font-size: 12px;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .actions {
    grid-column: 1 / -1;
    display: flex;
    gap: 6px;
    margin-top: 4px;
  }
  .approve {
    border-color: #2f7a4e;
    background: #173826;
  }
  .deny {
    border-color: #8a3434;
    background: #3a1a1a;
  }
  kbd {
    font-family: var(--lm-mono);
    font-size: 10px;
    padding: 0 3px;
    border: 1px solid var(--lm-line);
    border-radius: 3px;
    color: var(--lm-muted);
  }
  .sent {
    color: var(--lm-accent);
    font-size: 12px;
    align-self: center;
  }
  .error {
    margin: 0 12px 6px;
    padding: 4px 8px;
    border: 1px solid var(--lm-warn);
    border-radius: 4px;
    background: #2e2412;
    font-size: 12px;
  }
  .history-box {
    display: flex;
    flex-direction: column;
    min-height: 0;
    border-top: 1px solid var(--lm-line);
    padding: 2px 12px 6px;
  }
  .history-toggle {
    align-self: flex-start;
    border: none;
    background: transparent;
    color: var(--lm-muted);
    font-size: 12px;
    padding: 3px 0;
  }
  .history {
    list-style: none;
    padding: 2px 0 0;
    margin: 0;
    font-size: 12px;
    overflow-y: auto;
    min-height: 0;
  }
  .history li {
    display: flex;
    gap: 8px;
    padding: 2px 0;
    white-space: nowrap;
  }
  .outcome-approved {
    color: var(--lm-ok);
  }
  .outcome-denied,
  .outcome-withdrawn,
  .outcome-timed_out {
    color: var(--lm-danger);
  }
`;
