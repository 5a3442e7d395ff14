import { expect } from 'chai';
import * as Y from 'yjs';
import { EntityStore, type EntityEvent } from '../../src/crdt/index.js';

/** Two replicas connected by a synchronous, lossless link (unless paused). */
function pair(opts: { nowA?: () => number; nowB?: () => number; grace?: number; putBackAfterMs?: number } = {}) {
  const da = new Y.Doc();
  const db = new Y.Doc();
  let linked = true;
  const queue: Array<[Y.Doc, Uint8Array]> = [];
  da.on('update', (u: Uint8Array, o: unknown) => o !== 'net' && (linked ? Y.applyUpdate(db, u, 'net') : queue.push([db, u])));
  db.on('update', (u: Uint8Array, o: unknown) => o !== 'net' && (linked ? Y.applyUpdate(da, u, 'net') : queue.push([da, u])));
  const extra = opts.putBackAfterMs === undefined ? {} : { putBackAfterMs: opts.putBackAfterMs };
  const a = new EntityStore(da, { node: 'a', ...extra, ...(opts.nowA ? { physicalNow: opts.nowA } : {}), ...(opts.grace ? { tombstoneGraceMs: opts.grace } : {}) });
  const b = new EntityStore(db, { node: 'b', ...extra, ...(opts.nowB ? { physicalNow: opts.nowB } : {}), ...(opts.grace ? { tombstoneGraceMs: opts.grace } : {}) });
  return {
    a,
    b,
    cut: () => (linked = false),
    heal: () => {
      linked = true;
      for (const [doc, u] of queue.splice(0)) Y.applyUpdate(doc, u, 'net');
    },
  };
}

