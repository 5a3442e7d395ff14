import { expect } from 'chai';
import * as Y from 'yjs';
import { ApprovalDesk, type Actor } from '../../src/crdt/ApprovalDesk.js';
import { approvalOutcome } from '../../src/crdt/approval.js';
import { EntityStore, LatticeError, PermissionError, StateError } from '../../src/crdt/index.js';

const T0 = 1_750_000_000_000;

/** Two nodes on a shared scripted clock, linked until `cut`, re-synced by `heal`. */
function mesh(roles: [Actor['role'], Actor['role']] = ['operator', 'operator']) {
  let now = T0;
  const docs = [new Y.Doc(), new Y.Doc()] as const;
  let linked = true;
  docs.forEach((doc, i) =>
    doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (linked && origin !== 'net') Y.applyUpdate(docs[1 - i]!, u, 'net');
    }),
  );
  const stores = docs.map((doc, i) => new EntityStore(doc, { node: `node${i}`, physicalNow: () => now }));
  const desks = stores.map((s, i) => new ApprovalDesk(s, () => ({ role: roles[i]!, name: `op${i}` })));
  stores[0]!.create('trk', 'track', { threat: { level: 'high' } });
  return {
    stores,
    desks,
    advance: (ms: number) => (now += ms),
    cut: () => (linked = false),
    heal: () => {
      linked = true;
      for (let k = 0; k < 2; k++) Y.applyUpdate(docs[1 - k]!, Y.encodeStateAsUpdate(docs[k]!, Y.encodeStateVector(docs[1 - k]!)), 'net');
    },
  };
}

