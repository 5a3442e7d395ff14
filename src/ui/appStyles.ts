/**
 * The layout of `<lattice-app>`: the status bar over the map and a 400 px side panel (the
 * approval queue above the tabs), one column on a narrow screen; and the banner that shows a
 * refusal over the map.
 */
import { css } from 'lit';

export const appStyles = css`
  :host {
    display: grid;
    grid-template-rows: auto minmax(0, 1fr);
    height: 100%;
    min-height: 100vh;
    background: var(--lm-bg);
  }
  main {
    display: grid;
    grid-template-columns: minmax(0, 1fr) 400px;
    min-height: 0;
  }
  lattice-map {
    min-height: 0;
  }
  aside {
    display: flex;
    flex-direction: column;
    min-height: 0;
    background: var(--lm-panel);
    border-left: 1px solid var(--lm-line);
  }
  lattice-approval-queue {
    /* A fixed share of the panel, whatever the queue holds: a new request or a long
       history never moves the tabs under the pointer, and the tabs never squeeze it. */
    flex: 0 0 auto;
    height: 46%;
    min-height: 250px;
    border-bottom: 1px solid var(--lm-line);
  }
  /* Seven tabs in one row of the side panel's 400 px: a second row would move the panel under
     the pointer. Were they ever wider, the row scrolls rather than wraps. */
  [role='tablist'] {
    /* A scroll container may shrink to nothing in the panel's column: it keeps its height. */
    flex: 0 0 auto;
    display: flex;
    flex-wrap: nowrap;
    overflow-x: auto;
    scrollbar-width: thin;
    gap: 1px;
    padding: 6px 4px 0;
    border-bottom: 1px solid var(--lm-line);
  }
  [role='tab'] {
    flex: 0 0 auto;
    border: 1px solid transparent;
    border-bottom: none;
    border-radius: 4px 4px 0 0;
    background: transparent;
    color: var(--lm-muted);
    padding: 5px 5px;
    font-size: 12.5px;
    white-space: nowrap;
  }
  [role='tab'][aria-selected='true'] {
    color: var(--lm-text);
    background: var(--lm-panel-2);
    border-color: var(--lm-line);
  }
  [role='tabpanel'] {
    flex: 1 1 auto;
    min-height: 0;
    overflow: auto;
    background: var(--lm-panel-2);
  }
  lattice-track-list {
    height: 100%;
    box-sizing: border-box;
  }
  .error {
    position: absolute;
    left: 50%;
    top: 48px;
    transform: translateX(-50%);
    z-index: 2000;
    padding: 6px 10px;
    border: 1px solid var(--lm-warn);
    border-radius: 4px;
    background: #2e2412;
  }
  @media (max-width: 900px) {
    main {
      grid-template-columns: 1fr;
      grid-template-rows: minmax(300px, 1fr) auto;
    }
  }
`;
