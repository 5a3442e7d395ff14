import { expect } from 'chai';
import fc from 'fast-check';
import { Outbox } from '../../../src/peer/budget/Outbox.js';
import { CHANGE_CLASSES, type ChangeClass } from '../../../src/peer/LatticeNode.js';
import type { RawWrite } from '../../../src/crdt/index.js';

const entry = (key: string, stamp: string, cls: ChangeClass, threat = 0, bytes = 30) => ({ key, write: [key, 2, 1, 2, 3] as RawWrite, stamp, cls, threat, bytes });

describe('Outbox', () => {
  it('lets changes leave by class, then threat, then age', () => {
    const box = new Outbox();
    box.put(entry('a|pos', 's1', 'position', 0), 1);
    box.put(entry('b|pos', 's1', 'position', 3), 2);
    box.put(entry('c|cls', 's1', 'routine', 1), 3);
    box.put(entry('d|d', 's1', 'delete'), 4);
    box.put(entry('e|c', 's1', 'create'), 5);
    box.put(entry('f|thr', 's1', 'priority', 3), 6);
    box.put(entry('g|pos', 's1', 'position', 0), 7);
    expect(box.take(Infinity).map((e) => e.key)).to.deep.equal(['d|d', 'e|c', 'f|thr', 'c|cls', 'b|pos', 'a|pos', 'g|pos']);
    expect(box.size).to.equal(0);
  });

  it('keeps one change per key, the newest, waiting since the first', () => {
    const box = new Outbox();
    box.put(entry('a|pos', 's1', 'position'), 10);
    box.put(entry('b|pos', 's1', 'position'), 11);
    box.put(entry('a|pos', 's3', 'position'), 20);
    box.put(entry('a|pos', 's2', 'position'), 30); // older than what waits: ignored
    expect(box.size).to.equal(2);
    expect(box.coalesced).to.equal(1);
    expect(box.oldestSince()).to.equal(10);
    const out = box.take(Infinity);
    expect(out.map((e) => [e.key, e.stamp])).to.deep.equal([
      ['a|pos', 's3'],
      ['b|pos', 's1'],
    ]);
  });

  it('takes what fits the allowance, at least one, and drops what is obsolete for free', () => {
    const box = new Outbox();
    for (let i = 0; i < 10; i++) box.put(entry(`t${i}|pos`, 's1', 'position', 0, 100), i);
    const first = box.take(250, (e) => e.key === 't0|pos');
    expect(first.map((e) => e.key)).to.deep.equal(['t1|pos', 't2|pos']);
    expect(box.take(10).length).to.equal(1);
    expect(box.counts().position).to.equal(6);
  });

  it('drains exactly the newest change of every key, in class order (property)', () => {
    const keys = ['a', 'b', 'c', 'd', 'e'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom(...keys), cls: fc.constantFrom(...CHANGE_CLASSES), threat: fc.integer({ min: 0, max: 3 }) }), { maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 10 }),
        (puts, takes) => {
          const box = new Outbox();
          const newest = new Map<string, { stamp: string; cls: ChangeClass }>();
          const taken: Array<{ key: string; stamp: string }> = [];
          puts.forEach((p, i) => {
            const stamp = String(i).padStart(4, '0');
            // The class of a key is fixed by what it is (a component); threat may change.
            const cls = CHANGE_CLASSES[keys.indexOf(p.key) % CHANGE_CLASSES.length]!;
            box.put(entry(p.key, stamp, cls, p.threat), i);
            newest.set(p.key, { stamp, cls });
            if (takes[i % 10] !== undefined && i % 7 === 0) {
              for (const e of box.take(takes[i % 10]!)) taken.push({ key: e.key, stamp: e.stamp });
            }
          });
          const rest = box.take(Infinity);
          for (let i = 1; i < rest.length; i++) {
            expect(CHANGE_CLASSES.indexOf(rest[i - 1]!.cls)).to.be.at.most(CHANGE_CLASSES.indexOf(rest[i]!.cls));
          }
          for (const e of rest) taken.push({ key: e.key, stamp: e.stamp });
          // The last change of every key left; nothing left twice with the same stamp.
          for (const [key, { stamp }] of newest) expect(taken.some((t) => t.key === key && t.stamp === stamp), key).to.equal(true);
          expect(new Set(taken.map((t) => `${t.key}@${t.stamp}`)).size).to.equal(taken.length);
          expect(box.size).to.equal(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
