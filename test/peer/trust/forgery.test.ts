/**
 * Forged batches on memory links (issue 14 §3): a modified page (Mallory) puts onto its links
 * decisions in operator A's name, a batch of A's with a value changed on the way, a batch A
 * signed for another room, and an unsigned one. Every honest node refuses each, names Mallory,
 * stores none of it, and A can still decide.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { CODE_CREATE, CODE_JOURNAL, LOG_NAME, encodeHlc, encodeJournalEntry, type RawBatch } from '../../../src/crdt/index.js';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../../src/peer/memoryTransport.js';
import { issueCertificate } from '../../../src/peer/trust/certificate.js';
import { sealBatch } from '../../../src/peer/trust/batchSeal.js';
import { generateSigningKey } from '../../../src/peer/trust/signingKey.js';
import { waitUntil } from '../check.js';

const ROOM = 'forgery';

/** A sync message carrying a Yjs update that puts `raws` into the log, from a client of its own. */
function logUpdate(raws: readonly unknown[]): Uint8Array {
  const doc = new Y.Doc();
  doc.getArray(LOG_NAME).push([...raws]);
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(doc));
  return encoding.toUint8Array(encoder);
}

describe('forged batches', () => {
  it("decisions in another operator's name, tampered and replayed batches are refused on every node, and the operator can still decide", async function () {
    this.timeout(30_000);
    const network = new MemoryNetwork();
    const open = (name: string, role: 'operator' | 'viewer' = 'operator') => MeshNode.create({ identity: { nodeId: `forge-${name}`, name, role }, room: ROOM, transport: memoryTransport(network), persist: false });
    const [a, b, mallory] = await Promise.all([open('A'), open('B'), open('Mallory')]);
    const nodes = [a, b, mallory];
    try {
      await waitUntil(() => nodes.every((n) => n.links().length === 2), 'all linked', 5000);
      b.store.create('t', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      const requestId = b.approvals.request('t', ['intercept'], { timeoutMs: 60_000 });
      await waitUntil(() => nodes.every((n) => n.approvals.outcome('t')?.state === 'pending'), 'every node sees the request', 5000);

      // Mallory's own operator key certifies Mallory's node key under A's node id.
      const op = await generateSigningKey();
      const key = await generateSigningKey();
      const asA = { key, certificate: await issueCertificate(op, key.publicKey, a.identity.nodeId, Date.now()) };
      const decision = (wall: number, verdict: 'approve' | 'deny'): RawBatch =>
        [encodeHlc({ wall, counter: 0, node: a.identity.nodeId }), ['t', CODE_JOURNAL, ...encodeJournalEntry({ kind: 'decision', requestId, verdict, operator: 'A', key: a.credentials.operatorFingerprint }, wall)]] as RawBatch;
      const forged: Array<[string, RawBatch]> = [];
      // 1. A deny in A's name, naming A's key: the deny that would win, and lock A out.
      forged.push(['a deny in A\u2019s name', await sealBatch(decision(Date.now(), 'deny'), ROOM, asA)]);
      // 2. A decision planted before the request (it would not count, but would say A decided).
      forged.push(['a planted decision', await sealBatch(decision(Date.now() - 600_000, 'approve'), ROOM, asA)]);
      // 3. A's own batch (the one that created t is B's: take one of A's) with a value changed.
      a.store.create('a1', 'track', { position: { lat: 5, lon: 5, alt: 0 } });
      await waitUntil(() => mallory.uplink.store.has('a1'), 'Mallory has a1', 5000);
      const genuine = mallory.uplink.doc
        .getArray<RawBatch>(LOG_NAME)
        .toArray()
        .find((raw) => JSON.stringify(raw).includes('"a1"'))!;
      const tampered = structuredClone(genuine);
      const write = tampered.find((w) => Array.isArray(w) && w[0] === 'a1' && w.length > 3) as unknown[];
      write[2] = (write[2] as number) + 1;
      forged.push(['a tampered relay', tampered]);
      // 4. A batch A really signed, for another room.
      forged.push(['a replay from another room', await sealBatch([encodeHlc({ wall: Date.now(), counter: 0, node: a.identity.nodeId }), ['a2', CODE_CREATE, 0]] as RawBatch, 'another-room', a.credentials)]);
      // 5. No seal at all.
      forged.push(['an unsigned batch', [encodeHlc({ wall: Date.now(), counter: 0, node: mallory.identity.nodeId }), ['m1', CODE_CREATE, 0]] as RawBatch]);

      const before = (n: MeshNode) => n.status().rejectedByPeer?.Mallory ?? 0;
      const baseline = [a, b].map(before);
      for (const [, raw] of forged) mallory.transport.injectRaw(logUpdate([raw]));
      await waitUntil(() => [a, b].every((n, i) => before(n) - baseline[i]! >= forged.length), 'A and B refuse all five, naming Mallory', 5000, () => JSON.stringify([a, b].map((n) => n.status().rejectedByPeer)));
      for (const n of [a, b]) {
        expect(n.approvals.outcome('t')?.state, `${n.identity.name}: nothing decided`).to.equal('pending');
        expect(n.approvals.outcome('t')?.decisions.length).to.equal(0);
        expect(n.store.get('a1')?.components.position?.lat, `${n.identity.name} keeps A's value`).to.equal(5);
        expect(n.store.has('a2') || n.store.has('m1')).to.equal(false);
        expect(n.seals.refused).to.be.at.least(forged.length);
      }
      // A is not locked out: A decides, and every node sees A's decision under A's key.
      a.approvals.decide('t', 'approve');
      await waitUntil(() => nodes.every((n) => n.approvals.outcome('t')?.state === 'approved'), 'every node sees A approve', 5000);
      const decided = b.approvals.outcome('t')!.decisions;
      expect(decided.map((d) => [d.operator, d.key])).to.deep.equal([['A', a.credentials.operatorFingerprint]]);
    } finally {
      await Promise.all(nodes.map((n) => n.destroy()));
    }
  });

  it('a key that signs two different writes to one place under one stamp leaves evidence every node keeps and shows; all resolve alike', async function () {
    this.timeout(20_000);
    const network = new MemoryNetwork();
    const open = (name: string) => MeshNode.create({ identity: { nodeId: `equiv-${name}`, name, role: 'operator' }, room: ROOM, transport: memoryTransport(network), persist: false });
    const [a, b, mallory] = await Promise.all([open('A'), open('B'), open('Mallory')]);
    const nodes = [a, b, mallory];
    try {
      await waitUntil(() => nodes.every((n) => n.links().length === 2), 'all linked', 5000);
      mallory.store.create('m1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      await waitUntil(() => [a, b].every((n) => n.store.has('m1')), 'm1 everywhere', 5000);
      // Mallory's modified page signs, with its own key, two batches under one stamp.
      const stamp = encodeHlc({ wall: Date.now(), counter: 7, node: mallory.identity.nodeId });
      const position = (lat: number): RawBatch => [stamp, ['m1', 2, lat * 1e6, 1e6, 0]];
      const one = await sealBatch(position(10), ROOM, mallory.credentials);
      const two = await sealBatch(position(20), ROOM, mallory.credentials);
      mallory.transport.injectRaw(logUpdate([one]));
      mallory.transport.injectRaw(logUpdate([two]));
      for (const n of [a, b]) {
        await waitUntil(() => n.evidence().length === 1, `${n.identity.name} keeps the evidence`, 5000);
        const [evidence] = n.evidence();
        expect(evidence!.kind).to.equal('equivocation');
        expect(evidence!.nodeId).to.equal(mallory.identity.nodeId);
        expect(evidence!.keys).to.deep.equal([mallory.credentials.fingerprint, mallory.credentials.fingerprint]);
        expect(evidence!.entity).to.equal('m1');
        expect(n.status().problem).to.match(/signed two different writes to m1 under one stamp/);
      }
      await waitUntil(() => a.store.get('m1')?.components.position?.lat === b.store.get('m1')?.components.position?.lat && a.uplink.store.digest() === b.uplink.store.digest(), 'A and B resolve alike', 5000);
    } finally {
      await Promise.all(nodes.map((n) => n.destroy()));
    }
  });
});