describe('approval', () => {
  it('times out with no decision by the deadline, on every node, from HLC time', () => {
    const m = mesh();
    m.desks[0]!.request('trk', ['intercept'], { timeoutMs: 30_000 });
    expect(m.desks[1]!.outcome('trk')!.state).to.equal('pending');
    m.advance(30_000);
    expect(m.desks[1]!.outcome('trk')!.state).to.equal('pending'); // exactly at the deadline: still open
    m.advance(1);
    expect(m.desks[0]!.outcome('trk')!.state).to.equal('timed_out');
    expect(m.desks[1]!.outcome('trk')!.state).to.equal('timed_out');
    expect(() => m.desks[1]!.decide('trk', 'approve')).to.throw(StateError, /timed out; only a pending request/);
  });

  it('deny wins over a concurrent approve, even one stamped earlier', () => {
    const m = mesh();
    m.desks[0]!.request('trk', ['intercept']);
    m.cut();
    m.advance(10);
    m.desks[0]!.decide('trk', 'approve');
    m.advance(10);
    m.desks[1]!.decide('trk', 'deny');
    expect(m.desks[0]!.outcome('trk')!.state).to.equal('approved'); // as A saw it, cut off
    m.heal();
    for (const desk of m.desks) {
      const outcome = desk.outcome('trk')!;
      expect(outcome.state).to.equal('denied');
      expect(outcome.decidedBy).to.include({ operator: 'op1', kind: 'decision' });
    }
  });

  it('ignores a decision stamped after the deadline, so a cut-off node cannot approve late', () => {
    const m = mesh();
    m.desks[0]!.request('trk', ['intercept'], { timeoutMs: 5_000 });
    m.cut();
    m.advance(6_000);
    expect(() => m.desks[1]!.decide('trk', 'approve')).to.throw(StateError);
    // Even written straight into the journal (a buggy or hostile node), it does not count.
    m.stores[1]!.record('trk', { kind: 'decision', requestId: m.desks[1]!.outcome('trk')!.request.requestId, verdict: 'approve', operator: 'late' });
    m.heal();
    const outcome = m.desks[0]!.outcome('trk')!;
    expect(outcome.state).to.equal('timed_out');
    expect(outcome.decisions.map((d) => [d.operator, d.counts])).to.deep.equal([['late', false]]);
  });

  it('withdraws a pending request when the threat falls, and starts a new one when it rises again', () => {
    const m = mesh();
    const first = m.desks[0]!.request('trk', ['intercept']);
    m.advance(5);
    m.desks[0]!.withdraw('trk', 'threat fell to medium');
    expect(m.desks[1]!.outcome('trk')!.state).to.equal('withdrawn');
    expect(() => m.desks[1]!.decide('trk', 'approve')).to.throw(StateError, /withdrawn/);
    m.advance(5);
    const second = m.desks[0]!.request('trk', ['intercept']);
    expect(second).to.not.equal(first);
    expect(m.desks[1]!.outcome('trk')!.state).to.equal('pending');
    m.desks[1]!.decide('trk', 'approve');
    expect(m.desks[0]!.outcome('trk')!.state).to.equal('approved');
    // The first request is still judged as it ended, and both stay in the audit trail.
    expect(approvalOutcome(m.stores[0]!.journal('trk'), m.stores[0]!.wallNow(), first)!.state).to.equal('withdrawn');
    expect(m.stores[1]!.journal('trk').map((e) => e.entry.kind)).to.deep.equal(['request', 'withdraw', 'request', 'decision']);
  });

  it('refuses deciding twice, deciding a decided request, and a viewer deciding; nothing changes', () => {
    const m = mesh(['operator', 'viewer']);
    m.desks[0]!.request('trk', ['intercept']);
    const before = m.stores[0]!.digest();
    expect(() => m.desks[1]!.decide('trk', 'approve')).to.throw(PermissionError, /viewer/);
    expect(m.stores[0]!.digest()).to.equal(before);
    m.desks[0]!.decide('trk', 'approve');
    const after = m.stores[0]!.digest();
    expect(() => m.desks[0]!.decide('trk', 'approve')).to.throw(StateError, /approved; only a pending/);
    expect(() => m.desks[0]!.decide('trk', 'deny')).to.throw(StateError);
    expect(m.stores[0]!.digest()).to.equal(after);
  });

  it('lists pending requests soonest deadline first', () => {
    const m = mesh();
    m.stores[0]!.create('b', 'track', { threat: { level: 'high' } });
    m.desks[0]!.request('trk', ['intercept'], { timeoutMs: 20_000 });
    m.desks[0]!.request('b', ['intercept'], { timeoutMs: 10_000 });
    expect(m.desks[1]!.pending().map((p) => p.entityId)).to.deep.equal(['b', 'trk']);
  });

  describe('every interleaving across two partitioned nodes', () => {
    type Act = 'approve' | 'deny' | 'withdraw';
    const ACTS: Act[] = ['approve', 'deny', 'withdraw'];
    const seqs: Act[][] = [[]];
    for (const a of ACTS) {
      seqs.push([a]);
      for (const b of ACTS) if (b !== a) seqs.push([a, b]);
    }
    type Step = { node: 0 | 1; act: Act } | { node: -1; act: 'deadline' | 'heal' };

    /** All merges of the given step lists that keep each list's own order. */
    function* interleave(lists: Step[][]): Generator<Step[]> {
      if (lists.every((l) => l.length === 0)) {
        yield [];
        return;
      }
      for (let i = 0; i < lists.length; i++) {
        if (lists[i]!.length === 0) continue;
        const rest = lists.map((l, j) => (j === i ? l.slice(1) : l));
        for (const tail of interleave(rest)) yield [lists[i]![0]!, ...tail];
      }
    }

    it('reaches one outcome on both nodes, and it follows the rules', function () {
      this.timeout(120_000);
      let scenarios = 0;
      for (const a of seqs) {
        for (const b of seqs) {
          const lists: Step[][] = [a.map((act) => ({ node: 0, act })), b.map((act) => ({ node: 1, act })), [{ node: -1, act: 'deadline' }], [{ node: -1, act: 'heal' }]];
          for (const steps of interleave(lists)) {
            scenarios++;
            const m = mesh();
            m.desks[0]!.request('trk', ['intercept'], { timeoutMs: 10_000 });
            m.cut();
            const done: Array<{ act: Act; beforeDeadline: boolean }> = [];
            let pastDeadline = false;
            for (const step of steps) {
              m.advance(10);
              if (step.node === -1) {
                if (step.act === 'deadline') {
                  m.advance(10_000);
                  pastDeadline = true;
                } else {
                  m.heal();
                }
                continue;
              }
              const desk = m.desks[step.node]!;
              try {
                if (step.act === 'withdraw') desk.withdraw('trk', 'threat fell');
                else desk.decide('trk', step.act);
                done.push({ act: step.act, beforeDeadline: !pastDeadline });
              } catch (error) {
                if (!(error instanceof LatticeError)) throw error;
                // Refused: it must have been refused for a reason the node could see.
                expect(desk.outcome('trk')!.state !== 'pending' || step.act !== 'withdraw').to.equal(true);
              }
            }
            m.heal();
            m.advance(10);
            const outcomes = m.desks.map((d) => d.outcome('trk')!);
            const context = JSON.stringify(steps);
            expect(outcomes[0]!.state, context).to.equal(outcomes[1]!.state);
            expect(m.stores[0]!.digest(), context).to.equal(m.stores[1]!.digest());
            // Nothing succeeds after the deadline.
            expect(done.every((d) => d.beforeDeadline), context).to.equal(true);
            // The rules: any deny wins; else the first approve or withdrawal; else timed out.
            const expected = done.some((d) => d.act === 'deny')
              ? 'denied'
              : done.length > 0
                ? done[0]!.act === 'approve'
                  ? 'approved'
                  : 'withdrawn'
                : 'timed_out';
            expect(outcomes[0]!.state, context).to.equal(expected);
          }
        }
      }
      expect(scenarios).to.be.greaterThan(5_000);
    });
  });
});
