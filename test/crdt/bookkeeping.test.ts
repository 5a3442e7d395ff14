/**
 * The store's two hot-path containers against the plain structures they replace, for random
 * operation sequences: `LiveSlots` against a Set, `StagedWrites` against a map of maps.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { LiveSlots, type LiveMember } from '../../src/crdt/LiveSlots.js';
import { StagedWrites } from '../../src/crdt/StagedWrites.js';
import { CODE_TASK_ADD, CODE_TASK_REMOVE } from '../../src/crdt/components.js';
import type { DecodedWrite } from '../../src/crdt/batch.js';

interface Member extends LiveMember {
  readonly n: number;
}

describe('LiveSlots', () => {
  it('holds exactly what a set would, through adds, kills, moves and clears', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), set: fc.nat(2) }),
      fc.record({ kind: fc.constant('kill' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('move' as const), from: fc.nat(2), to: fc.nat(2) }),
      fc.record({ kind: fc.constant('clear' as const), set: fc.nat(2) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const sets = [new LiveSlots<Member>(), new LiveSlots<Member>(), new LiveSlots<Member>()];
        const models = [new Set<Member>(), new Set<Member>(), new Set<Member>()];
        const all: Member[] = [];
        for (const o of ops) {
          if (o.kind === 'add') {
            // A fresh slot each time: slots are made live once.
            const m: Member = { n: all.length, liveIn: undefined };
            all.push(m);
            sets[o.set]!.add(m);
            models[o.set]!.add(m);
          } else if (o.kind === 'kill' && all.length > 0) {
            const m = all[o.pick % all.length]!;
            for (let i = 0; i < 3; i++) {
              sets[i]!.delete(m);
              models[i]!.delete(m);
            }
          } else if (o.kind === 'move' && o.from !== o.to) {
            for (const m of sets[o.from]!) sets[o.to]!.add(m);
            for (const m of models[o.from]!) models[o.to]!.add(m);
            sets[o.from]!.clear();
            models[o.from]!.clear();
          } else if (o.kind === 'clear') {
            sets[o.set]!.clear();
            models[o.set]!.clear();
          }
          for (let i = 0; i < 3; i++) {
            expect(sets[i]!.size).to.equal(models[i]!.size);
            expect([...sets[i]!].map((m) => m.n).sort((a, b) => a - b)).to.deep.equal([...models[i]!].map((m) => m.n).sort((a, b) => a - b));
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('StagedWrites', () => {
  const write = (id: string, code: number, task: string, n: number): DecodedWrite =>
    code === CODE_TASK_ADD || code === CODE_TASK_REMOVE
      ? { kind: code === CODE_TASK_ADD ? 'taskAdd' : 'taskRemove', id, task, tags: [], raw: [id, code, task, n] } as DecodedWrite
      : { kind: 'register', id, name: 'position', value: n, raw: [id, code, n] };

  it('keeps the newest write per target, in first-write order, like a map of maps', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), id: fc.constantFrom('a', 'b', 'c'), code: fc.constantFrom(2, 3, 4, CODE_TASK_ADD, CODE_TASK_REMOVE), task: fc.constantFrom('x', 'y') }),
      fc.record({ kind: fc.constant('dropEntity' as const), id: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ kind: fc.constant('dropTasks' as const), id: fc.constantFrom('a', 'b', 'c') }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const staged = new StagedWrites();
        const model = new Map<string, Map<string, DecodedWrite>>();
        ops.forEach((o, n) => {
          if (o.kind === 'put') {
            const w = write(o.id, o.code, o.task, n);
            staged.put(w);
            const key = o.code === CODE_TASK_ADD || o.code === CODE_TASK_REMOVE ? `${o.code}:${o.task}` : `${o.code}`;
            if (!model.has(o.id)) model.set(o.id, new Map());
            model.get(o.id)!.set(key, w);
          } else if (o.kind === 'dropEntity') {
            staged.dropEntity(o.id);
            model.delete(o.id);
          } else {
            staged.dropTasks(o.id);
            const m = model.get(o.id);
            if (m) for (const key of [...m.keys()]) if (key.startsWith(`${CODE_TASK_ADD}:`) || key.startsWith(`${CODE_TASK_REMOVE}:`)) m.delete(key);
          }
        });
        const out: DecodedWrite[] = [];
        staged.appendTo(out);
        const expected = [...model.values()].flatMap((m) => [...m.values()]);
        expect(out).to.deep.equal(expected);
      }),
      { numRuns: 200 },
    );
  });
});
