/**
 * The index on its own, fed batches by hand: the merge rules, what `covers` answers, what a
 * removed batch takes with it, and (by property) that any delivery order resolves the same as
 * the independent oracle, and that dropping a batch with no live write changes nothing.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { EntityIndex, type StampConflict } from '../../src/crdt/EntityIndex.js';
import { decodeBatch, type RawBatch, type RawWrite } from '../../src/crdt/batch.js';
import { CODE_CREATE, CODE_DELETE, CODE_TASK_ADD, CODE_TASK_REMOVE, REGISTERS, encodeHlc, fnv1a64 } from '../../src/crdt/index.js';
import { CODE_JOURNAL, encodeJournalEntry } from '../../src/crdt/journal.js';
import { oracle, type OracleEntity } from './oracle.js';

const THREAT = REGISTERS.threat.code;

function stamp(wall: number, node = 'a', counter = 0): string {
  return encodeHlc({ wall: 1_000_000 + wall, counter, node });
}

const create = (id: string, type = 0): RawWrite => [id, CODE_CREATE, type];
const del = (id: string): RawWrite => [id, CODE_DELETE];
const threat = (id: string, level: number): RawWrite => [id, THREAT, level];
const add = (id: string, task: string): RawWrite => [id, CODE_TASK_ADD, task];
const remove = (id: string, task: string, ...tags: string[]): RawWrite => [id, CODE_TASK_REMOVE, task, ...tags];
const note = (id: string, reason: string, wall: number): RawWrite => [id, CODE_JOURNAL, ...encodeJournalEntry({ kind: 'withdraw', requestId: 'r1', reason }, wall)];

function batch(at: string, ...writes: RawWrite[]): RawBatch {
  return [at, ...writes];
}

function indexOf(...batches: RawBatch[]): EntityIndex {
  const index = new EntityIndex();
  for (const raw of batches) index.addBatch(decodeBatch(raw));
  index.endChanges('remote');
  return index;
}

describe('EntityIndex', () => {
  it('resolves a register to its newest write, whichever arrives first', () => {
    const older = batch(stamp(1), create('e1'), threat('e1', 1));
    const newer = batch(stamp(2), threat('e1', 3));
    for (const order of [[older, newer], [newer, older]]) {
      const index = indexOf(...order);
      expect(index.component('e1', 'threat')).to.deep.equal({ level: 'high' });
      expect(index.batchInfo(older)!.live.size).to.equal(1, 'only the create of the older batch still matters');
    }
  });

  it('says a write is covered when an equal or newer one is held, and not when it would win', () => {
    const index = indexOf(batch(stamp(5), create('e1'), threat('e1', 2)));
    expect(index.covers(threat('e1', 0), stamp(4))).to.equal(true);
    expect(index.covers(threat('e1', 2), stamp(5))).to.equal(true);
    expect(index.covers(threat('e1', 0), stamp(6))).to.equal(false);
    expect(index.covers(create('e1'), stamp(6))).to.equal(false);
    expect(index.covers(threat('e2', 0), stamp(1)), 'unknown entity').to.equal(false);
  });

  it('lets a tombstone kill older writes but not newer ones, and covers what it killed', () => {
    const index = indexOf(batch(stamp(1), create('e1'), threat('e1', 1), add('e1', 'monitor')), batch(stamp(3), del('e1')));
    expect(index.has('e1')).to.equal(false);
    expect(index.tombstone('e1')).to.equal(stamp(3));
    expect(index.covers(threat('e1', 2), stamp(2)), 'stamped before the tombstone').to.equal(true);
    expect(index.covers(add('e1', 'track'), stamp(2))).to.equal(true);
    expect(index.covers(note('e1', 'x', 1_000_002), stamp(2))).to.equal(true);
    expect(index.covers(create('e1'), stamp(2)), 'an old create still types a resurrected entity').to.equal(false);
    index.addBatch(decodeBatch(batch(stamp(4), threat('e1', 3))));
    const { changes } = index.endChanges('remote');
    expect(changes).to.deep.equal([{ id: 'e1', kind: 'created', components: ['threat'], origin: 'remote' }]);
    expect(index.get('e1')!.components).to.deep.equal({ threat: { level: 'high' } });
  });

  it('keeps a task add that a concurrent remove did not name (add-wins)', () => {
    const first = stamp(1);
    const index = indexOf(batch(first, create('e1'), add('e1', 'monitor')), batch(stamp(3, 'b'), remove('e1', 'monitor', first)), batch(stamp(2, 'c'), add('e1', 'monitor')));
    expect(index.component('e1', 'taskCatalog')).to.deep.equal(['monitor']);
    expect(index.taskTags('e1', 'monitor')).to.deep.equal([stamp(2, 'c')]);
    expect(index.covers(add('e1', 'monitor'), first), 'a removed add').to.equal(true);
    expect(index.covers(remove('e1', 'monitor', first), stamp(3, 'b'))).to.equal(true);
    expect(index.covers(remove('e1', 'monitor', first), stamp(4))).to.equal(false);
  });

  it('breaks a same-stamp tie by content, in either order, and reports the conflict', () => {
    const at = stamp(1);
    const low = batch(at, create('e1'), threat('e1', 1));
    const high = batch(at, create('e1'), threat('e1', 2));
    for (const order of [[low, high], [high, low]]) {
      const index = new EntityIndex();
      const conflicts: StampConflict[] = [];
      index.onConflict = (conflict) => conflicts.push(conflict);
      for (const raw of order) index.addBatch(decodeBatch(raw));
      expect(index.component('e1', 'threat')).to.deep.equal({ level: 'medium' });
      expect(conflicts.map((c) => [c.id, c.stamp])).to.deep.equal([['e1', at]]);
    }
  });

  it('orders the journal by stamp, whatever the arrival order', () => {
    const index = indexOf(batch(stamp(2), note('e1', 'second', 1_000_002)), batch(stamp(1), create('e1'), note('e1', 'first', 1_000_001)));
    expect(index.journal('e1').map((s) => (s.entry as { reason: string }).reason)).to.deep.equal(['first', 'second']);
  });

  it('brings back the older write when the batch holding the winner leaves unreplaced', () => {
    const older = batch(stamp(1), create('e1'), threat('e1', 1));
    const newer = batch(stamp(2), threat('e1', 3));
    const index = indexOf(older, newer);
    const { lost } = index.removeBatch(newer);
    expect(lost.map((slot) => slot.stamp)).to.deep.equal([stamp(2)]);
    const ids = index.unreplaced(lost);
    expect([...ids]).to.deep.equal(['e1']);
    index.rebuild(ids);
    expect(index.component('e1', 'threat')).to.deep.equal({ level: 'low' });
    expect(index.batchInfo(older)!.live.size).to.equal(2);
  });

  it('finds nothing unreplaced when a rewritten batch holds the same writes', () => {
    const original = batch(stamp(1), create('e1'), threat('e1', 1), add('e1', 'monitor'), note('e1', 'n', 1_000_001));
    const index = indexOf(original);
    const { lost } = index.removeBatch(original);
    index.addBatch(decodeBatch(batch(stamp(1), create('e1'), threat('e1', 1), add('e1', 'monitor'), note('e1', 'n', 1_000_001))));
    expect([...index.unreplaced(lost)]).to.deep.equal([]);
  });

  it('collects a dead entity only when every batch creating it may go or be rewritten', () => {
    const shared = batch(stamp(1), create('e1'), create('e2'));
    const index = indexOf(shared, batch(stamp(2), del('e1')));
    expect(index.collectableTombstones(stamp(3))).to.deep.equal(['e1']);
    expect(index.collectableTombstones(stamp(2)), 'tombstone not older than the horizon').to.deep.equal([]);
    expect(index.collect('e1', () => false), 'its create shares a batch with a live write').to.equal(undefined);
    const rewrite = index.collect('e1', () => true)!;
    expect([...rewrite].map((info) => info.raw)).to.deep.equal([shared]);
    expect(index.tombstone('e1')).to.equal(undefined);
    expect(index.has('e2')).to.equal(true);
  });
});

interface Op {
  readonly id: string;
  readonly what: 'create' | 'delete' | 'threat' | 'add' | 'remove' | 'journal';
  readonly n: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  id: fc.constantFrom('e1', 'e2'),
  what: fc.constantFrom('create', 'create', 'delete', 'threat', 'threat', 'add', 'remove', 'journal'),
  n: fc.nat(3),
});

/** Batches from a few writers over a few ms; removes name tags of adds made so far. */
function batchesOf(plan: ReadonlyArray<{ node: string; wall: number; ops: readonly Op[] }>): RawBatch[] {
  const tags: string[] = [];
  const out: RawBatch[] = [];
  plan.forEach(({ node, wall, ops }, i) => {
    const at = stamp(wall, node, i);
    const writes = new Map<string, RawWrite>();
    for (const op of ops) {
      const task = ['monitor', 'track'][op.n % 2]!;
      const write =
        op.what === 'create' ? create(op.id, op.n % 2)
        : op.what === 'delete' ? del(op.id)
        : op.what === 'threat' ? threat(op.id, op.n)
        : op.what === 'add' ? add(op.id, task)
        : op.what === 'remove' ? (tags.length > 0 ? remove(op.id, task, tags[op.n % tags.length]!) : undefined)
        : note(op.id, `r${op.n}`, 1_000_000 + wall);
      // One batch writes each place once (the writer coalesces).
      const place = write && (write[1] === CODE_JOURNAL ? write : write[1] === CODE_TASK_ADD || write[1] === CODE_TASK_REMOVE ? write.slice(0, 3) : write.slice(0, 2));
      if (write) writes.set(JSON.stringify(place), write);
      if (op.what === 'add') tags.push(at);
    }
    if (writes.size > 0) out.push([at, ...writes.values()]);
  });
  return out;
}

