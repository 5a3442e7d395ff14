/** Every validation error: a typed error with a readable message, and the document unchanged. */
import { expect } from 'chai';
import * as Y from 'yjs';
import { EntityExistsError, EntityNotFoundError, EntityStore, StateError, ValidationError } from '../../src/crdt/index.js';

function fresh() {
  const doc = new Y.Doc();
  const store = new EntityStore(doc, { node: 'n1' });
  store.create('t1', 'track', { position: { lat: 1, lon: 2, alt: 3 } });
  return { doc, store, before: Y.encodeStateAsUpdate(doc), digest: store.digest() };
}

function expectUnchanged(ctx: ReturnType<typeof fresh>, fn: () => void, error: new (...a: never[]) => Error, message: RegExp): void {
  expect(fn).to.throw(error, message);
  expect(Y.encodeStateAsUpdate(ctx.doc)).to.deep.equal(ctx.before);
  expect(ctx.store.digest()).to.equal(ctx.digest);
}

describe('EntityStore validation', () => {
  const cases: Array<[string, (s: EntityStore) => void, RegExp]> = [
    ['unknown entity type', (s) => s.create('x', 'ship' as never), /entity type must be one of track, asset, geo/],
    ['unknown component', (s) => s.update('t1', { colour: 'red' } as never), /"colour" is not a component/],
    ['NaN latitude', (s) => s.update('t1', { position: { lat: NaN, lon: 0, alt: 0 } }), /position.lat must be a finite number/],
    ['latitude beyond ±90', (s) => s.update('t1', { position: { lat: 90.5, lon: 0, alt: 0 } }), /position.lat must be between -90 and 90/],
    ['longitude beyond ±180', (s) => s.update('t1', { position: { lat: 0, lon: -181, alt: 0 } }), /position.lon must be between/],
    ['infinite altitude', (s) => s.update('t1', { position: { lat: 0, lon: 0, alt: Infinity } }), /position.alt must be a finite number/],
    ['extra position field', (s) => s.update('t1', { position: { lat: 0, lon: 0, alt: 0, x: 1 } as never }), /position has no field "x"/],
    ['position not an object', (s) => s.update('t1', { position: 'here' as never }), /position must be an object/],
    ['negative speed', (s) => s.update('t1', { velocity: { speed: -1, heading: 0 } }), /velocity.speed must be between/],
    ['confidence above 1', (s) => s.update('t1', { classification: { label: 'jet', confidence: 1.2 } }), /confidence must be between 0 and 1/],
    ['confidence below 0', (s) => s.update('t1', { classification: { label: 'jet', confidence: -0.1 } }), /confidence must be between 0 and 1/],
    ['oversized label', (s) => s.update('t1', { classification: { label: 'x'.repeat(65), confidence: 1 } }), /must be 1–64 characters/],
    ['empty label', (s) => s.update('t1', { classification: { label: '', confidence: 1 } }), /must be 1–64 characters/],
    ['unknown threat level', (s) => s.update('t1', { threat: { level: 'severe' as never } }), /threat.level must be one of none, low, medium, high/],
    ['unknown affiliation', (s) => s.update('t1', { affiliation: { value: 'ally' as never } }), /affiliation.value must be one of/],
    ['unknown sensor type', (s) => s.update('t1', { source: { sensorId: 's1', sensorType: 'sonar' as never } }), /sensorType must be one of/],
    ['bad sensor id', (s) => s.update('t1', { source: { sensorId: 'a b', sensorType: 'eo' } }), /characters that are not allowed/],
    ['fusion without sources', (s) => s.update('t1', { fusion: { sourceIds: [], confidence: 0.5, errorMajorM: 1, errorMinorM: 1, errorOrientationDeg: 0 } }), /at least one source/],
    ['too many fusion sources', (s) => s.update('t1', { fusion: { sourceIds: Array.from({ length: 33 }, (_, i) => `s${i}`), confidence: 0.5, errorMajorM: 1, errorMinorM: 1, errorOrientationDeg: 0 } }), /at most 32 strings/],
    ['approval deadline before request', (s) => s.update('t1', { approval: { requestId: 'r1', requestedAt: 1000, deadline: 999, tasks: ['intercept'], requestedBy: 'n1' } }), /deadline must be after/],
    ['bad task name', (s) => s.update('t1', { taskCatalog: ['Intercept!'] }), /characters that are not allowed/],
    ['task catalog not a list', (s) => s.update('t1', { taskCatalog: 'monitor' as never }), /taskCatalog must be an array/],
    ['components not an object', (s) => s.update('t1', null as never), /components must be an object/],
  ];
  for (const [name, fn, message] of cases) {
    it(`rejects ${name}`, () => {
      const ctx = fresh();
      expectUnchanged(ctx, () => fn(ctx.store), ValidationError, message);
    });
  }

  it('rejects bad ids: empty, too long, spaces, non-strings', () => {
    const ctx = fresh();
    for (const id of ['', 'x'.repeat(65), 'a b', 'a/b', 42, undefined]) {
      expectUnchanged(ctx, () => ctx.store.create(id as never, 'track'), ValidationError, /Entity id .* is not valid/);
      expectUnchanged(ctx, () => ctx.store.update(id as never, {}), ValidationError, /Entity id/);
      expectUnchanged(ctx, () => ctx.store.delete(id as never), ValidationError, /Entity id/);
    }
  });

  it('refuses to create an existing entity and to update or delete a missing one', () => {
    const ctx = fresh();
    expectUnchanged(ctx, () => ctx.store.create('t1', 'track'), EntityExistsError, /already exists/);
    expectUnchanged(ctx, () => ctx.store.update('nope', { threat: { level: 'low' } }), EntityNotFoundError, /no entity with id "nope"/);
    expectUnchanged(ctx, () => ctx.store.delete('nope'), EntityNotFoundError, /no entity/);
  });

  it('keeps nothing of a batch in which one write fails', () => {
    const ctx = fresh();
    expectUnchanged(
      ctx,
      () =>
        ctx.store.transact(() => {
          ctx.store.create('t2', 'track', { position: { lat: 5, lon: 5, alt: 0 } });
          ctx.store.update('t1', { threat: { level: 'high' } });
          ctx.store.update('t1', { position: { lat: 100, lon: 0, alt: 0 } });
        }),
      ValidationError,
      /position.lat/,
    );
    expect(ctx.store.has('t2')).to.equal(false);
  });

  it('does not let a peer write an invalid component: skipped, counted and reported, the rest applied', () => {
    const a = new Y.Doc();
    const store = new EntityStore(a, { node: 'n1' });
    store.create('t1', 'track', { threat: { level: 'low' } });
    const reports: string[][] = [];
    store.on('rejected', (r) => reports.push([...r]));
    // A hostile or buggy peer edits the shared log directly.
    const peer = new Y.Doc();
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(a));
    const stamp = `${(Date.now() + 100).toString(36).padStart(9, '0')}0000evil`;
    peer.getArray('lattice.log').push([
      [stamp, ['t1', 2, 95_000_000, 0, 0], ['t1', 5, 3], ['t1', 99, 1], ['no such id!', 5, 1]],
      'not a batch',
      [42],
    ]);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(peer, Y.encodeStateVector(a)));
    expect(store.get('t1')!.components.threat).to.deep.equal({ level: 'high' });
    expect(store.get('t1')!.components.position).to.equal(undefined);
    const health = store.health();
    expect(health.rejectedWrites).to.equal(3);
    expect(health.rejectedBatches).to.equal(2);
    expect(health.recentProblems.join('\n')).to.match(/position.lat on the wire/).and.to.match(/unknown component code 99/).and.to.match(/not a batch/);
    expect(reports.length).to.be.greaterThan(0);
  });
});

