/** Assertions and bounded waits for the UI component tests (mocha in real Chromium). */
export { check, checkEqual } from '../peer/check.js';

/** Polls until `probe` holds; fails after `timeoutMs` with what it waited for. Never a bare sleep. */
export async function waitUntil(probe: () => boolean, what: string | (() => string), timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (!probe()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting until ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function nextFrame(): Promise<void> {
  return new Promise((r) => requestAnimationFrame(() => r()));
}

/** A fixed-size host for a component under test, removed by `cleanup`. */
export function fixture<K extends keyof HTMLElementTagNameMap>(tag: K, width = 900, height = 600): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.style.cssText = `display:block;position:relative;width:${width}px;height:${height}px;`;
  document.body.appendChild(el);
  return el;
}

export function cleanup(): void {
  document.body.replaceChildren();
}

/** Events of one type raised on `target`, collected for assertions. */
export function collect<T>(target: EventTarget, type: string): T[] {
  const seen: T[] = [];
  target.addEventListener(type, (e) => seen.push((e as CustomEvent<T>).detail));
  return seen;
}