function picture(index: EntityIndex): Map<string, OracleEntity> {
  const out = new Map<string, OracleEntity>();
  const enc = (h: { wall: number; counter: number; node: string }) => encodeHlc(h);
  for (const view of index.views()) {
    const stamps: Record<string, string> = {};
    for (const [name, h] of Object.entries(view.stamps)) stamps[name] = enc(h!);
    const journal = index.journal(view.id).map((j) => `${enc(j.at)}:${JSON.stringify(j.entry)}`);
    out.set(view.id, { type: view.type, components: { ...view.components }, stamps, journal });
  }
  return out;
}

function hashes(index: EntityIndex): string[] {
  return [...index.recordHashes(fnv1a64)].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([id, hash]) => `${id}=${hash}`);
}

const planArb = fc.array(fc.record({ node: fc.constantFrom('a', 'b', 'c'), wall: fc.nat(6), ops: fc.array(opArb, { minLength: 1, maxLength: 5 }) }), { minLength: 1, maxLength: 12 });

describe('EntityIndex convergence', () => {
  it('resolves every delivery order to the oracle, and agrees on what it covers', () => {
    fc.assert(
      fc.property(planArb, fc.integer(), (plan, seed) => {
        const batches = batchesOf(plan);
        const shuffled = fc.sample(fc.shuffledSubarray(batches, { minLength: batches.length, maxLength: batches.length }), { seed, numRuns: 1 })[0]!;
        const a = indexOf(...batches);
        const b = indexOf(...shuffled);
        expect(picture(a)).to.deep.equal(oracle(batches));
        expect(picture(b)).to.deep.equal(picture(a));
        expect(hashes(b)).to.deep.equal(hashes(a));
        for (const raw of batches) {
          const at = raw[0];
          for (const write of raw.slice(1) as RawWrite[]) expect(b.covers(write, at)).to.equal(a.covers(write, at), JSON.stringify(write));
        }
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  it('changes nothing when a batch none of whose writes is live leaves', () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const batches = batchesOf(plan);
        const index = indexOf(...batches);
        const before = hashes(index);
        const dead = batches.filter((raw) => index.batchInfo(raw)!.live.size === 0 && !index.batchInfo(raw)!.pinned);
        for (const raw of dead) {
          const { lost } = index.removeBatch(raw);
          expect(lost).to.deep.equal([]);
          index.rebuild(index.unreplaced(lost));
        }
        index.endChanges('remote');
        expect(hashes(index)).to.deep.equal(before);
        expect(picture(index)).to.deep.equal(oracle(batches));
      }),
      { numRuns: 300, seed: 20 },
    );
  });
});
