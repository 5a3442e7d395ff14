/**
 * Which tracks are a replaced run's (`runIds.ts`) and when a node removes them (`GhostSweeper`):
 * the rule reads only the id and what is left of the source, so a peer cannot turn it against
 * the current run's tracks or an operator's.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import { EntityStore, type Components } from '../../src/crdt/index.js';
import { GhostSweeper } from '../../src/workers/GhostSweeper.js';
import { eoTrackId, fusedIdPrefix, isGhost, isRunTrack, runTag, runTagOf } from '../../src/workers/runIds.js';

const START = 1_800_000_000_000;
const OLD = runTag('mywp0001-aaaaaaaa');
const CURRENT = runTag('mywp0002-bbbbbbbb');
const NEWER = runTag('mywp0003-cccccccc');
const at = { position: { lat: 52, lon: 4, alt: 1_000 }, velocity: { speed: 200, heading: 90 } };
const fused: Components = { ...at, source: { sensorId: 'fusion', sensorType: 'fused' } };

function replica(): { store: EntityStore; clock: { now: number } } {
  const clock = { now: START };
  return { store: new EntityStore(new Y.Doc(), { node: 'n0-pl', physicalNow: () => clock.now }), clock };
}

function sweep(sweeper: GhostSweeper, store: EntityStore): string[] {
  let removed: string[] = [];
  store.transact(() => {
    removed = sweeper.sweep(store.wallNow(), (id) => {
      store.delete(id);
      return true;
    });
  });
  return removed.sort();
}

describe('run ids', () => {
  it('name the run in every id a run writes, and read it back', () => {
    expect(OLD).to.match(/^[0-9a-f]{8}$/);
    expect(OLD).to.not.equal(CURRENT);
    expect(runTag('mywp0001-aaaaaaaa'), 'the same on every node').to.equal(OLD);
    expect(runTagOf(`${fusedIdPrefix(OLD)}0123456789ab`)).to.equal(OLD);
    expect(runTagOf(eoTrackId(OLD, 'eo-1.T1pz05ok'))).to.equal(OLD);
    for (const id of ['fus.0123456789ab', 'eo-1.T1pz05ok', 'scn.base-north', 't1', 'fus.ABCDEF12.x', `radar.${OLD}.1`]) expect(runTagOf(id), id).to.equal(undefined);
  });

  it('call a run\'s track a ghost only when its run is not the current one, whatever is left of it', () => {
    const { store } = replica();
    store.create(`${fusedIdPrefix(OLD)}a`, 'track', fused);
    store.create(`${fusedIdPrefix(OLD)}partial`, 'track', at); // what survives a delete on one side and updates on the other
    store.create(eoTrackId(OLD, 'eo-1.T1'), 'track', { ...at, source: { sensorId: 'eo-1', sensorType: 'eo' } });
    store.create(`${fusedIdPrefix(CURRENT)}b`, 'track', fused);
    store.create(`${fusedIdPrefix(OLD)}mine`, 'track', { ...at, source: { sensorId: 'alpha', sensorType: 'operator' } });
    store.create('t.own', 'track', at);
    store.create(`${fusedIdPrefix(OLD)}asset`, 'asset', at);
    const ghosts = store.list().filter((v) => isGhost(v, CURRENT)).map((v) => v.id).sort();
    expect(ghosts).to.deep.equal([eoTrackId(OLD, 'eo-1.T1'), `${fusedIdPrefix(OLD)}a`, `${fusedIdPrefix(OLD)}partial`].sort());
    expect(isRunTrack(store.get(`${fusedIdPrefix(CURRENT)}b`)!)).to.equal(true);
    // With no run, every run's track is one; an operator's never is.
    const none = store.list().filter((v) => isGhost(v, undefined)).map((v) => v.id);
    expect(none).to.include(`${fusedIdPrefix(CURRENT)}b`);
    expect(none).to.not.include('t.own');
    expect(none).to.not.include(`${fusedIdPrefix(OLD)}mine`);
  });
});

describe('GhostSweeper', () => {
  it('removes the tracks of a run this node saw replaced at once, and leaves the current run\'s and operators\'', () => {
    const { store } = replica();
    const sweeper = new GhostSweeper(store);
    sweeper.setCurrent(OLD);
    store.transact(() => {
      store.create(`${fusedIdPrefix(OLD)}a`, 'track', fused);
      store.create(`${fusedIdPrefix(OLD)}b`, 'track', at);
      store.create('t.own', 'track', { ...at, source: { sensorId: 'alpha', sensorType: 'operator' } });
    });
    expect(sweep(sweeper, store), 'nothing while its run is current').to.deep.equal([]);
    sweeper.setCurrent(CURRENT);
    store.create(`${fusedIdPrefix(CURRENT)}c`, 'track', fused);
    expect(sweep(sweeper, store)).to.deep.equal([`${fusedIdPrefix(OLD)}a`, `${fusedIdPrefix(OLD)}b`]);
    expect(store.ids('track').sort()).to.deep.equal([`${fusedIdPrefix(CURRENT)}c`, 't.own']);
  });

  it('waits until a track of a run it never saw is quiet: it may be a newer run not yet heard of', () => {
    const { store, clock } = replica();
    const sweeper = new GhostSweeper(store, { quietMs: 10_000 });
    sweeper.setCurrent(CURRENT);
    const id = `${fusedIdPrefix(NEWER)}a`;
    store.create(id, 'track', fused);
    sweeper.noteChanged(id);
    expect(sweep(sweeper, store)).to.deep.equal([]);
    expect(sweeper.waiting, 'looked at again').to.equal(1);
    // Still written: a run being computed somewhere.
    clock.now += 6_000;
    store.update(id, { position: { lat: 52.01, lon: 4, alt: 1_000 } });
    clock.now += 6_000;
    expect(sweep(sweeper, store)).to.deep.equal([]);
    // Heard of, and current: its tracks stay.
    sweeper.setCurrent(NEWER);
    expect(sweep(sweeper, store)).to.deep.equal([]);
    expect(store.has(id)).to.equal(true);
    // Replaced in turn by a run this node did not see, and left unwritten: it goes.
    sweeper.setCurrent(CURRENT);
    expect(sweep(sweeper, store), 'seen as current before: at once').to.deep.equal([id]);
  });

  it('counts only moves as signs of a run being computed, not tasking\'s writes to the track', () => {
    const { store, clock } = replica();
    const sweeper = new GhostSweeper(store, { quietMs: 10_000 });
    sweeper.setCurrent(CURRENT);
    const id = `${fusedIdPrefix(NEWER)}a`;
    store.create(id, 'track', fused);
    expect(sweep(sweeper, store)).to.deep.equal([]);
    clock.now += 9_000;
    // The computing node's tasking asks about any high track, a ghost too.
    store.update(id, { taskCatalog: ['identify', 'monitor', 'track'] });
    clock.now += 1_000;
    expect(sweep(sweeper, store)).to.deep.equal([id]);
  });

  it('removes a quiet track of an unknown run, and one that comes back written by a peer', () => {
    const { store, clock } = replica();
    const sweeper = new GhostSweeper(store, { quietMs: 10_000 });
    sweeper.setCurrent(CURRENT);
    const id = `${fusedIdPrefix(NEWER)}a`;
    store.create(id, 'track', fused);
    expect(sweep(sweeper, store)).to.deep.equal([]);
    clock.now += 10_000;
    expect(sweep(sweeper, store)).to.deep.equal([id]);
    expect(sweeper.waiting).to.equal(0);

    // A peer (or a side of a partition) writes it again later: it is looked at again and goes.
    clock.now += 1_000;
    const peer = new EntityStore(new Y.Doc(), { node: 'n1-pl', physicalNow: () => clock.now });
    peer.create(id, 'track', at);
    Y.applyUpdate(store.doc, Y.encodeStateAsUpdate(peer.doc));
    expect(store.has(id)).to.equal(true);
    sweeper.noteChanged(id);
    expect(sweep(sweeper, store)).to.deep.equal([]);
    clock.now += 10_000;
    expect(sweep(sweeper, store)).to.deep.equal([id]);
  });

  it('forgets what it noted while standing by, and looks at everything when it sweeps again', () => {
    const { store } = replica();
    const sweeper = new GhostSweeper(store, { quietMs: 10_000 });
    sweeper.setCurrent(OLD);
    sweeper.setCurrent(CURRENT);
    expect(sweep(sweeper, store)).to.deep.equal([]);
    const ghost = `${fusedIdPrefix(OLD)}a`;
    for (let i = 0; i < 100; i++) sweeper.noteChanged(`${fusedIdPrefix(CURRENT)}${i}`);
    store.create(ghost, 'track', fused); // arrives while another node computes; not noted here
    sweeper.standBy();
    expect(sweeper.waiting, 'nothing kept').to.equal(0);
    expect(sweep(sweeper, store), 'found by the full sweep').to.deep.equal([ghost]);
  });

  it('cannot be turned against the current run: a peer\'s writes to its tracks never make them ghosts', () => {
    const { store } = replica();
    const sweeper = new GhostSweeper(store, { quietMs: 0 });
    sweeper.setCurrent(OLD);
    sweeper.setCurrent(CURRENT);
    const live = `${fusedIdPrefix(CURRENT)}live`;
    store.create(live, 'track', fused);
    // Whatever a peer writes to it, its id still names the current run.
    store.update(live, { source: { sensorId: 'fusion', sensorType: 'eo' } });
    store.create('t.peer', 'track', at);
    sweeper.noteChanged(live);
    sweeper.noteChanged('t.peer');
    sweeper.requestFullSweep();
    expect(sweep(sweeper, store)).to.deep.equal([]);
    expect(store.has(live)).to.equal(true);
  });
});
