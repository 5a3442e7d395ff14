import '../../src/ui/panels/ApprovalQueue.js';
import type { ApprovalDecisionDetail, QueueAlerts } from '../../src/ui/panels/ApprovalQueue.js';
import type { ApprovalHistoryItem, ApprovalRequestItem } from '../../src/ui/controllers/PendingApprovalsController.js';
import type { AlertSubject, NotificationState } from '../../src/ui/alerts/ApprovalAlerts.js';
import { OperatorAlerts } from '../../src/ui/alerts/ApprovalAlerts.js';
import { playTone } from '../../src/ui/alerts/alertTone.js';
import { deadlineUrgency } from '../../src/ui/alerts/deadlineUrgency.js';
import { trackNumber } from '../../src/ui/trackName.js';
import { check, checkEqual, cleanup, collect, fixture } from './assert.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function request(requestId: string, deadlineInS: number, entityId = `trk-${requestId}`, askedSAgo = 60): ApprovalRequestItem {
  return {
    entityId,
    requestId,
    requestedAt: T0 - askedSAgo * 1000,
    deadline: T0 + deadlineInS * 1000,
    tasks: ['intercept'],
    requestedBy: 'sensor-east',
    label: 'military jet',
    threat: 'high',
    brief: {
      name: trackNumber(entityId),
      speedMps: 250,
      altitudeM: 6100,
      headingDeg: 85,
      sources: ['eo-1', 'radar-1'],
      nearest: { name: 'base-north', distanceM: 12_400, timeToGoS: 98 },
    },
  };
}

/** Records the cues instead of sounding them. */
class RecordingAlerts implements QueueAlerts {
  sound = true;
  notifications: NotificationState = 'off';
  readonly calls: string[] = [];
  newRequest(s: AlertSubject): void {
    this.calls.push(`new:${s.requestId}`);
  }
  urgent(s: AlertSubject): void {
    this.calls.push(`urgent:${s.requestId}`);
  }
  async setNotifications(on: boolean): Promise<NotificationState> {
    this.calls.push(`notifications:${on}`);
    this.notifications = on ? 'on' : 'off';
    return this.notifications;
  }
}

async function queueWith(requests: ApprovalRequestItem[], now = { t: T0 }, height = 500) {
  const q = fixture('lattice-approval-queue', 400, height);
  const alerts = new RecordingAlerts();
  q.alerts = alerts;
  q.clock = () => now.t;
  q.requests = requests;
  await q.updateComplete;
  const rows = () => [...q.shadowRoot!.querySelectorAll<HTMLElement>('li.request')];
  return { q, rows, now, alerts };
}

