/**
 * The log's upkeep, through the store: a node's document stays the size of its live picture,
 * its own mostly-dead batches are rewritten under the same stamp (unless it must only add), and
 * a peer's are never rewritten.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import { EntityStore, LOG_NAME } from '../../src/crdt/index.js';
import type { RawBatch } from '../../src/crdt/batch.js';

const log = (store: EntityStore) => store.doc.getArray<RawBatch>(LOG_NAME).toArray();

function tenTracks(store: EntityStore): string {
  store.transact(() => {
    for (let i = 0; i < 10; i++) store.create(`t${i}`, 'track', { position: { lat: 1, lon: i, alt: 0 }, threat: { level: 'low' } });
  });
  return log(store)[0]![0];
}

const updateAll = (store: EntityStore, k: number) =>
  store.transact(() => {
    for (let i = 0; i < 10; i++) store.update(`t${i}`, { position: { lat: 2 + k, lon: i, alt: 0 }, threat: { level: 'high' } });
  });

describe('LogCompactor', () => {
  it('deletes batches that no longer hold a live write, in the transaction that made them dead', () => {
    const store = new EntityStore(new Y.Doc(), { node: 'a' });
    store.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    for (let k = 0; k < 50; k++) store.update('t1', { position: { lat: 1, lon: 1 + k / 100, alt: 0 } });
    expect(log(store)).to.have.length(2, 'the create, and the latest position');
    expect(store.get('t1')!.components.position!.lon).to.equal(1.49);
  });

  it("rewrites this node's mostly-dead batch with its live writes under the same stamp", () => {
    const store = new EntityStore(new Y.Doc(), { node: 'a' });
    const stamp = tenTracks(store);
    const digest = store.digest();
    updateAll(store, 0);
    const first = log(store).find((b) => b[0] === stamp)!;
    expect(first, 'the batch keeps its stamp').to.not.equal(undefined);
    expect(first.slice(1).map((w) => w[1]), 'only the creates are left').to.deep.equal(new Array(10).fill(0));
    expect(store.digest()).to.not.equal(digest);
    const replica = new EntityStore(new Y.Doc(), { node: 'r' });
    replica.importBatches(log(store));
    expect(replica.digest(), 'a replica rebuilt from the rewritten log resolves the same').to.equal(store.digest());
  });

  it('leaves batches alone on a replica that must only add, and never rewrites a peer\'s', () => {
    const onlyAdds = new EntityStore(new Y.Doc(), { node: 'a', rewriteOwn: false });
    const stamp = tenTracks(onlyAdds);
    updateAll(onlyAdds, 0);
    expect(log(onlyAdds).find((b) => b[0] === stamp)).to.have.length(31);
    const writer = new EntityStore(new Y.Doc(), { node: 'w' });
    const peerStamp = tenTracks(writer);
    const keeper = new EntityStore(new Y.Doc(), { node: 'k' });
    keeper.importBatches(log(writer));
    updateAll(writer, 1);
    keeper.importBatches(log(writer));
    expect(keeper.compact().rewrittenBatches).to.equal(0);
    expect(log(keeper).find((b) => b[0] === peerStamp)).to.have.length(31);
  });
});
