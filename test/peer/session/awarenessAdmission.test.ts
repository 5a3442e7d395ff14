/** Presence updates from peers: honest ones pass; malformed, huge or endless ones are refused whole. */
import { expect } from 'chai';
import fc from 'fast-check';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { STALE_STATE, admitAwareness, encodeAwarenessEntries, awarenessRefusal, MAX_CLIENTS, MAX_STATE_CHARS } from '../../../src/peer/session/awarenessAdmission.js';

const encode = encodeAwarenessEntries;

describe('presence admission', () => {
  it('passes every honest presence update', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name: fc.string({ maxLength: 40 }), links: fc.array(fc.string({ maxLength: 20 }), { maxLength: 8 }) }), { minLength: 1, maxLength: 20 }), (states) => {
        const source = states.map((state) => {
          const a = new awarenessProtocol.Awareness(new Y.Doc());
          a.setLocalState({ presence: state });
          return a;
        });
        const target = new awarenessProtocol.Awareness(new Y.Doc());
        for (const a of source) {
          const update = awarenessProtocol.encodeAwarenessUpdate(a, [a.clientID]);
          expect(awarenessRefusal(target, update)).to.equal(undefined);
          awarenessProtocol.applyAwarenessUpdate(target, update, 'peer');
        }
        expect(target.getStates().size).to.equal(states.length + 1);
        for (const a of [...source, target]) a.destroy();
      }),
      { numRuns: 50 },
    );
  });

  it('refuses malformed bytes whole: nothing is applied and nothing throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const target = new awarenessProtocol.Awareness(new Y.Doc());
        const before = target.getStates().size;
        if (awarenessRefusal(target, bytes) === undefined) awarenessProtocol.applyAwarenessUpdate(target, bytes, 'peer');
        else expect(target.getStates().size).to.equal(before);
        target.destroy();
      }),
      { numRuns: 300 },
    );
    const target = new awarenessProtocol.Awareness(new Y.Doc());
    // One good entry, then one that is not JSON: y-protocols alone would apply the first.
    expect(awarenessRefusal(target, encode([[7, 1, '{"ok":1}'], [8, 1, '{not json']]))).to.match(/malformed/);
    expect(awarenessRefusal(target, encode([[7, 1, JSON.stringify({ blob: 'x'.repeat(MAX_STATE_CHARS) })]]))).to.match(/characters/);
    expect(awarenessRefusal(target, encode(Array.from({ length: 300 }, (_, i) => [i + 10, 1, 'null'] as [number, number, string])))).to.match(/listing 300 clients/);
    target.destroy();
  });

  it('bounds the clients remembered, and forgets those that left a while ago', () => {
    const target = new awarenessProtocol.Awareness(new Y.Doc());
    let id = 1000;
    // A peer inventing clients: each update lists 200 new ones, gone at once (state null).
    let refused = 0;
    for (let round = 0; round < 20; round++) {
      const update = encode(Array.from({ length: 200 }, () => [id++, 1, 'null'] as [number, number, string]));
      if (awarenessRefusal(target, update) === undefined) awarenessProtocol.applyAwarenessUpdate(target, update, 'peer');
      else refused++;
    }
    expect(refused).to.be.above(0);
    expect(target.meta.size).to.be.at.most(MAX_CLIENTS);
    // A minute on, those that left are forgotten, and a newcomer is admitted.
    for (const meta of target.meta.values()) meta.lastUpdated -= 120_000;
    expect(awarenessRefusal(target, encode([[1, 1, '{"presence":{}}']]))).to.equal(undefined);
    expect(target.meta.size).to.be.below(10);
    target.destroy();
  });

  it('leaves out a stale state (an older copy a relay brings) without refusing the rest or blaming the sender', () => {
    const target = new awarenessProtocol.Awareness(new Y.Doc());
    const check = (id: number) => (id === 8 ? STALE_STATE : undefined);
    const verdict = admitAwareness(target, encode([[7, 1, '{"a":1}'], [8, 3, '{"old":1}'], [9, 1, '{"c":1}']]), check);
    expect('refused' in verdict).to.equal(false);
    awarenessProtocol.applyAwarenessUpdate(target, (verdict as { update: Uint8Array }).update, 'peer');
    expect([...target.getStates().keys()].filter((id) => id !== target.clientID).sort()).to.deep.equal([7, 9]);
    // Only stale states: nothing to apply, and nothing refused.
    expect(admitAwareness(target, encode([[8, 4, '{"old":1}']]), check)).to.deep.equal({ update: undefined });
    // Refusals still refuse the whole update.
    expect(admitAwareness(target, encode([[10, 1, '{"x":1}']]), () => 'forged')).to.deep.equal({ refused: 'forged' });
    target.destroy();
  });
});
