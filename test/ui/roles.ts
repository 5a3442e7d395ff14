/**
 * Finding elements as a person does: by role and accessible name, through shadow roots, and
 * acting on them with real pointer clicks. Enough of ARIA for these panels: aria-label,
 * aria-labelledby, a wrapping label's own text, content.
 */
import { sendMouse } from '@web/test-runner-commands';

export const squash = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

/** Every element under `root`, through shadow roots. */
export function* deep(root: ParentNode): Generator<Element> {
  for (const el of root.querySelectorAll('*')) {
    yield el;
    if (el.shadowRoot) yield* deep(el.shadowRoot);
  }
}

const IMPLICIT_ROLE: Record<string, string> = { button: 'button', select: 'combobox', input: 'textbox', table: 'table', ul: 'list', li: 'listitem', tr: 'row' };

/** Role and accessible name, as far as these panels need: aria-label, aria-labelledby, a wrapping label's own text, content. */
function roleOf(el: Element): string | undefined {
  // A file chooser is a button to assistive technology (Chromium, Playwright).
  if (el instanceof HTMLInputElement && el.type === 'file') return 'button';
  return el.getAttribute('role') ?? IMPLICIT_ROLE[el.localName];
}

function nameOf(el: Element): string {
  const label = el.getAttribute('aria-label');
  if (label) return squash(label);
  const by = el.getAttribute('aria-labelledby');
  if (by) return squash(by.split(' ').map((id) => (el.getRootNode() as ShadowRoot).getElementById(id)?.textContent ?? '').join(' '));
  const labels = (el as HTMLInputElement).labels;
  if (labels && labels.length > 0) return squash([...labels[0]!.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(' '));
  return squash(el.textContent);
}

export function byRole<T extends HTMLElement = HTMLElement>(root: ParentNode, role: string, name: string | RegExp): T {
  const all = [...deep(root)].filter((el) => roleOf(el) === role);
  const found = all.find((el) => (typeof name === 'string' ? nameOf(el) === name : name.test(nameOf(el))));
  if (!found) throw new Error(`no ${role} named ${String(name)}; there are: ${all.map((el) => `"${nameOf(el)}"`).join(', ')}`);
  return found as T;
}

export const queryRole = (root: ParentNode, role: string, name: string | RegExp): HTMLElement | undefined => {
  try {
    return byRole(root, role, name);
  } catch {
    return undefined;
  }
};

/** A real pointer click in the middle of `el`. */
export async function click(el: HTMLElement): Promise<void> {
  el.scrollIntoView({ block: 'center' });
  const r = el.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)] });
}