describe('inputs that name prototype members, and creates a newer delete would hide', () => {
  it('component names like __proto__, toString or constructor are a ValidationError, not a TypeError', () => {
    const store = new EntityStore(new Y.Doc(), { node: 'proto' });
    for (const name of ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
      const components = JSON.parse(`{"${name}": {"lat": 1}}`) as Record<string, unknown>;
      expect(() => store.create(`p-${name.length}`, 'track', components as never), name).to.throw(ValidationError, /is not a component/);
    }
    expect(store.ids()).to.deep.equal([]);
  });

  it('creating an entity that a delete stamped ahead of our clock hides is an error that says so', () => {
    let now = 1_750_000_000_000;
    const fast = new EntityStore(new Y.Doc(), { node: 'fast', physicalNow: () => now + 3_600_000 });
    const honest = new EntityStore(new Y.Doc(), { node: 'honest', physicalNow: () => now });
    fast.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    fast.delete('t1');
    honest.importBatches(fast.batches().map((b) => b.raw));
    expect(honest.has('t1')).to.equal(false);
    expect(() => honest.create('t1', 'track', { position: { lat: 2, lon: 2, alt: 0 } })).to.throw(StateError, /cannot be created yet: node fast deleted it with a stamp 3600 s ahead/);
    expect(honest.has('t1')).to.equal(false);
    // Once the clock has passed the delete, the id is free again.
    now += 3_700_000;
    honest.create('t1', 'track', { position: { lat: 3, lon: 3, alt: 0 } });
    expect(honest.get('t1')!.components.position).to.deep.equal({ lat: 3, lon: 3, alt: 0 });
  });
});
