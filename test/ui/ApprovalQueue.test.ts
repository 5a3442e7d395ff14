import '../../src/ui/panels/ApprovalQueue.js';
import type { ApprovalDecisionDetail } from '../../src/ui/panels/ApprovalQueue.js';
import type { ApprovalRequestItem } from '../../src/ui/controllers/PendingApprovalsController.js';
import { check, checkEqual, cleanup, collect, fixture } from './assert.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function request(requestId: string, deadlineInS: number, entityId = `trk-${requestId}`, askedSAgo = 60): ApprovalRequestItem {
  return { entityId, requestId, requestedAt: T0 - askedSAgo * 1000, deadline: T0 + deadlineInS * 1000, tasks: ['intercept'], requestedBy: 'sensor-east', label: 'military jet', threat: 'high' };
}

async function queueWith(requests: ApprovalRequestItem[], now = { t: T0 }) {
  const q = fixture('lattice-approval-queue', 400, 500);
  q.clock = () => now.t;
  q.requests = requests;
  await q.updateComplete;
  const rows = () => [...q.shadowRoot!.querySelectorAll<HTMLElement>('li.request')];
  return { q, rows, now };
}

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

  it('shows requests to a viewer but does not let them decide', async () => {
    const { q, rows } = await queueWith([request('r1', 30)]);
    q.canDecide = false;
    await q.updateComplete;
    const seen = collect<ApprovalDecisionDetail>(document.body, 'approval-decision');
    const approve = rows()[0]!.querySelector<HTMLButtonElement>('button.approve')!;
    check(approve.disabled, 'approve disabled');
    rows()[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true, composed: true }));
    checkEqual(seen.length, 0, 'no decision from a viewer');
  });

  it('shows recent history with who decided', async () => {
    const { q } = await queueWith([]);
    q.history = [
      { request: request('h1', -5), outcome: 'approved', by: 'Ops North', at: T0 },
      { request: request('h2', -9), outcome: 'timed_out', by: undefined, at: T0 - 4000 },
    ];
    await q.updateComplete;
    const text = q.shadowRoot!.querySelector('.history')!.textContent!;
    check(text.includes('approved by Ops North'), 'who decided');
    check(text.includes('timed out'), 'timed out');
    check(q.shadowRoot!.textContent!.includes('No requests waiting'), 'empty queue says so');
  });
});
