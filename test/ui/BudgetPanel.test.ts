/** The uplink budget: its panel in the Mesh tab, the status bar indicator, and how values read. */
import '../../src/ui/panels/BudgetPanel.js';
import '../../src/ui/panels/StatusBar.js';
import type { BudgetChangeDetail } from '../../src/ui/panels/BudgetPanel.js';
import { describeBudget, formatBytes, formatRateOf, formatWait } from '../../src/ui/format.js';
import { MemoryNode } from './MemoryNode.js';
import { check, checkEqual, cleanup, collect, fixture } from './assert.js';

/** A node on a 64 kbps link, nearly saturated, with positions piling up. */
function busyNode(): MemoryNode {
  const node = new MemoryNode({ nodeId: 'ops-1' });
  node.setBudget({ bytesPerSecond: 8000 });
  node.setTraffic({
    bytesPerSecond: { position: 6000, routine: 900, priority: 400, presence: 200, relay: 400 },
    totalBytes: { position: 1_250_000, sync: 48_000 },
    queueDepth: 312,
    queued: { position: 300, routine: 10, priority: 2 },
    coalesced: 1204,
    oldestWaitMs: 4200,
    pendingBytes: 18_300,
  });
  return node;
}

const text = (el: Element | ShadowRoot | null | undefined): string => el?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

describe('uplink formatting', () => {
  it('reads as link rates are quoted', () => {
    checkEqual(describeBudget({ bytesPerSecond: 0, burstBytes: 0 }), 'unlimited', 'no budget');
    checkEqual(describeBudget({ bytesPerSecond: 8000, burstBytes: 8000 }), '8.0 kB/s (64 kbit/s), burst 8.0 kB', 'satellite');
    checkEqual(describeBudget({ bytesPerSecond: 1200, burstBytes: 1024 }), '1.2 kB/s (9.6 kbit/s), burst 1.0 kB', 'radio');
    checkEqual(formatRateOf(7900, 8000), '7.9/8.0 kB/s', 'use against the budget, in the budget unit');
    checkEqual(formatRateOf(312, 500), '312/500 B/s', 'below a kilobyte');
    checkEqual(formatBytes(64 * 1024 * 1024), '67.1 MB', 'large');
    checkEqual([formatWait(850), formatWait(4200), formatWait(180_000)], ['850 ms', '4.2 s', '3 min'], 'waits');
  });
});

