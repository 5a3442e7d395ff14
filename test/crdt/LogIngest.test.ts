/**
 * What enters the log from elsewhere, through the store: the one decode-and-report path read
 * two ways (a peer's document, where unreadable entries are deleted; an import, where they are
 * only ignored and counted when asked), batches that do not count yet, and batches held until
 * their time.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import { EntityStore, LOG_NAME, encodeHlc } from '../../src/crdt/index.js';
import type { RawBatch } from '../../src/crdt/batch.js';

const NOW = 1_800_000_000_000;
const stamp = (node: string, ms = 0) => encodeHlc({ wall: NOW + ms, counter: 0, node });

describe('LogIngest', () => {
  it("deletes a peer's unreadable log entries, keeps the readable writes of a batch, and counts both", () => {
    const doc = new Y.Doc();
    const store = new EntityStore(doc, { node: 'me', physicalNow: () => NOW });
    const peer = new Y.Doc();
    peer.getArray(LOG_NAME).push([[stamp('p', 1), ['t1', 0, 0], ['t1', 99, 1]], 'not a batch', [stamp('p', 2), ['t2', 77]]]);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(peer));
    expect(store.has('t1')).to.equal(true);
    const health = store.health();
    expect([health.rejectedBatches, health.rejectedWrites]).to.deep.equal([2, 1]);
    expect(health.recentProblems.join('\n')).to.match(/Removed a log entry from a peer: /).and.to.match(/Removed a log entry from a peer without one readable write/).and.to.match(/Ignored a write from a peer: /);
    expect(doc.getArray(LOG_NAME).length, 'only the readable batch stays in the log').to.equal(1);
  });

  it('ignores unreadable imports without deleting anything, counting them only when asked to report', () => {
    const store = new EntityStore(new Y.Doc(), { node: 'me', physicalNow: () => NOW });
    const good: RawBatch = [stamp('p', 1), ['t1', 0, 0]];
    expect(store.importBatches(['not a batch', good], false)).to.equal(1);
    expect(store.health().rejectedBatches, 'not counted: the caller reported it').to.equal(0);
    expect(store.importBatches(['not a batch', good])).to.equal(0);
    expect(store.health().rejectedBatches).to.equal(1);
    expect(store.health().recentProblems.at(-1)).to.match(/^Ignored a log entry: /);
    expect(store.batches()).to.have.length(1);
  });

  it('keeps a batch that does not count in the log, out of the picture, until a recount finds it counts', () => {
    let trusted = false;
    const doc = new Y.Doc();
    const store = new EntityStore(doc, { node: 'me', physicalNow: () => NOW, counts: (b) => trusted || b.hlc.node === 'me' });
    expect(store.importBatches([[stamp('p', 1), ['t1', 0, 0]]])).to.equal(0);
    expect([store.has('t1'), store.uncountedBatches, doc.getArray(LOG_NAME).length]).to.deep.equal([false, 1, 1]);
    trusted = true;
    expect(store.recount()).to.equal(1);
    expect([store.has('t1'), store.uncountedBatches]).to.deep.equal([true, 0]);
  });

  it('holds a batch stamped too far ahead, stored but unapplied, until the clock reaches it', () => {
    let now = NOW;
    const store = new EntityStore(new Y.Doc(), { node: 'me', physicalNow: () => now });
    const ahead: RawBatch = [stamp('fast', 60_000), ['t1', 0, 0]];
    expect(store.importBatches([ahead])).to.equal(0);
    expect(store.has('t1')).to.equal(false);
    expect(store.health().held.count).to.equal(1);
    expect(store.importBatches([ahead]), 'a held batch is not taken twice').to.equal(0);
    now += 61_000;
    expect(store.releaseHeld()).to.equal(1);
    expect(store.has('t1')).to.equal(true);
    store.destroy();
  });
});
