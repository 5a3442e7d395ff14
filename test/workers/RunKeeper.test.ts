/**
 * The run keeper: a run a peer removed outright is put back after a grace; a run that does not
 * count (signed under a revoked key) is replaced at once by the newest that still counts, also
 * when the revocation arrives after the run did.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import { RunKeeper } from '../../src/workers/RunKeeper.js';

const runs = (doc: Y.Doc) => doc.getMap<unknown>('lattice.pipeline');
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('RunKeeper', () => {
  it('puts back a run removed outright after its grace, unless a value arrives meanwhile', async () => {
    const doc = new Y.Doc();
    const messages: string[] = [];
    const keeper = new RunKeeper(doc, { putBackAfterMs: 20, onPutBack: (m) => messages.push(m) });
    runs(doc).set('run', { runId: 'a' });
    runs(doc).delete('run');
    expect(keeper.pending).to.equal(true);
    await new Promise((r) => setTimeout(r, 60));
    expect(runs(doc).get('run')).to.deep.equal({ runId: 'a' });
    expect(messages[0]).to.contain('put back');
    runs(doc).delete('run');
    runs(doc).set('run', { runId: 'b' });
    await new Promise((r) => setTimeout(r, 60));
    expect(runs(doc).get('run')).to.deep.equal({ runId: 'b' });
    expect(keeper.restored).to.equal(1);
    keeper.destroy();
  });

  it('replaces a run that does not count with the newest that does, also once a later revocation undoes one', async () => {
    const doc = new Y.Doc();
    const revoked = new Set<string>(['mallory']);
    const messages: string[] = [];
    const keeper = new RunKeeper(doc, { counts: (v) => !revoked.has((v as { by: string }).by), onPutBack: (m) => messages.push(m) });
    runs(doc).set('run', { runId: 'honest', by: 'alice' });
    runs(doc).set('run', { runId: 'forged', by: 'mallory' });
    await tick();
    expect(runs(doc).get('run')).to.deep.equal({ runId: 'honest', by: 'alice' });
    expect(messages[0]).to.contain('revoked key');
    // Bob's run counted when it came; then Bob is revoked (at a stamp before it).
    runs(doc).set('run', { runId: 'bobs', by: 'bob' });
    await tick();
    expect(runs(doc).get('run')).to.deep.equal({ runId: 'bobs', by: 'bob' });
    revoked.add('bob');
    keeper.recheck();
    await tick();
    expect(runs(doc).get('run')).to.deep.equal({ runId: 'honest', by: 'alice' });
    expect(keeper.restored).to.equal(2);
    keeper.destroy();
  });
});
