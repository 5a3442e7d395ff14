/**
 * Admission of peers' Yjs updates: honest updates, in any order, always pass and converge;
 * anything outside the document's layout is refused whole, changes nothing and leaves no trace.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as Y from 'yjs';
import { EntityStore, LEASES_MAP, LOG_NAME, PIPELINE_MAP, UpdateAdmission, ValidationError, encodeHlc } from '../../src/crdt/index.js';
import { MAX_PENDING_BYTES } from '../../src/crdt/UpdateAdmission.js';

/** Applies `update` to `doc` the way a session does; returns the refusal, if any. */
function offer(admission: UpdateAdmission, doc: Y.Doc, update: Uint8Array): string | undefined {
  try {
    admission.check(update);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.message;
  }
  Y.applyUpdate(doc, update, 'peer');
  admission.trimPending();
  return undefined;
}

function recordUpdates(doc: Y.Doc): Uint8Array[] {
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  return updates;
}

const honestStep = fc.oneof(
  fc.record({ op: fc.constant('create' as const), id: fc.integer({ min: 0, max: 9 }), lat: fc.double({ min: -89, max: 89, noNaN: true }) }),
  fc.record({ op: fc.constant('move' as const), id: fc.integer({ min: 0, max: 9 }), lat: fc.double({ min: -89, max: 89, noNaN: true }) }),
  fc.record({ op: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ op: fc.constant('lease' as const), holder: fc.constantFrom('n1', 'n2') }),
  fc.record({ op: fc.constant('run' as const), seed: fc.integer({ min: 0, max: 1000 }) }),
);

