/**
 * Signed batches (issue 14 §3): a node's batch, sealed, is admitted by every replica; a change
 * to any byte of it, a seal for another room, a stamp in another node's name, a decision naming
 * another operator's key, or no seal at all is refused; and replicas receiving the same mix of
 * valid and invalid batches in any order admit exactly the same set.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as Y from 'yjs';
import { ApprovalDesk, EntityStore, UpdateAdmission, batchProblem, decodeBatch, pipelineNodeId, withSeal, type RawBatch } from '../../../src/crdt/index.js';
import { BatchSealer, SealVerifier, parseSeal, sealBatch } from '../../../src/peer/trust/batchSeal.js';
import { ephemeralCredentials, type NodeCredentials } from '../../../src/peer/trust/credentials.js';
import { issueCertificate } from '../../../src/peer/trust/certificate.js';
import { generateSigningKey } from '../../../src/peer/trust/signingKey.js';

const ROOM = 'seal-room';

/** Batches `node` writes: a few creates and updates, one batch each. */
function writeBatches(node: string, count: number): RawBatch[] {
  const store = new EntityStore(new Y.Doc(), { node });
  for (let i = 0; i < count; i++) store.create(`${node}-e${i}`, 'track', { position: { lat: i, lon: 2 * i, alt: 100 }, affiliation: { value: 'hostile' } });
  return store.batches().map((b) => b.raw);
}

const refusal = (verifier: SealVerifier, raw: unknown): string | undefined => batchProblem(raw, verifier.check);

