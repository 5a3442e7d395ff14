/**
 * Accessibility of the whole app: every control reachable with Tab (real key presses),
 * every control labelled, and text contrast at least WCAG AA against what it sits on.
 */
import { sendKeys } from '@web/test-runner-commands';
import { mountApp } from '../../src/ui/mountApp.js';
import { MemoryMesh, MemoryNode } from './MemoryNode.js';
import { check, cleanup, waitUntil } from './assert.js';

async function setup() {
  const mesh = new MemoryMesh();
  const ops = new MemoryNode({ nodeId: 'ops-1', name: 'Ops North', room: 'a11y' });
  const other = new MemoryNode({ nodeId: 'ops-2', name: 'Ops South', room: 'a11y' });
  mesh.add(ops);
  mesh.add(other);
  other.store.create('trk-1', 'track', {
    position: { lat: 57, lon: 19, alt: 0 },
    threat: { level: 'high' },
    classification: { label: 'military jet', confidence: 0.8 },
  });
  other.approvals.request('trk-1', ['intercept'], { timeoutMs: 60_000 });
  // A saturated uplink budget: the status bar indicator, the meter and the traffic table are shown.
  ops.setBudget({ bytesPerSecond: 8000 });
  ops.setTraffic({ bytesPerSecond: { position: 7000, presence: 300, relay: 600 }, totalBytes: { position: 90_000 }, queueDepth: 12, queued: { position: 12 }, oldestWaitMs: 2500 });
  const root = document.createElement('div');
  root.style.cssText = 'width:1400px;height:900px;';
  document.body.appendChild(root);
  const app = mountApp(ops, root, { basemap: { land: { type: 'FeatureCollection', features: [] }, borders: { type: 'MultiLineString', coordinates: [] } } });
  app.selectedId = 'trk-1';
  await waitUntil(() => app.approvals.pending.length === 1, 'request pending');
  await app.updateComplete;
  return { app, ops };
}

/** Every element in the app, through shadow roots. */
function* deepElements(root: ParentNode): Generator<Element> {
  for (const el of root.querySelectorAll('*')) {
    yield el;
    if (el.shadowRoot) yield* deepElements(el.shadowRoot);
  }
}

function deepActive(): Element | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

function describeEl(el: Element): string {
  return `<${el.localName}${el.id ? `#${el.id}` : ''}${el.getAttribute('role') ? ` role=${el.getAttribute('role')}` : ''}> "${(el.textContent ?? '').trim().slice(0, 30)}"`;
}

function accessibleName(el: Element): string {
  const label = el.getAttribute('aria-label');
  if (label) return label;
  const by = el.getAttribute('aria-labelledby');
  if (by) return by.split(' ').map((id) => (el.getRootNode() as ShadowRoot | Document).getElementById(id)?.textContent ?? '').join(' ').trim();
  if (el instanceof HTMLInputElement && el.labels && el.labels.length > 0) return el.labels[0]!.textContent ?? '';
  return (el.textContent ?? '').trim();
}

function rgb(colour: string): [number, number, number, number] {
  const m = colour.match(/rgba?\(([^)]+)\)/);
  if (!m) return [0, 0, 0, 0];
  const [r, g, b, a] = m[1]!.split(',').map((v) => parseFloat(v));
  return [r!, g!, b!, a ?? 1];
}

function luminance([r, g, b]: [number, number, number, number]): number {
  const f = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

/** The first opaque background behind an element, walking up through shadow hosts. */
function background(el: Element): [number, number, number, number] {
  let at: Element | null = el;
  while (at) {
    const c = rgb(getComputedStyle(at).backgroundColor);
    if (c[3] >= 0.95) return c;
    at = at.parentElement ?? ((at.getRootNode() as ShadowRoot).host ?? null);
  }
  return [11, 22, 32, 1];
}

describe('accessibility', () => {
  afterEach(cleanup);

  it('every control is labelled', async () => {
    const { app } = await setup();
    for (const tab of ['inspector', 'mesh'] as const) {
      app.tab = tab;
      await app.updateComplete;
      const controls = [...deepElements(app.shadowRoot!)].filter((el) => el.matches('button, input, select, textarea, [role="tab"], [role="meter"], [tabindex]:not([tabindex="-1"])'));
      check(controls.length >= 8, `found ${controls.length} controls in the ${tab} tab`);
      const unlabelled = controls.filter((el) => accessibleName(el).length === 0).map(describeEl);
      check(unlabelled.length === 0, `unlabelled controls in the ${tab} tab: ${unlabelled.join(', ')}`);
    }
    for (const want of ['Bytes per second', 'Burst (bytes)', 'Apply', '9.6 kbps radio', 'Uplink use']) {
      check([...deepElements(app.shadowRoot!)].some((el) => accessibleName(el).trim().startsWith(want)), `the mesh tab has "${want}"`);
    }
  });

  it('Tab reaches the approval buttons, the panel tabs, the inspector and the map', async () => {
    const { app } = await setup();
    const reached = new Set<string>();
    (document.activeElement as HTMLElement | null)?.blur();
    for (let i = 0; i < 30; i++) {
      await sendKeys({ press: 'Tab' });
      const el = deepActive();
      if (el) reached.add(accessibleName(el).replace(/\s+/g, ' ').slice(0, 40) || describeEl(el));
      if (el?.id === 'map' || el?.classList.contains('leaflet-container')) reached.add('map');
    }
    const names = [...reached];
    for (const want of ['Approve intercept on TN ', 'Deny intercept on TN ', 'Inspector', 'Follow', 'Close inspector', 'map', 'Zoom in']) {
      check(names.some((n) => n.startsWith(want)), `Tab reached "${want}"; reached: ${names.join(' | ')}`);
    }
    // The tab list is one stop; arrow keys move within it (ARIA tabs pattern).
    const tab = [...deepElements(app.shadowRoot!)].find((el) => el.getAttribute('role') === 'tab' && el.getAttribute('aria-selected') === 'true') as HTMLElement;
    tab.focus();
    await sendKeys({ press: 'ArrowRight' });
    await app.updateComplete;
    await waitUntil(() => app.tab === 'tracks' && accessibleName(deepActive()!).includes('Tracks'), 'ArrowRight moved to the Tracks tab');
  });

  it('text has at least 4.5:1 contrast against its background', async () => {
    const { app } = await setup();
    app.tab = 'mesh';
    await app.updateComplete;
    await new Promise((r) => setTimeout(r, 100));
    const failures: string[] = [];
    let checked = 0;
    for (const el of deepElements(app.shadowRoot!)) {
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim().length > 0);
      if (!own) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none' || el.closest('.visually-hidden')) continue;
      const fg = rgb(style.color);
      const bg = background(el);
      const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1! + 0.05) / (l2! + 0.05);
      const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
      checked++;
      if (ratio < (large ? 3 : 4.5) && parseFloat(style.opacity) > 0.5) failures.push(`${describeEl(el)} ${ratio.toFixed(2)}:1`);
    }
    check(checked > 30, `checked ${checked} text elements`);
    check(failures.length === 0, `low contrast: ${failures.join('; ')}`);
  });
});
