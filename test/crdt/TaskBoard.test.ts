/**
 * The task board over a store: the life cycle it allows (and a property test that no sequence
 * of requests leaves it), cancelling for operators only, the ids that let two partitioned nodes
 * create one task, and the choice of the nearest free asset.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as Y from 'yjs';
import { EntityStore, PermissionError, StateError, TASK_STATES, TASK_TRANSITIONS, TaskBoard, isTerminal, type Actor, type TaskState } from '../../src/crdt/index.js';

const operator = (): Actor => ({ role: 'operator', name: 'ops' });
const viewer = (): Actor => ({ role: 'viewer', name: 'watcher' });

function storeWith(node = 'a'): EntityStore {
  const store = new EntityStore(new Y.Doc(), { node });
  store.create('trk-1', 'track', { position: { lat: 52, lon: 4, alt: 0 } });
  store.create('ast-near', 'asset', { position: { lat: 52.1, lon: 4, alt: 0 }, affiliation: { value: 'friend' } });
  store.create('ast-far', 'asset', { position: { lat: 53, lon: 4, alt: 0 }, affiliation: { value: 'friend' } });
  store.create('ast-hostile', 'asset', { position: { lat: 52.01, lon: 4, alt: 0 }, affiliation: { value: 'hostile' } });
  return store;
}

describe('TaskBoard', () => {
  it('walks a task through its life cycle, journalling every step', () => {
    const store = storeWith();
    const board = new TaskBoard(store, operator);
    const id = board.create('intercept', 'trk-1', 'ast-near', 'r1');
    for (const status of ['sent', 'acknowledged', 'executing', 'done_ok'] as const) board.advance(id, status);
    expect(board.get(id)!.status).to.equal('done_ok');
    expect(store.journal(id).map((s) => (s.entry as { status: string }).status)).to.deep.equal(['created', 'sent', 'acknowledged', 'executing', 'done_ok']);
    expect(() => board.advance(id, 'executing')).to.throw(StateError, /done_ok; it cannot become executing/);
  });

  it('lets only an operator cancel', () => {
    const store = storeWith();
    const id = new TaskBoard(store, operator).create('intercept', 'trk-1', 'ast-near', 'r1');
    expect(() => new TaskBoard(store, viewer).cancel(id)).to.throw(PermissionError);
    expect(new TaskBoard(store, viewer).get(id)!.status).to.equal('created');
    new TaskBoard(store, operator).cancel(id);
    expect(store.journal(id).at(-1)!.entry).to.deep.include({ status: 'cancelled', note: 'cancelled by ops' });
  });

  it('never leaves the transition table, whatever is asked of it', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TASK_STATES), { maxLength: 12 }), (asked) => {
        const store = storeWith();
        const board = new TaskBoard(store, operator);
        const id = board.create('intercept', 'trk-1', 'ast-near', 'r1');
        let status: TaskState = 'created';
        let steps = 1;
        for (const next of asked) {
          const allowed = TASK_TRANSITIONS[status].includes(next);
          try {
            board.advance(id, next);
            expect(allowed, `${status} → ${next} was accepted`).to.equal(true);
            status = next;
            steps++;
          } catch (error) {
            expect(error).to.be.instanceOf(StateError);
            expect(allowed, `${status} → ${next} was refused`).to.equal(false);
          }
          expect(board.get(id)!.status).to.equal(status);
        }
        expect(store.journal(id)).to.have.length(steps);
        if (isTerminal(status)) expect(board.activeTaskOf('ast-near')).to.equal(undefined);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('gives one task to two nodes that created it for one request while cut off', () => {
    const [a, b] = [storeWith('a'), storeWith('b')];
    new TaskBoard(a, operator).create('intercept', 'trk-1', 'ast-near', 'r1');
    new TaskBoard(b, operator).create('intercept', 'trk-1', 'ast-near', 'r1');
    Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc));
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc));
    expect(new TaskBoard(a, operator).list().map((t) => t.id)).to.deep.equal(['task.r1']);
    expect(a.get('task.r1')!.components).to.deep.equal(b.get('task.r1')!.components);
  });

  it('picks the nearest friendly asset that has no active task', () => {
    const store = storeWith();
    const board = new TaskBoard(store, operator);
    const target = { lat: 52, lon: 4, alt: 0 };
    expect(board.nearestAvailableAsset(target)!.id, 'the hostile one is nearer but not ours').to.equal('ast-near');
    board.create('intercept', 'trk-1', 'ast-near', 'r1');
    expect(board.nearestAvailableAsset(target)!.id).to.equal('ast-far');
    expect(board.nearestAvailableAsset(target, new Set(['ast-far']))).to.equal(undefined);
  });
});