describe('signed batches', () => {
  let alice: NodeCredentials;
  let bob: NodeCredentials;
  before(async () => {
    alice = await ephemeralCredentials('alice');
    bob = await ephemeralCredentials('bob');
  });

  it('a sealed batch is admitted; the same batch unsealed, or sealed for another room, is not', async () => {
    const [raw] = writeBatches('alice', 1);
    const sealed = await sealBatch(raw!, ROOM, alice);
    const verifier = new SealVerifier(ROOM);
    expect(refusal(verifier, sealed)).to.equal(undefined);
    expect(decodeBatch(sealed).writes.length).to.equal(decodeBatch(raw).writes.length);
    expect(refusal(verifier, raw)).to.equal('an unsigned batch');
    expect(refusal(new SealVerifier('another-room'), sealed)).to.match(/signature does not hold/);
    expect(verifier.verified).to.equal(1);
    expect(verifier.refused).to.equal(1);
  });

  it("a node's pipeline writes under its key; a batch stamped by another node is refused", async () => {
    const verifier = new SealVerifier(ROOM);
    const [pipeline] = writeBatches(pipelineNodeId('alice'), 1);
    expect(refusal(verifier, await sealBatch(pipeline!, ROOM, alice))).to.equal(undefined);
    const [bobs] = writeBatches('bob', 1);
    expect(refusal(verifier, await sealBatch(bobs!, ROOM, alice))).to.match(/stamped by node bob but signed by node alice/);
  });

  it('any change to a sealed batch (a write, the stamp, a byte of the seal) is refused', async () => {
    const [raw] = writeBatches('alice', 1);
    const sealed = await sealBatch(raw!, ROOM, alice);
    const verifier = new SealVerifier(ROOM);
    const seal = sealed[sealed.length - 1] as unknown as Uint8Array;
    await fc.assert(
      fc.property(fc.nat(seal.byteLength - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const bytes = seal.slice();
        bytes[at]! ^= flip;
        return refusal(verifier, withSeal(sealed, bytes)) !== undefined;
      }),
      { numRuns: 200 },
    );
    // A write's value, a write dropped, and the stamp moved.
    const body = JSON.parse(JSON.stringify(sealed.slice(0, -1))) as unknown[];
    const tampered: unknown[][] = [];
    const value = structuredClone(body);
    (value[1] as unknown[])[2] = 'changed';
    tampered.push(value);
    tampered.push(body.slice(0, -1));
    const stamp = structuredClone(body);
    stamp[0] = String(stamp[0]).replace(/^./, (c) => (c === '1' ? '2' : '1'));
    tampered.push(stamp);
    for (const t of tampered) expect(refusal(verifier, [...t, seal]), JSON.stringify(t).slice(0, 80)).to.not.equal(undefined);
  });

  it("a node certificate its operator did not sign, or one outside its validity at the batch's stamp, is refused", async () => {
    const [raw] = writeBatches('alice', 1);
    const verifier = new SealVerifier(ROOM);
    // Alice's node key under a certificate whose signature bytes were changed.
    const forged = alice.certificate.slice();
    forged[forged.length - 1]! ^= 1;
    expect(refusal(verifier, await sealBatch(raw!, ROOM, { key: alice.key, certificate: forged }))).to.match(/did not sign/);
    // A certificate that expired before the batch was written.
    const operator = await generateSigningKey();
    const old = await issueCertificate(operator, alice.key.publicKey, 'alice', Date.now() - 40 * 24 * 3600 * 1000, 24 * 3600);
    expect(refusal(verifier, await sealBatch(raw!, ROOM, { key: alice.key, certificate: old }))).to.match(/outside its certificate's validity/);
  });

  it('a decision must name the operator key that signs it: one in another operator\u2019s name is refused', async () => {
    const verifier = new SealVerifier(ROOM);
    const decide = async (signer: NodeCredentials, key: string): Promise<RawBatch> => {
      const store = new EntityStore(new Y.Doc(), { node: signer.nodeId });
      store.create('t', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      const desk = new ApprovalDesk(store, () => ({ role: 'operator', name: 'Alice', key }));
      desk.request('t', ['intercept']);
      desk.decide('t', 'approve');
      const batches = store.batches().map((b) => b.raw);
      return sealBatch(batches[batches.length - 1]!, ROOM, signer);
    };
    expect(refusal(verifier, await decide(alice, alice.operatorFingerprint))).to.equal(undefined);
    // Bob's page writes "Alice approves", naming Alice's key: refused wherever it goes.
    expect(refusal(verifier, await decide(bob, alice.operatorFingerprint))).to.match(/decision naming operator key .* signed under operator key/);
    // Naming Bob's own key, it is Bob's decision (shown with Bob's key), whatever name it gives.
    expect(refusal(verifier, await decide(bob, bob.operatorFingerprint))).to.equal(undefined);
  });

  it("the sealer signs its node's batches in order, passes on others' sealed ones, and drops others' unsigned ones", async () => {
    const sealer = new BatchSealer(ROOM, alice);
    const mine = writeBatches('alice', 3);
    const bobSealed = await sealBatch(writeBatches('bob', 1)[0]!, ROOM, bob);
    const bobUnsigned = writeBatches('bob', 1)[0]!;
    const delivered: RawBatch[][] = [];
    sealer.seal([mine[0]!, bobUnsigned], (b) => delivered.push(b));
    sealer.seal([bobSealed, mine[1]!, mine[2]!], (b) => delivered.push(b));
    await sealer.idle();
    expect(delivered.map((d) => d.map((b) => b[0]))).to.deep.equal([[mine[0]![0]], [bobSealed[0], mine[1]![0], mine[2]![0]]]);
    expect(sealer.dropped).to.equal(1);
    const verifier = new SealVerifier(ROOM);
    for (const b of delivered.flat()) expect(refusal(verifier, b)).to.equal(undefined);
    expect(parseSeal(delivered[1]![0]![delivered[1]![0]!.length - 1] as unknown as Uint8Array).signature.byteLength).to.equal(64);
  });

  it("a batch of another of the profile's nodes (a tab that closed before it left) is signed with that node's own key", async () => {
    const earlier = await ephemeralCredentials('earlier-tab');
    const sealer = new BatchSealer(ROOM, alice, (nodeId) => Promise.resolve(nodeId === 'earlier-tab' ? earlier : undefined));
    const delivered: RawBatch[] = [];
    sealer.seal([writeBatches('earlier-tab', 1)[0]!, writeBatches(pipelineNodeId('earlier-tab'), 1)[0]!, writeBatches('stranger', 1)[0]!], (b) => delivered.push(...b));
    await sealer.idle();
    expect(delivered.length).to.equal(2);
    expect(sealer.dropped).to.equal(1);
    const verifier = new SealVerifier(ROOM);
    for (const b of delivered) expect(refusal(verifier, b)).to.equal(undefined);
  });

  it('replicas that receive the same valid and invalid batches in any order admit exactly the same set', async () => {
    const carol = await ephemeralCredentials('carol');
    const pool: RawBatch[] = [];
    for (const [creds, n] of [
      [alice, 3],
      [bob, 3],
      [carol, 2],
    ] as const) {
      for (const raw of writeBatches(creds.nodeId, n)) {
        const sealed = await sealBatch(raw, ROOM, creds);
        pool.push(sealed);
        pool.push(raw); // unsigned
        const seal = (sealed[sealed.length - 1] as unknown as Uint8Array).slice();
        seal[seal.length - 3]! ^= 4;
        pool.push(withSeal(sealed, seal)); // tampered
      }
      pool.push(await sealBatch(writeBatches(creds.nodeId, 1)[0]!, 'elsewhere', creds)); // another room's
    }
    // Each batch as its own update, from its own Yjs client, as peers would send them.
    const updates = pool.map((raw) => {
      const doc = new Y.Doc();
      doc.getArray('lattice.log').push([raw]);
      return Y.encodeStateAsUpdate(doc);
    });
    const admitted = (order: readonly number[]): string[] => {
      const doc = new Y.Doc();
      const admission = new UpdateAdmission(doc, undefined, new SealVerifier(ROOM).check);
      for (const i of order) if (admission.refusal(updates[i]!) === undefined) Y.applyUpdate(doc, updates[i]!);
      return doc
        .getArray<RawBatch>('lattice.log')
        .toArray()
        .map((b) => JSON.stringify(b.slice(0, -1)))
        .sort();
    };
    const reference = admitted(updates.map((_, i) => i));
    expect(reference.length).to.equal(8);
    fc.assert(
      fc.property(fc.shuffledSubarray(updates.map((_, i) => i), { minLength: updates.length, maxLength: updates.length }), (order) => {
        expect(admitted(order)).to.deep.equal(reference);
      }),
      { numRuns: 40 },
    );
  });
});