describe('<lattice-budget-panel>', () => {
  afterEach(cleanup);

  it('shows the budget, its use, what waits and the traffic per class', async () => {
    const panel = fixture('lattice-budget-panel', 400);
    panel.traffic = busyNode().traffic();
    await panel.updateComplete;
    const root = panel.shadowRoot!;
    checkEqual(text(root.querySelector('.current')), '8.0 kB/s (64 kbit/s), burst 8.0 kB', 'budget in words');
    checkEqual(text(root.querySelector('.sending')), '7.9/8.0 kB/s', 'use against budget');
    checkEqual(text(root.querySelector('.waiting')), '312 changes · oldest 4.2 s', 'queue');
    check(text(root.querySelector('.pending')).startsWith('18.3 kB'), 'pending bytes');
    check(text(root.querySelector('.coalesced')).startsWith('1,204'), 'coalesced');
    const meter = root.querySelector('[role=meter]')!;
    checkEqual([meter.getAttribute('aria-valuenow'), meter.getAttribute('aria-valuemax')], ['7900', '8000'], 'meter');
    check(meter.classList.contains('saturated'), '99 % of the budget is shown as saturated');
    const row = (c: string) => [...root.querySelectorAll(`tr[data-class=${c}] > *`)].map(text);
    checkEqual(row('position'), ['Positions', '6.0 kB/s', '300', '1.3 MB'], 'position row');
    checkEqual(row('sync'), ['Resync', '0 B/s', '—', '48.0 kB'], 'sync row: no queue of its own');
    check(root.querySelector('tr[data-class=delete]')!.classList.contains('idle'), 'a class with no traffic is muted');
    checkEqual(root.querySelectorAll('tbody tr').length, 8, 'every traffic class');
  });

  it('says unlimited and draws no meter without a budget', async () => {
    const panel = fixture('lattice-budget-panel', 400);
    const node = busyNode();
    node.setBudget({ bytesPerSecond: 0 });
    panel.traffic = node.traffic();
    await panel.updateComplete;
    checkEqual(text(panel.shadowRoot!.querySelector('.current')), 'unlimited', 'unlimited');
    checkEqual(text(panel.shadowRoot!.querySelector('.sending')), '7.9 kB/s', 'rate alone');
    checkEqual(panel.shadowRoot!.querySelector('[role=meter]'), null, 'no meter');
  });

  it('raises budget-change from the presets and from Apply', async () => {
    const panel = fixture('lattice-budget-panel', 400);
    await panel.updateComplete;
    const changes = collect<BudgetChangeDetail>(document.body, 'budget-change');
    for (const label of ['64 kbps satellite', '9.6 kbps radio', '1 kB/s', 'Unlimited']) {
      [...panel.shadowRoot!.querySelectorAll<HTMLButtonElement>('.presets button')].find((b) => text(b) === label)!.click();
    }
    checkEqual(changes, [{ bytesPerSecond: 8000 }, { bytesPerSecond: 1200 }, { bytesPerSecond: 1000 }, { bytesPerSecond: 0 }], 'presets');
    const input = (name: string) => panel.shadowRoot!.querySelector<HTMLInputElement>(`input[name=${name}]`)!;
    input('bytesPerSecond').value = '2 000';
    panel.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    input('burstBytes').value = '16000';
    panel.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    checkEqual(changes.slice(4), [{ bytesPerSecond: 2000 }, { bytesPerSecond: 2000, burstBytes: 16000 }], 'apply, with and without a burst');
    panel.shadowRoot!.querySelector<HTMLButtonElement>('.presets button')!.click();
    checkEqual([input('bytesPerSecond').value, input('burstBytes').value], ['', ''], 'a preset clears what was typed');
  });

  it('refuses input that is not a whole number, inline, and raises nothing', async () => {
    const panel = fixture('lattice-budget-panel', 400);
    await panel.updateComplete;
    const changes = collect<BudgetChangeDetail>(document.body, 'budget-change');
    const root = panel.shadowRoot!;
    const input = (name: string) => root.querySelector<HTMLInputElement>(`input[name=${name}]`)!;
    const apply = async (rate: string, burst: string) => {
      input('bytesPerSecond').value = rate;
      input('burstBytes').value = burst;
      root.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
      await panel.updateComplete;
      return text(root.querySelector('[role=alert]'));
    };
    checkEqual(await apply('-5', ''), 'Bytes per second must be a whole number of bytes, got "-5".', 'negative');
    checkEqual(input('bytesPerSecond').getAttribute('aria-invalid'), 'true', 'the field is marked');
    checkEqual(input('bytesPerSecond').getAttribute('aria-describedby'), 'budget-error', 'and points at the message');
    checkEqual(await apply('fast', ''), 'Bytes per second must be a whole number of bytes, got "fast".', 'not a number');
    checkEqual(await apply('1.5', ''), 'Bytes per second must be a whole number of bytes, got "1.5".', 'a fraction');
    checkEqual(await apply('1,5', ''), 'Bytes per second must be a whole number of bytes, got "1,5".', 'a decimal comma is not read as a thousands separator');
    checkEqual(await apply('', '4096'), 'Bytes per second is needed (0 lifts the budget).', 'missing');
    checkEqual(await apply('8000', 'lots'), 'The burst must be a whole number of bytes, got "lots".', 'bad burst');
    checkEqual(input('burstBytes').getAttribute('aria-invalid'), 'true', 'the burst is marked');
    checkEqual(input('bytesPerSecond').getAttribute('aria-invalid'), 'false', 'the rate is not');
    checkEqual(changes, [], 'nothing raised');
    checkEqual(await apply('8000', ''), '', 'a good value clears the error');
    checkEqual(changes, [{ bytesPerSecond: 8000 }], 'and is raised');
  });

  it("shows the node's refusal", async () => {
    const panel = fixture('lattice-budget-panel', 400);
    panel.error = 'Budget not changed: the burst is too small.';
    await panel.updateComplete;
    checkEqual(text(panel.shadowRoot!.querySelector('[role=alert]')), 'Budget not changed: the burst is too small.', 'refusal shown');
  });
});

describe('<lattice-status-bar> uplink indicator', () => {
  afterEach(cleanup);

  it('shows use against the budget and what waits, only while a budget is set', async () => {
    const bar = fixture('lattice-status-bar', 1400, 36);
    const node = busyNode();
    bar.traffic = node.traffic();
    await bar.updateComplete;
    const indicator = () => bar.shadowRoot!.querySelector('.uplink');
    checkEqual(text(indicator()), '▲ 7.9/8.0 kB/s · 312 waiting', 'compact');
    checkEqual(indicator()!.getAttribute('aria-label'), 'Uplink budget: 7.9 of 8.0 kB/s used, 312 changes waiting', 'labelled');
    check(indicator()!.classList.contains('warn'), 'saturated link stands out');
    node.setTraffic({ bytesPerSecond: { position: 500, routine: 0, priority: 0, presence: 200, relay: 0 }, queueDepth: 1 });
    bar.traffic = node.traffic();
    await bar.updateComplete;
    checkEqual(text(indicator()), '▲ 0.7/8.0 kB/s · 1 waiting', 'follows the report');
    check(!indicator()!.classList.contains('warn'), 'not saturated');
    node.setBudget({ bytesPerSecond: 0 });
    bar.traffic = node.traffic();
    await bar.updateComplete;
    checkEqual(indicator(), null, 'nothing when unlimited');
    bar.traffic = undefined;
    await bar.updateComplete;
    checkEqual(indicator(), null, 'nothing without a report');
  });
});