const key = (el: Element, k: string) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, composed: true }));
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('<lattice-approval-queue>', () => {
  afterEach(cleanup);

  it('lists pending requests soonest deadline first, with a countdown, and hides expired ones', async () => {
    const { q, rows, now } = await queueWith([request('late', 90), request('soon', 8), request('mid', 40), request('gone', -1)]);
    checkEqual(rows().map((r) => r.dataset.request), ['soon', 'mid', 'late'], 'order by deadline');
    checkEqual(rows().map((r) => r.querySelector('.countdown')!.textContent!.trim()), ['0:08', '0:40', '1:30'], 'countdowns');
    check(rows()[0]!.classList.contains('urgent'), 'under 10 s is urgent');
    // Time passes: the countdown ticks without any new input, and the expired request leaves.
    now.t = T0 + 9000;
    await new Promise((r) => setTimeout(r, 400));
    await q.updateComplete;
    checkEqual(rows().map((r) => r.dataset.request), ['mid', 'late'], 'expired request hidden');
    checkEqual(rows()[0]!.querySelector('.countdown')!.textContent!.trim(), '0:31', 'countdown ticked');
  });

  it('raises approval-decision from the buttons', async () => {
    const { q, rows } = await queueWith([request('r1', 30), request('r2', 60)]);
    const seen = collect<ApprovalDecisionDetail>(document.body, 'approval-decision');
    rows()[1]!.querySelector<HTMLButtonElement>('button.approve')!.click();
    rows()[0]!.querySelector<HTMLButtonElement>('button.deny')!.click();
    checkEqual(seen, [
      { entityId: 'trk-r2', requestId: 'r2', decision: 'approve' },
      { entityId: 'trk-r1', requestId: 'r1', decision: 'deny' },
    ], 'decisions');
    // Once sent, the request cannot be decided again from this node.
    q.sent = new Map([['r1', 'deny']]);
    await q.updateComplete;
    check(rows()[0]!.querySelector<HTMLButtonElement>('button.approve')!.disabled, 'buttons disabled after sending');
    check(rows()[0]!.textContent!.includes('Denial sent'), 'says the denial was sent');
  });

  it('approves and denies by keyboard: arrows move between requests, A approves, D denies', async () => {
    const { rows } = await queueWith([request('r1', 30), request('r2', 60), request('r3', 90)]);
    const seen = collect<ApprovalDecisionDetail>(document.body, 'approval-decision');
    checkEqual(rows().map((r) => r.tabIndex), [0, -1, -1], 'one tab stop');
    rows()[0]!.focus();
    rows()[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, composed: true }));
    await new Promise((r) => setTimeout(r, 50));
    const focused = rows().find((r) => r.matches(':focus'));
    checkEqual(focused?.dataset.request, 'r2', 'ArrowDown moved focus');
    focused!.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true, composed: true }));
    rows()[2]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'D', bubbles: true, composed: true }));
    checkEqual(seen.map((d) => `${d.requestId}:${d.decision}`), ['r2:approve', 'r3:deny'], 'keyboard decisions');
    for (const row of rows()) check(row.getAttribute('aria-label')!.includes('left'), 'rows are labelled with the time left');
  });

  it('cues a new request without taking focus', async () => {
    const outside = document.createElement('input');
    outside.setAttribute('aria-label', 'somewhere else');
    document.body.appendChild(outside);
    const { q, rows } = await queueWith([request('old', 60)]);
    outside.focus();
    check(!rows()[0]!.classList.contains('new'), 'requests already there at start (from storage) are not new');
    q.requests = [request('old', 60), request('fresh', 45, 'trk-fresh', 30)];
    await q.updateComplete;
    const fresh = rows().find((r) => r.dataset.request === 'fresh')!;
    check(fresh.classList.contains('new'), 'new request flagged');
    check(getComputedStyle(fresh).animationName === 'cue', 'the cue animates');
    const live = q.shadowRoot!.querySelector('[aria-live="polite"]')!;
    check(live.textContent!.includes('New approval request'), 'announced politely');
    checkEqual(document.activeElement, outside, 'focus stayed where the operator was');
  });

  it('cues a request made moments ago even when it arrives with the first list', async () => {
    const { rows } = await queueWith([request('stored', 60), request('just-now', 30, 'trk-now', 1)]);
    const cued = rows().filter((r) => r.classList.contains('new')).map((r) => r.dataset.request);
    checkEqual(cued, ['just-now'], 'only the recent one');
  });

  it('shows requests to a viewer with no decision control, no key hints, and one line saying why', async () => {
    const { q, rows } = await queueWith([request('r1', 30)]);
    q.canDecide = false;
    await q.updateComplete;
    const seen = collect<ApprovalDecisionDetail>(document.body, 'approval-decision');
    checkEqual(rows().length, 1, 'the request is shown');
    const enabled = [...q.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].filter((b) => !b.disabled && /approve|deny/i.test(b.textContent! + (b.getAttribute('aria-label') ?? '')));
    checkEqual(enabled.length, 0, 'no enabled Approve or Deny');
    checkEqual(q.shadowRoot!.querySelectorAll('kbd').length, 0, 'no key hints');
    checkEqual(rows()[0]!.hasAttribute('aria-keyshortcuts'), false, 'no shortcuts announced');
    check(q.shadowRoot!.textContent!.includes('Viewer: you can watch but not decide or run the pipeline'), 'says why');
    key(rows()[0]!, 'a');
    checkEqual(seen.length, 0, 'no decision from a viewer');
  });

  it('shows recent history with who decided', async () => {
    const { q } = await queueWith([]);
    q.history = [
      { request: request('h1', -5), outcome: 'approved', by: 'Ops North', at: T0 },
      { request: request('h2', -9), outcome: 'timed_out', by: undefined, at: T0 - 4000 },
    ];
    await q.updateComplete;
    const toggle = q.shadowRoot!.querySelector<HTMLButtonElement>('button.history-toggle')!;
    checkEqual(toggle.getAttribute('aria-expanded'), 'false', 'collapsed at first');
    toggle.click();
    await q.updateComplete;
    const text = q.shadowRoot!.querySelector('.history')!.textContent!;
    check(text.includes('approved by Ops North'), 'who decided');
    check(text.includes('timed out'), 'timed out');
    check(q.shadowRoot!.textContent!.includes('No requests waiting'), 'empty queue says so');
  });

  it('keeps a pending request whole and decidable however long the history, which scrolls in its own strip', async () => {
    const { q, rows } = await queueWith([], { t: T0 }, 380);
    q.history = Array.from({ length: 30 }, (_, i): ApprovalHistoryItem => ({ request: request(`h${i}`, -5 - i), outcome: i % 2 ? 'denied' : 'withdrawn', by: 'Ops North', at: T0 - i * 1000 }));
    await q.updateComplete;
    q.shadowRoot!.querySelector<HTMLButtonElement>('button.history-toggle')!.click();
    await q.updateComplete;
    const hostBefore = q.getBoundingClientRect();
    q.requests = [request('fresh', 30, 'trk-fresh', 1)];
    await q.updateComplete;
    const host = q.getBoundingClientRect();
    checkEqual([host.top, host.height], [hostBefore.top, hostBefore.height], 'the queue keeps its place and size');
    const card = rows()[0]!.getBoundingClientRect();
    const natural = rows()[0]!.scrollHeight;
    check(card.height >= natural - 1 && card.height > 100, `the card has its full height (${card.height} px of ${natural})`);
    const list = q.shadowRoot!.querySelector('ol.requests')!.getBoundingClientRect();
    check(card.top >= list.top - 0.5 && card.bottom <= list.bottom + 0.5, 'the card is inside the visible list');
    for (const b of rows()[0]!.querySelectorAll('button')) {
      const r = b.getBoundingClientRect();
      check(r.height > 10 && r.top >= host.top && r.bottom <= host.bottom, `${b.textContent!.trim()} is on screen`);
      const hit = q.shadowRoot!.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      check(hit === b || b.contains(hit), `${b.textContent!.trim()} is what a click there hits`);
    }
    const history = q.shadowRoot!.querySelector<HTMLElement>('.history')!;
    check(history.scrollHeight > history.clientHeight, 'the history scrolls inside its strip');
    check(history.getBoundingClientRect().bottom <= host.bottom + 0.5, 'the history stays inside the queue');
  });

  it('colours the countdown by the share of its window left, with a word too', async () => {
    const { q, rows, now } = await queueWith([request('r', 40, 'trk-r', 20)]);
    const state = () => ({ cls: ['normal', 'warning', 'urgent'].find((c) => rows()[0]!.classList.contains(c)), word: rows()[0]!.querySelector('.urgency-word')!.textContent!.trim() });
    checkEqual(state(), { cls: 'normal', word: 'time left' }, '40 of 60 s left');
    now.t = T0 + 15_000;
    q.requestUpdate();
    await q.updateComplete;
    checkEqual(state(), { cls: 'warning', word: 'under half left' }, '25 of 60 s left');
    now.t = T0 + 31_000;
    q.requestUpdate();
    await q.updateComplete;
    checkEqual(state(), { cls: 'urgent', word: 'URGENT' }, '9 s left');
    check(getComputedStyle(rows()[0]!.querySelector('.countdown')!).color !== getComputedStyle(q.shadowRoot!.querySelector('h2')!).color, 'coloured');
    checkEqual(deadlineUrgency(0, 120_000, 50_000), 'normal', 'relative to a long window');
    checkEqual(deadlineUrgency(0, 120_000, 70_000), 'warning', 'half gone');
  });

  it('sounds a new request and a deadline under 10 s once each', async () => {
    const { q, alerts, now } = await queueWith([request('old', 60)]);
    checkEqual(alerts.calls, [], 'nothing for requests already there');
    q.requests = [request('old', 60), request('new', 30, 'trk-new', 1)];
    await q.updateComplete;
    checkEqual(alerts.calls, ['new:new'], 'the new request');
    now.t = T0 + 21_000;
    q.requestUpdate();
    await q.updateComplete;
    q.requestUpdate();
    await q.updateComplete;
    checkEqual(alerts.calls, ['new:new', 'urgent:new'], 'under 10 s, once');
    check(q.shadowRoot!.querySelector('[aria-live]')!.textContent!.includes('Under 10 seconds'), 'announced');
  });

  it('never asks for notification permission by itself; the toggle asks', async () => {
    const { q, alerts } = await queueWith([]);
    q.requests = [request('new', 30, 'trk-new', 1)];
    await q.updateComplete;
    check(!alerts.calls.some((c) => c.startsWith('notifications')), 'not asked on a request');
    const toggle = [...q.shadowRoot!.querySelectorAll<HTMLButtonElement>('button.toggle')].find((b) => b.textContent!.includes('Desktop alerts'))!;
    checkEqual(toggle.getAttribute('aria-pressed'), 'false', 'off by default');
    toggle.click();
    await settle();
    await q.updateComplete;
    checkEqual(alerts.calls.at(-1), 'notifications:true', 'asked from the toggle');
    checkEqual(toggle.getAttribute('aria-pressed'), 'true', 'shown on');
  });

  it('plays no tone and throws nothing where audio is unavailable', async () => {
    const scope = globalThis as { AudioContext?: unknown; webkitAudioContext?: unknown };
    const saved = scope.AudioContext;
    scope.AudioContext = undefined;
    try {
      checkEqual(playTone('request'), false, 'reports no audio');
      const alerts = new OperatorAlerts();
      alerts.newRequest({ requestId: 'r', title: 'intercept on TN 00001' });
      alerts.urgent({ requestId: 'r', title: 'intercept on TN 00001' });
    } finally {
      scope.AudioContext = saved;
    }
    checkEqual(new OperatorAlerts().notifications, 'off', 'notifications start off');
  });

  it('acts on the request it shows selected: arrows select (and tell the map), D denies that one', async () => {
    const { q, rows } = await queueWith([request('r1', 30), request('r2', 60), request('r3', 90)]);
    const selects = collect<{ entityId: string }>(document.body, 'entity-select');
    const decisions = collect<ApprovalDecisionDetail>(document.body, 'approval-decision');
    // The app feeds the selection back, as LatticeApp does.
    q.addEventListener('entity-select', (e) => (q.selectedEntityId = (e as CustomEvent<{ entityId: string }>).detail.entityId));
    rows()[0]!.focus();
    await q.updateComplete;
    checkEqual(selects.at(-1)?.entityId, 'trk-r1', 'focusing a request selects its track');
    key(rows()[0]!, 'ArrowDown');
    await settle();
    checkEqual(selects.at(-1)?.entityId, 'trk-r2', 'ArrowDown selects the next track');
    const current = rows().filter((r) => r.getAttribute('aria-current') === 'true').map((r) => r.dataset.request);
    checkEqual(current, ['r2'], 'shown selected');
    checkEqual(q.shadowRoot!.activeElement, rows()[1]!, 'and focused');
    key(q.shadowRoot!.activeElement!, 'd');
    checkEqual(decisions.map((d) => `${d.entityId}:${d.decision}`), ['trk-r2:deny'], 'D denied the selected track');
    // Selected elsewhere (the map): the queue shows that request selected and makes it the tab stop.
    q.selectedEntityId = 'trk-r3';
    await q.updateComplete;
    checkEqual(rows().map((r) => r.tabIndex), [-1, -1, 0], 'tab stop follows the selection');
  });

  it('keeps focus in the queue after a decision: on the next request, then on the queue itself', async () => {
    const { q, rows } = await queueWith([request('r1', 30), request('r2', 60), request('r3', 90)]);
    rows()[1]!.focus();
    key(rows()[1]!, 'd');
    q.requests = [request('r1', 30), request('r3', 90)];
    await q.updateComplete;
    await settle();
    checkEqual((q.shadowRoot!.activeElement as HTMLElement | null)?.dataset.request, 'r3', 'on the request now in its place');
    rows()[1]!.querySelector<HTMLButtonElement>('button.approve')!.click();
    q.requests = [request('r1', 30)];
    await q.updateComplete;
    await settle();
    checkEqual((q.shadowRoot!.activeElement as HTMLElement | null)?.dataset.request, 'r1', 'on the one before when the last one left');
    key(rows()[0]!, 'a');
    q.requests = [];
    await q.updateComplete;
    await settle();
    checkEqual(q.shadowRoot!.activeElement?.matches('ol.requests'), true, 'on the queue when it is empty');
  });

  it('says which track a card is about, and who asked, by name', async () => {
    const { q, rows } = await queueWith([request('r1', 30, 'trk-7f3a')]);
    q.nodeNames = new Map([['sensor-east', 'Sensor East']]);
    await q.updateComplete;
    const text = rows()[0]!.textContent!.replace(/\s+/g, ' ');
    for (const part of [trackNumber('trk-7f3a'), '486 kn', '6,100 m', 'hdg 085°', 'eo-1, radar-1', '12 km to base-north', '1:38 to go', 'requested by Sensor East']) {
      check(text.includes(part), `card shows "${part}": ${text}`);
    }
    check(rows()[0]!.getAttribute('aria-label')!.includes(trackNumber('trk-7f3a')), 'named in its accessible name');
    const lit = collect<{ entityId: string | undefined }>(document.body, 'entity-highlight');
    rows()[0]!.dispatchEvent(new MouseEvent('mouseenter'));
    rows()[0]!.dispatchEvent(new MouseEvent('mouseleave'));
    checkEqual(lit.map((l) => l.entityId), ['trk-7f3a', undefined], 'hovering points the map at the track');
  });
});
