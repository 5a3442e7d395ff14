/**
 * The rules the mesh promises (`monitors/rules.ts`), as the running monitor checks them: the
 * node's own judgement never breaks them on any journal (property), and each rule fires when
 * what it watches is broken on purpose.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { approvalOutcome, type Hlc, type JournalEntry, type StampedEntry } from '../../../src/crdt/index.js';
import { adoptedBreak, approvalBreaks, budgetBreak, issuedBreak, rebuildBreak, RULES, taskBreaks } from '../../../src/peer/monitors/rules.js';

const at = (wall: number, counter = 0, node = 'n1'): Hlc => ({ wall, counter, node });
const REQUESTED = 1_000_000;
const DEADLINE = REQUESTED + 30_000;
const request: StampedEntry = { entry: { kind: 'request', requestId: 'r1', deadline: DEADLINE, tasks: ['intercept'], auto: false }, at: at(REQUESTED) };

/** Decisions and withdrawals on `r1`, stamped anywhere from before the request to after the deadline. */
const entries = fc.array(
  fc.record({
    kind: fc.constantFrom('approve', 'deny', 'withdraw'),
    wall: fc.integer({ min: REQUESTED - 5_000, max: DEADLINE + 5_000 }),
    counter: fc.nat(3),
    node: fc.constantFrom('a', 'b', 'c'),
  }),
  { maxLength: 8 },
);
const journalOf = (list: { kind: string; wall: number; counter: number; node: string }[]): StampedEntry[] => [
  request,
  ...list.map(({ kind, wall, counter, node }) => {
    const entry: JournalEntry = kind === 'withdraw' ? { kind: 'withdraw', requestId: 'r1', reason: 'threat fell' } : { kind: 'decision', requestId: 'r1', verdict: kind as 'approve' | 'deny', operator: node };
    return { entry, at: at(wall, counter, node) };
  }),
];

describe('the rules the mesh promises', () => {
  it('names each rule in words', () => {
    for (const text of Object.values(RULES)) expect(text).to.match(/\.$/);
  });

  it('the node’s own judgement of a request never breaks the approval rules, whatever the journal (property)', () => {
    fc.assert(
      fc.property(entries, fc.integer({ min: REQUESTED, max: DEADLINE + 60_000 }), (list, now) => {
        const journal = journalOf(list);
        expect(approvalBreaks('t1', journal, approvalOutcome(journal, now))).to.deep.equal([]);
      }),
      { numRuns: 300 },
    );
  });

  it('an outcome that lets an approve beat a counted deny, or counts a late entry, is caught', () => {
    const journal = journalOf([
      { kind: 'approve', wall: REQUESTED + 1_000, counter: 0, node: 'a' },
      { kind: 'deny', wall: REQUESTED + 2_000, counter: 0, node: 'b' },
    ]);
    const right = approvalOutcome(journal, DEADLINE)!;
    expect(right.state).to.equal('denied');
    const wrong = { ...right, state: 'approved' as const };
    expect(approvalBreaks('t1', journal, wrong).map((b) => b.rule)).to.deep.equal(['approval.deny-wins']);
    const late = journalOf([{ kind: 'approve', wall: DEADLINE + 1, counter: 0, node: 'a' }]);
    const lateOutcome = { ...approvalOutcome(late, DEADLINE + 10)!, state: 'approved' as const, decidedBy: { operator: 'a', at: at(DEADLINE + 1, 0, 'a'), kind: 'decision' as const } };
    const broken = approvalBreaks('t1', late, lateOutcome);
    expect(broken.map((b) => b.rule)).to.deep.equal(['approval.deadline']);
    expect(broken[0]!.evidence).to.contain('r1');
  });

  it('clock: a stamp issued not after the one before, or one adopted beyond the offset, is caught', () => {
    expect(issuedBreak(undefined, at(5))).to.equal(undefined);
    expect(issuedBreak(at(5), at(5, 1))).to.equal(undefined);
    expect(issuedBreak(at(5, 1), at(5, 1))?.rule).to.equal('clock.monotonic');
    expect(issuedBreak(at(6), at(5, 9))?.rule).to.equal('clock.monotonic');
    expect(adoptedBreak(at(10_500), 10_000, 500)).to.equal(undefined);
    expect(adoptedBreak(at(10_501), 10_000, 500)?.evidence).to.contain('501 ms ahead');
  });

  it('tasks: one per request, and only for a request a counted approve (or policy) approved', () => {
    const approved = journalOf([{ kind: 'approve', wall: REQUESTED + 1_000, counter: 0, node: 'a' }]);
    const withdrawn = journalOf([{ kind: 'withdraw', wall: REQUESTED + 1_000, counter: 0, node: 'a' }]);
    const late = journalOf([{ kind: 'approve', wall: DEADLINE + 1, counter: 0, node: 'a' }]);
    // Approved, then a deny that won after a heal: the task was made while it stood approved.
    const approvedThenDenied = journalOf([
      { kind: 'approve', wall: REQUESTED + 2_000, counter: 0, node: 'a' },
      { kind: 'deny', wall: REQUESTED + 1_000, counter: 0, node: 'b' },
    ]);
    const journals: Record<string, StampedEntry[]> = { ok: approved, gone: withdrawn, late, healed: approvedThenDenied, none: [] };
    const task = (targetId: string) => ({ kind: 'intercept' as const, targetId, assetId: 'a1', requestId: 'r1', status: 'created' as const });
    const breaks = taskBreaks(
      ['ok', 'gone', 'late', 'healed', 'none'].map((t) => ({ id: `task.${t}`, task: task(t) })),
      (id) => journals[id] ?? [],
    );
    expect(breaks.map((b) => `${b.rule} ${b.key}`).sort()).to.deep.equal(['task.only-approved only:task.gone', 'task.only-approved only:task.late', 'task.only-approved only:task.none']);
    const twice = taskBreaks([{ id: 'task.r1', task: task('ok') }, { id: 'task.copy', task: task('ok') }], () => approved);
    expect(twice.map((b) => b.rule)).to.deep.equal(['task.one-per-request']);
    expect(rebuildBreak('1:a', '1:a')).to.equal(undefined);
    expect(rebuildBreak('1:a', '1:b')?.rule).to.equal('store.rebuild');
  });

  it('uplink: a token bucket never breaks the budget over any window (property); a sender past it is caught', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 10_000 }), fc.integer({ min: 100, max: 5_000 }), fc.array(fc.integer({ min: 1, max: 3_000 }), { minLength: 2, maxLength: 30 }), (rate, burst, wants) => {
        // Send as much as the bucket allows, each second, of what is wanted.
        let tokens = burst;
        let sent = 0;
        const samples = [{ atMs: 0, bytes: 0 }];
        wants.forEach((want, i) => {
          tokens = Math.min(burst, tokens + rate);
          const out = Math.min(want, tokens);
          tokens -= out;
          sent += out;
          samples.push({ atMs: (i + 1) * 1000, bytes: sent });
        });
        expect(budgetBreak(samples, rate, burst)).to.equal(undefined);
      }),
      { numRuns: 200 },
    );
    expect(budgetBreak([{ atMs: 0, bytes: 0 }, { atMs: 1000, bytes: 2_100 }], 1_000, 1_024)?.rule).to.equal('uplink.budget');
    expect(budgetBreak([{ atMs: 0, bytes: 0 }, { atMs: 1000, bytes: 1e9 }], 0, 0), 'no budget, nothing to keep').to.equal(undefined);
  });
});