describe('update admission', () => {
  it('admits every honest update, in any order, and the replicas converge', () => {
    fc.assert(
      fc.property(fc.array(honestStep, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 60 }), (steps, order) => {
        const source = new Y.Doc();
        const store = new EntityStore(source, { node: 'honest-1' });
        const updates = recordUpdates(source);
        for (const step of steps) {
          const id = `e${'id' in step ? step.id : 0}`;
          try {
            if (step.op === 'create') store.create(id, 'track', { position: { lat: step.lat, lon: 0, alt: 0 } });
            else if (step.op === 'move') store.update(id, { position: { lat: step.lat, lon: 1, alt: 0 } });
            else if (step.op === 'delete') store.delete(id);
            else if (step.op === 'lease') source.getMap(LEASES_MAP).set('pipeline', { holder: step.holder, expires: encodeHlc({ wall: 1e12, counter: 0, node: step.holder }) });
            else source.getMap(PIPELINE_MAP).set('run', { runId: `r${step.seed}`, scenario: '{}', seed: step.seed, startedAt: 1 });
          } catch {
            // not found / exists: an operator error, nothing written
          }
        }
        // Deliver in a shuffled order (updates overtaking what they follow wait in Yjs).
        const shuffled = [...updates];
        order.forEach((n, i) => {
          const j = n % shuffled.length;
          const k = i % shuffled.length;
          [shuffled[j], shuffled[k]] = [shuffled[k]!, shuffled[j]!];
        });
        const target = new Y.Doc();
        const admission = new UpdateAdmission(target);
        for (const update of shuffled) expect(offer(admission, target, update)).to.equal(undefined);
        const replica = new EntityStore(target, { node: 'reader-1' });
        expect(replica.digest()).to.equal(store.digest());
        expect(target.getMap(LEASES_MAP).toJSON()).to.deep.equal(source.getMap(LEASES_MAP).toJSON());
        expect(target.getMap(PIPELINE_MAP).toJSON()).to.deep.equal(source.getMap(PIPELINE_MAP).toJSON());
        replica.destroy();
        store.destroy();
      }),
      { numRuns: 60 },
    );
  });

  /** A hostile write, made on a modified peer's own document. */
  const hostileWrite = fc.oneof(
    fc.record({ kind: fc.constant('root' as const), name: fc.constantFrom('lattice.noise', 'x', '__proto__', 'lattice.logs'), value: fc.jsonValue() }),
    fc.record({ kind: fc.constant('text' as const), root: fc.constantFrom(LOG_NAME, LEASES_MAP, PIPELINE_MAP), text: fc.string({ minLength: 1 }) }),
    fc.record({ kind: fc.constant('nested' as const), root: fc.constantFrom(LOG_NAME, LEASES_MAP, PIPELINE_MAP) }),
    fc.record({ kind: fc.constant('binary' as const), root: fc.constantFrom(LOG_NAME, LEASES_MAP, PIPELINE_MAP) }),
    fc.record({ kind: fc.constant('logGarbage' as const), value: fc.oneof(fc.jsonValue(), fc.constant([]), fc.constant(['not-a-stamp', ['x', 1]]), fc.constant([encodeHlc({ wall: 5, counter: 0, node: 'm' }), ['e1', 999, 1]])) }),
    fc.record({ kind: fc.constant('mapValue' as const), root: fc.constantFrom(LEASES_MAP, PIPELINE_MAP), value: fc.oneof(fc.constant(Number.NaN), fc.constant(Infinity), fc.bigInt(), fc.constant(new Uint8Array(3)), fc.string(), fc.array(fc.integer())) }),
    fc.record({ kind: fc.constant('deep' as const), root: fc.constantFrom(LEASES_MAP, PIPELINE_MAP), depth: fc.integer({ min: 9, max: 60 }) }),
    fc.record({ kind: fc.constant('huge' as const), root: fc.constantFrom(LEASES_MAP, PIPELINE_MAP) }),
    fc.record({ kind: fc.constant('manyKeys' as const), root: fc.constantFrom(LEASES_MAP, PIPELINE_MAP) }),
    fc.record({ kind: fc.constant('protoKey' as const), root: fc.constantFrom(LEASES_MAP, PIPELINE_MAP) }),
  );

  function applyHostile(doc: Y.Doc, w: HostileWrite): void {
    doc.transact(() => {
      switch (w.kind) {
        case 'root':
          doc.getArray(w.name).push([w.value ?? null]);
          return;
        case 'text':
          if (w.root === LOG_NAME) doc.getArray(w.root).push([new Y.Text(w.text)]);
          else doc.getMap(w.root).set('pipeline', new Y.Text(w.text));
          return;
        case 'nested':
          if (w.root === LOG_NAME) doc.getArray(w.root).push([new Y.Map()]);
          else doc.getMap(w.root).set('run', new Y.Array());
          return;
        case 'binary':
          if (w.root === LOG_NAME) doc.getArray(w.root).push([new Uint8Array([1, 2, 3])]);
          else doc.getMap(w.root).set('run', new Uint8Array(8));
          return;
        case 'logGarbage':
          doc.getArray(LOG_NAME).push([w.value as never]);
          return;
        case 'mapValue':
          // Not JSON inside a record, or not a record at all.
          doc.getMap(w.root).set('pipeline', typeof w.value === 'string' || Array.isArray(w.value) ? w.value : { holder: 'm', expires: w.value });
          return;
        case 'deep': {
          let value: unknown = 1;
          for (let i = 0; i < w.depth; i++) value = { v: value };
          doc.getMap(w.root).set('run', value);
          return;
        }
        case 'huge':
          doc.getMap(w.root).set('run', { blob: 'x'.repeat(300 * 1024) });
          return;
        case 'manyKeys':
          for (let i = 0; i < 40; i++) doc.getMap(w.root).set(`k${i}`, { i });
          return;
        case 'protoKey': {
          const value = JSON.parse('{"__proto__": {"polluted": true}, "holder": "m"}') as unknown;
          doc.getMap(w.root).set('pipeline', value);
          return;
        }
      }
    });
  }

  type HostileWrite = typeof hostileWrite extends fc.Arbitrary<infer T> ? T : never;

  it('refuses every write outside the layout, whole, and the document is unchanged', () => {
    fc.assert(
      fc.property(fc.array(honestStep, { maxLength: 10 }), hostileWrite, (steps, hostile) => {
        // An honest history both sides share, then a hostile write on top of it.
        const mallory = new Y.Doc();
        const store = new EntityStore(mallory, { node: 'mallory-1' });
        for (const [i, step] of steps.entries()) {
          if (step.op === 'create') {
            try {
              store.create(`e${i}`, 'track', { position: { lat: step.lat, lon: 0, alt: 0 } });
            } catch {
              // exists
            }
          }
        }
        const target = new Y.Doc();
        const admission = new UpdateAdmission(target);
        expect(offer(admission, target, Y.encodeStateAsUpdate(mallory))).to.equal(undefined);
        const before = Y.encodeStateVector(target);
        const roots = [...target.share.keys()].sort();
        const updates = recordUpdates(mallory);
        store.destroy(); // a modified client: nothing tidies its document
        applyHostile(mallory, hostile);
        const refusals = updates.map((u) => offer(admission, target, u));
        expect(refusals.some((r) => r !== undefined), `refused: ${fc.stringify(hostile).slice(0, 200)}`).to.equal(true);
        expect(Y.encodeStateVector(target)).to.deep.equal(before);
        expect([...target.share.keys()].sort()).to.deep.equal(roots);
        // Offering the whole of the hostile document (a sync step 2) is refused too.
        expect(offer(admission, target, Y.encodeStateAsUpdate(mallory, before))).to.be.a('string');
        expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses bytes that are not an update with a ValidationError and nothing else', () => {
    const honest = new Y.Doc();
    new EntityStore(honest, { node: 'honest-1' }).create('e1', 'track', { position: { lat: 1, lon: 2, alt: 0 } });
    const update = Y.encodeStateAsUpdate(honest);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: update.length - 1 }).map((n) => update.slice(0, n)), fc.tuple(fc.nat(update.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
        const copy = update.slice();
        copy[i] = b;
        return copy;
      })), (bytes) => {
        const target = new Y.Doc();
        const admission = new UpdateAdmission(target);
        // Either refused, or (a flipped byte that still decodes) held to the same rules.
        const refusal = offer(admission, target, bytes);
        if (refusal === undefined) for (const name of target.share.keys()) expect([LOG_NAME, LEASES_MAP, PIPELINE_MAP]).to.include(name);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what follows a refused item, and bounds what waits for missing items', () => {
    const mallory = new Y.Doc();
    const updates = recordUpdates(mallory);
    const noise = mallory.getArray<number>('lattice.noise');
    for (let i = 0; i < 2000; i++) noise.push([i]);
    const target = new Y.Doc();
    const admission = new UpdateAdmission(target);
    const refused = updates.filter((u) => offer(admission, target, u) !== undefined).length;
    expect(refused).to.equal(updates.length);
    expect([...target.share.keys()]).to.deep.equal([]);
    // Items that wait for one that never comes (a gap in a client's clock) stay bounded.
    const gap = new Y.Doc();
    const store = new EntityStore(gap, { node: 'gap-1' });
    const gapUpdates = recordUpdates(gap);
    for (let i = 0; i < 1500; i++) store.create(`g${i}`, 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    for (const u of gapUpdates.slice(1)) offer(admission, target, u);
    const pending = (target.store as unknown as { pendingStructs: { update: Uint8Array } | null }).pendingStructs;
    expect(pending?.update.byteLength ?? 0).to.be.at.most(MAX_PENDING_BYTES + 64 * 1024);
    expect(admission.trimmedPending).to.be.greaterThan(0);
    // Once the missing first update comes, sync brings everything dropped.
    offer(admission, target, gapUpdates[0]!);
    offer(admission, target, Y.encodeStateAsUpdate(gap, Y.encodeStateVector(target)));
    expect(new EntityStore(target, { node: 'reader-1' }).size).to.equal(1500);
    store.destroy();
  });

  it('an unreadable entry that lands after what it follows is removed, and a joining node reads every entry after it', () => {
    // Mallory's garbage follows an honest batch that the target has not received yet: its place is
    // unknown on arrival, so only its kind is checked; it waits, then lands in the log.
    const honest = new Y.Doc();
    const honestStore = new EntityStore(honest, { node: 'honest-1' });
    const first = recordUpdates(honest);
    honestStore.create('e1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    const mallory = new Y.Doc();
    Y.applyUpdate(mallory, first[0]!);
    const malloryUpdates = recordUpdates(mallory);
    // A batch whose one write is not readable (an unknown write code): a batch in shape only.
    mallory.getArray(LOG_NAME).push([[encodeHlc({ wall: Date.now(), counter: 0, node: 'mallory-1' }), ['e1', 250, 'x']]]);
    const target = new Y.Doc();
    const admission = new UpdateAdmission(target);
    const targetStore = new EntityStore(target, { node: 'target-1' });
    expect(offer(admission, target, malloryUpdates[0]!)).to.match(/readable write/);
    // And a record that cannot be a batch, arriving before what it follows:
    const mallory2 = new Y.Doc();
    Y.applyUpdate(mallory2, first[0]!);
    const sneaky = recordUpdates(mallory2);
    mallory2.getArray(LOG_NAME).push([{ holder: 'x' } as never]);
    expect(offer(admission, target, sneaky[0]!)).to.equal(undefined); // could be a map's record: it waits
    expect(offer(admission, target, first[0]!)).to.equal(undefined);
    expect(target.getArray(LOG_NAME).toArray().every((entry) => Array.isArray(entry)), 'the unreadable entry was removed').to.equal(true);
    expect(targetStore.health().rejectedBatches).to.equal(1);
    honestStore.create('e2', 'track', { position: { lat: 2, lon: 2, alt: 0 } });
    offer(admission, target, Y.encodeStateAsUpdate(honest, Y.encodeStateVector(target)));
    // A node joining from the target gets everything readable, nothing else, and no refusal.
    const joiner = new Y.Doc();
    const joinerAdmission = new UpdateAdmission(joiner);
    expect(offer(joinerAdmission, joiner, Y.encodeStateAsUpdate(target))).to.equal(undefined);
    const joinerStore = new EntityStore(joiner, { node: 'joiner-1' });
    expect(joinerStore.size).to.equal(2);
    expect(joinerStore.health().rejectedBatches).to.equal(0);
    honestStore.destroy();
    targetStore.destroy();
    joinerStore.destroy();
  });
});

describe('the document layout', () => {
  it('names the maps and keys the pipeline writes', async () => {
    const { MESH_LAYOUT } = await import('../../src/crdt/index.js');
    const { RUN_MAP } = await import('../../src/workers/RunConfig.js');
    const { LEASES_MAP: leases } = await import('../../src/workers/Lease.js');
    const { PIPELINE_LEASE } = await import('../../src/workers/Pipeline.js');
    const keysOf = (name: string) => {
      const rule = MESH_LAYOUT.get(name);
      return rule?.kind === 'map' ? rule.keys : [];
    };
    expect(keysOf(leases)).to.include(PIPELINE_LEASE);
    expect(keysOf(RUN_MAP)).to.include('run');
  });
});

describe('content stored outside the layout', () => {
  it('is emptied, and collected: the stored document shrinks, and the picture is untouched', async () => {
    const { clearForeignRoots, MESH_LAYOUT } = await import('../../src/crdt/index.js');
    const doc = new Y.Doc();
    const store = new EntityStore(doc, { node: 'keeper-1' });
    store.create('e1', 'track', { position: { lat: 1, lon: 2, alt: 0 } });
    doc.getMap(LEASES_MAP).set('pipeline', { holder: 'keeper-1', expires: 'x' });
    const clean = Y.encodeStateAsUpdate(doc).byteLength;
    // As a version without admission could have stored it: a root nobody reads, a junk map.
    doc.transact(() => {
      for (let i = 0; i < 2000; i++) doc.getArray('lattice.noise').push([`${i}`.repeat(50)]);
      for (let i = 0; i < 200; i++) doc.getMap('lattice.junk').set(`k${i}`, { blob: 'x'.repeat(500) });
    });
    const polluted = Y.encodeStateAsUpdate(doc).byteLength;
    expect(polluted).to.be.above(clean * 20);
    const digest = store.digest();
    expect(clearForeignRoots(doc, MESH_LAYOUT)).to.be.above(0);
    const after = Y.encodeStateAsUpdate(doc).byteLength;
    // What remains is ids, and the keys of deleted map entries.
    expect(after, `${polluted} B → ${after} B (clean ${clean} B)`).to.be.below(polluted / 50);
    expect(store.digest()).to.equal(digest);
    expect(doc.getMap(LEASES_MAP).get('pipeline')).to.deep.equal({ holder: 'keeper-1', expires: 'x' });
    // Reloaded from what it stores, it has nothing more to clear.
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, Y.encodeStateAsUpdate(doc));
    expect(clearForeignRoots(reloaded, MESH_LAYOUT)).to.equal(0);
    store.destroy();
  });
});