describe('EntityStore', () => {
  it('creates, reads, lists by type, updates only the given components and deletes', () => {
    const { a, b } = pair();
    a.create('t1', 'track', { position: { lat: 51.5, lon: -0.12, alt: 300 }, threat: { level: 'low' } });
    a.create('s1', 'asset', { position: { lat: 50, lon: 0, alt: 0 } });
    a.update('t1', { threat: { level: 'high' } });
    const t1 = b.get('t1')!;
    expect(t1.type).to.equal('track');
    expect(t1.components).to.deep.equal({ position: { lat: 51.5, lon: -0.12, alt: 300 }, threat: { level: 'high' } });
    expect(t1.stamps.threat!.node).to.equal('a');
    expect(b.list('asset').map((e) => e.id)).to.deep.equal(['s1']);
    expect(b.list().length).to.equal(2);
    a.delete('t1');
    expect(b.get('t1')).to.equal(undefined);
    expect(b.has('t1')).to.equal(false);
    expect(a.digest()).to.equal(b.digest());
  });

  it('keeps positions to better than 1 m and returns the same value locally and remotely', () => {
    const { a, b } = pair();
    a.create('t1', 'track', { position: { lat: 12.345678912, lon: -98.7654321, alt: 1234.4 } });
    const pa = a.get('t1')!.components.position!;
    expect(pa).to.deep.equal(b.get('t1')!.components.position);
    expect(Math.abs(pa.lat - 12.345678912) * 111_320).to.be.below(0.1);
    expect(Math.abs(pa.alt - 1234.4)).to.be.at.most(0.5);
  });

  it('watch reports created / updated / deleted with the changed components and local or remote origin', () => {
    const { a, b } = pair();
    const seenA: EntityEvent[] = [];
    const seenB: EntityEvent[] = [];
    const stop = a.watch((e) => seenA.push(...e));
    b.watch((e) => seenB.push(...e));
    a.create('t1', 'track', { threat: { level: 'low' } });
    a.update('t1', { velocity: { speed: 10, heading: 90 } });
    a.delete('t1');
    expect(seenA.map((e) => [e.kind, e.origin, e.components.join()])).to.deep.equal([
      ['created', 'local', 'threat'],
      ['updated', 'local', 'velocity'],
      ['deleted', 'local', ''],
    ]);
    expect(seenB.map((e) => [e.kind, e.origin])).to.deep.equal([
      ['created', 'remote'],
      ['updated', 'remote'],
      ['deleted', 'remote'],
    ]);
    stop();
    a.create('t2', 'track');
    expect(seenA.length).to.equal(3);
  });

  it('resolves concurrent writes to one component by HLC, not by arrival or client id', () => {
    let t = 1_750_000_000_000;
    // b's clock runs 300 ms ahead: its concurrent write is the later one and must win everywhere.
    const { a, b, cut, heal } = pair({ nowA: () => t, nowB: () => t + 300 });
    a.create('t1', 'track', { threat: { level: 'none' } });
    cut();
    b.update('t1', { threat: { level: 'high' } });
    t += 100;
    a.update('t1', { threat: { level: 'low' } });
    heal();
    expect(a.get('t1')!.components.threat!.level).to.equal('high');
    expect(b.get('t1')!.components.threat!.level).to.equal('high');
    expect(a.digest()).to.equal(b.digest());
  });

  it('a delete beats older concurrent writes and loses to newer ones', () => {
    let t = 1_750_000_000_000;
    const { a, b, cut, heal } = pair({ nowA: () => t, nowB: () => t });
    a.create('old', 'track', { threat: { level: 'low' } });
    a.create('new', 'track', { threat: { level: 'low' } });
    cut();
    b.update('old', { threat: { level: 'medium' } }); // earlier than the delete below
    t += 50;
    a.delete('old');
    a.delete('new');
    t += 50;
    b.update('new', { threat: { level: 'high' } }); // later than the delete: survives
    heal();
    for (const s of [a, b]) {
      expect(s.has('old')).to.equal(false);
      expect(s.get('new')!.components).to.deep.equal({ threat: { level: 'high' } });
    }
    expect(a.digest()).to.equal(b.digest());
  });

  it('merges task catalogs as an add-wins set', () => {
    const { a, b, cut, heal } = pair();
    a.create('t1', 'track', { taskCatalog: ['monitor', 'identify'] });
    cut();
    a.update('t1', { taskCatalog: ['monitor'] }); // removes identify as a saw it
    b.update('t1', { taskCatalog: ['monitor', 'identify', 'track'] }); // adds track concurrently
    b.update('t1', { taskCatalog: ['identify', 'track'] }); // removes monitor
    heal();
    // monitor: removed by b (observed add) → gone. identify: removed by a → gone (b did not re-add).
    expect(a.get('t1')!.components.taskCatalog).to.deep.equal(['track']);
    expect(b.get('t1')!.components.taskCatalog).to.deep.equal(['track']);
    cut();
    a.update('t1', { taskCatalog: [] });
    b.update('t1', { taskCatalog: ['track', 'intercept'] });
    heal();
    // a removed track; b concurrently added intercept: the unobserved add wins.
    expect(a.get('t1')!.components.taskCatalog).to.deep.equal(['intercept']);
    expect(a.digest()).to.equal(b.digest());
  });

  it('keeps the document small under sustained updates: superseded batches are deleted', () => {
    const doc = new Y.Doc();
    const s = new EntityStore(doc, { node: 'n' });
    s.transact(() => {
      for (let i = 0; i < 200; i++) s.create(`t${i}`, 'track', { position: { lat: 0, lon: 0, alt: 0 } });
    });
    const sizes: number[] = [];
    for (let tick = 0; tick < 300; tick++) {
      s.transact(() => {
        for (let i = 0; i < 200; i++) s.update(`t${i}`, { position: { lat: tick / 1000, lon: i / 1000, alt: 0 } });
      });
      if (tick === 10 || tick === 299) sizes.push(Y.encodeStateAsUpdate(doc).length);
    }
    expect(s.health().batches).to.equal(2); // the create batch and the latest tick
    expect(sizes[1]! - sizes[0]!).to.be.below(200);
    // A cold load of that document resolves the same picture.
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    expect(new EntityStore(copy, { node: 'm' }).digest()).to.equal(s.digest());
  });

  it('rewrites its own mostly-dead batches so stragglers do not pin old ticks', () => {
    const doc = new Y.Doc();
    const s = new EntityStore(doc, { node: 'n' });
    const ids = Array.from({ length: 20 }, (_, i) => `t${i}`);
    s.transact(() => ids.forEach((id) => s.create(id, 'track')));
    s.transact(() => ids.forEach((id) => s.update(id, { position: { lat: 1, lon: 1, alt: 0 } })));
    // From now on only 12 tracks are updated; 8 went silent and keep their tick-1 position.
    for (let k = 0; k < 3; k++) s.transact(() => ids.slice(0, 12).forEach((id) => s.update(id, { position: { lat: 2 + k, lon: 1, alt: 0 } })));
    expect(s.list().filter((e) => e.components.position!.lat === 1).length).to.equal(8);
    const log = doc.getArray('lattice.log').toArray() as unknown[][];
    // 20 creates + the 8 silent positions (rewritten out of the tick-1 batch) + 12 latest.
    expect(log.reduce((n, b) => n + b.length - 1, 0)).to.equal(40);
    expect(log.length).to.equal(3);
  });

  it('collects tombstones after the grace period without resurrecting anything', () => {
    let t = 1_750_000_000_000;
    const { a, b, cut, heal } = pair({ nowA: () => t, nowB: () => t, grace: 60_000 });
    a.create('gone', 'track', { threat: { level: 'low' } });
    cut();
    t += 10;
    b.update('gone', { threat: { level: 'medium' } }); // concurrent, older than the delete
    t += 10;
    a.delete('gone');
    t += 120_000;
    expect(a.compact().collectedTombstones).to.equal(1);
    heal();
    expect(a.has('gone')).to.equal(false);
    expect(b.has('gone')).to.equal(false);
    expect(a.digest()).to.equal(b.digest());
    const log = (a.doc.getArray('lattice.log').toArray() as unknown[][]).flatMap((x) => x.slice(1) as unknown[][]);
    expect(log.filter((w) => w[0] === 'gone' && (w[1] === 0 || w[1] === 1))).to.deep.equal([]);
  });

  it('a change from a node whose clock lies far ahead is held, not adopted, and applied once our clock reaches it', () => {
    let nowA = 1_750_000_000_000;
    const { a, b } = pair({ nowA: () => nowA, nowB: () => 1_750_000_000_000 + 60_000 });
    b.create('t1', 'track');
    expect(a.health().clockSkews).to.equal(1);
    expect(a.health().held.count).to.equal(1);
    expect(a.health().held.nodes).to.deep.equal(['b']);
    expect(a.health().recentProblems.at(-1)).to.match(/Node b: a change stamped 60 s ahead of this node's clock is held until then/);
    expect(a.now().wall).to.be.below(1_750_000_000_000 + 1_000);
    expect(a.has('t1')).to.equal(false);
    // An honest write to the same entity in the meantime is not outvoted by the fast clock.
    nowA += 59_000;
    expect(a.releaseHeld()).to.equal(0);
    nowA += 1_000;
    expect(a.releaseHeld()).to.equal(1);
    expect(a.has('t1')).to.equal(true);
    expect(a.health().held.count).to.equal(0);
    expect(a.digest()).to.equal(b.digest());
  });
});

describe('the shared document is the wire, not the truth', () => {
  it('a peer removing batches that still hold live writes does not take effect: they are put back, and a node joining later gets the whole picture', async () => {
    const { a, b } = pair({ putBackAfterMs: 30 });
    a.transact(() => {
      for (let i = 0; i < 20; i++) a.create(`t${i}`, 'track', { position: { lat: i, lon: 1, alt: 0 } });
    });
    b.update('t3', { position: { lat: 33, lon: 3, alt: 0 } });
    const digest = a.digest();
    expect(b.digest()).to.equal(digest);
    // A modified page on B's side empties the log, as any Yjs client may.
    const log = b.doc.getArray('lattice.log');
    b.doc.transact(() => log.delete(0, log.length), 'hostile');
    // The honest stores put back what no write justified removing, so the picture survives.
    await new Promise((r) => setTimeout(r, 80));
    expect(a.digest()).to.equal(digest);
    expect(b.digest()).to.equal(digest);
    expect(a.health().restoredBatches + b.health().restoredBatches).to.be.above(0);
    expect(a.health().recentProblems.concat(b.health().recentProblems).some((p) => /put back/.test(p))).to.equal(true);
    // A node joining now receives everything.
    const late = new EntityStore(new Y.Doc(), { node: 'late' });
    Y.applyUpdate(late.doc, Y.encodeStateAsUpdate(a.doc));
    expect(late.digest()).to.equal(digest);
    expect(late.get('t3')!.components.position).to.deep.equal({ lat: 33, lon: 3, alt: 0 });
  });

  it('removals the merge rules justify are not put back: dead batches, and collected tombstones', async () => {
    let now = 1_750_000_000_000;
    const { a, b } = pair({ nowA: () => now, nowB: () => now, grace: 1000, putBackAfterMs: 30 });
    a.create('x', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    a.update('x', { position: { lat: 2, lon: 2, alt: 0 } });
    a.delete('x');
    now += 5000;
    a.compact();
    await new Promise((r) => setTimeout(r, 80));
    expect(b.health().restoredBatches).to.equal(0);
    expect(a.health().restoredBatches).to.equal(0);
    expect(b.health().batches).to.equal(a.health().batches);
  });

  it('a removal whose justifying write is still on its way is not put back once that write arrives', async () => {
    const [da, db, dc] = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
    const a = new EntityStore(da, { node: 'a' });
    const b = new EntityStore(db, { node: 'b', putBackAfterMs: 50 });
    a.create('y', 'track');
    Y.applyUpdate(dc, Y.encodeStateAsUpdate(da));
    const c = new EntityStore(dc, { node: 'c' });
    // A writes while C is cut off; C writes later without having seen it.
    a.update('y', { position: { lat: 1, lon: 1, alt: 0 } });
    Y.applyUpdate(db, Y.encodeStateAsUpdate(da));
    const before = Y.encodeStateVector(dc);
    c.update('y', { position: { lat: 9, lon: 9, alt: 0 } });
    const updates: Uint8Array[] = [];
    da.on('update', (u: Uint8Array) => updates.push(u));
    // C's newer write reaches A; A's compaction then drops A's now dead batch.
    Y.applyUpdate(da, Y.encodeStateAsUpdate(dc, before));
    a.compact();
    expect(updates).to.have.length(2);
    // B hears of the removal first (it looks unjustified), of the newer write 10 ms later.
    Y.applyUpdate(db, updates[1]!);
    await new Promise((r) => setTimeout(r, 10));
    Y.applyUpdate(db, updates[0]!);
    await new Promise((r) => setTimeout(r, 100));
    expect(b.get('y')!.components.position).to.deep.equal({ lat: 9, lon: 9, alt: 0 });
    expect(b.health().restoredBatches).to.equal(0);
    expect(b.digest()).to.equal(a.digest());
  });
});
