/**
 * Hybrid signatures (issue 14 §5): in an owned room, memberships, decisions and revocations
 * count only when both their Ed25519 and their ML-DSA-44 halves hold. The attacker here has
 * every Ed25519 key it needs (as one who broke Ed25519 would) but not the ML-DSA keys.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as Y from 'yjs';
import { fromBase64, toBase64 } from 'lib0/buffer';
import { EntityStore, ROOM_ENTITY_ID, UpdateAdmission, batchProblem, type RawBatch } from '../../../src/crdt/index.js';
import { SealVerifier, sealBatch } from '../../../src/peer/trust/batchSeal.js';
import { ephemeralCredentials, type NodeCredentials } from '../../../src/peer/trust/credentials.js';
import { ATTESTATION_BYTES, ATTESTED_SKEW_MS, attest, attestationRefusal, decisionMessage, revocationMessage } from '../../../src/peer/trust/hybrid.js';
import { base64url } from '../../../src/peer/trust/invitation.js';
import { cryptoSigner, encodeChainPq, issueMembership, type IssuedMembership } from '../../../src/peer/trust/membership.js';
import { pqKeyFromSeed, randomPqSeed, verifyPq } from '../../../src/peer/trust/pqKey.js';
import { RoomAuthority, chainText } from '../../../src/peer/trust/RoomAuthority.js';
import { waitUntil } from '../check.js';

const ROOM = 'ops@hybrid';
const NOW = Date.now();

describe('hybrid signatures: both halves must hold', () => {
  let owner: NodeCredentials;
  let bob: NodeCredentials;
  let mallory: NodeCredentials;
  before(async () => {
    [owner, bob, mallory] = await Promise.all(['owner', 'bob', 'mallory'].map((n) => ephemeralCredentials(n)));
  });
  const roomOwner = () => ({ key: owner.operator.publicKey, pq: owner.pq.id });
  const issue = (issuer: NodeCredentials, member: NodeCredentials, memberPq = member.pq.id, pq = issuer.pq): Promise<IssuedMembership> =>
    issueMembership(ROOM, cryptoSigner(issuer.operator, pq), { role: 'operator', mayInvite: false, member: member.operator.publicKey, memberPq, nowMs: NOW - 60_000 });
  const sealed = async (creds: NodeCredentials, chain: Uint8Array[], fn: (s: EntityStore) => void, at = NOW): Promise<RawBatch> => {
    const store = new EntityStore(new Y.Doc(), { node: creds.nodeId, physicalNow: () => at });
    fn(store);
    const batches = store.batches();
    return sealBatch(batches[batches.length - 1]!.raw, ROOM, creds, chain);
  };
  const decide = (creds: NodeCredentials, pq: string | undefined) => (s: EntityStore) => {
    s.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    s.record('t1', { kind: 'decision', requestId: 'r1', verdict: 'approve', operator: 'Bob', key: creds.operatorFingerprint, ...(pq === undefined ? {} : { pq }) });
  };
  const decisionPq = (creds: NodeCredentials, key = creds.pq, atMs = NOW, requestId = 'r1') =>
    attest(key, atMs, (at) => decisionMessage(ROOM, { entityId: 't1', requestId, verdict: 'approve', operator: 'Bob', key: creds.operatorFingerprint }, at));

  it('ML-DSA-44 signs and verifies; a flipped byte or another key does not hold', () => {
    const key = pqKeyFromSeed(randomPqSeed());
    const other = pqKeyFromSeed(randomPqSeed());
    const message = new TextEncoder().encode('approve r1');
    const sig = attest(key, NOW, () => message);
    const bytes = fromBase64(sig).subarray(8 + 1312);
    expect(verifyPq(bytes, message, key.publicKey)).to.equal(true);
    expect(verifyPq(bytes, message, other.publicKey)).to.equal(false);
    expect(verifyPq(bytes.subarray(1), message, key.publicKey), 'a short signature').to.equal(false);
  });

  it('a decision in an owned room needs its operator’s ML-DSA attestation, by the key the membership names, made when it is stamped', async () => {
    const verifier = new SealVerifier(ROOM, roomOwner());
    const check = (raw: RawBatch) => batchProblem(raw, verifier.check);
    const bobs = [(await issue(owner, bob)).bytes];
    expect(check(await sealed(bob, bobs, decide(bob, decisionPq(bob))))).to.equal(undefined);
    // The owner decides under the ML-DSA key the room id names.
    expect(check(await sealed(owner, [], decide(owner, decisionPq(owner))))).to.equal(undefined);
    expect(check(await sealed(bob, bobs, decide(bob, undefined)))).to.match(/no post-quantum signature/);
    // Bob's Ed25519 key in an attacker's hands, with an ML-DSA key of its own.
    expect(check(await sealed(bob, bobs, decide(bob, decisionPq(bob, mallory.pq))))).to.match(/by a key its membership does not name/);
    // Bob's attestation of another request, moved onto this one.
    expect(check(await sealed(bob, bobs, decide(bob, decisionPq(bob, bob.pq, NOW, 'r0'))))).to.match(/does not hold/);
    // Signed long before (or after) the stamp the batch carries: a restamped decision.
    expect(check(await sealed(bob, bobs, decide(bob, decisionPq(bob, bob.pq, NOW - ATTESTED_SKEW_MS - 1000))))).to.match(/another time than its stamp/);
    // An open room roots no ML-DSA key: its decisions are Ed25519 alone.
    const open = new SealVerifier('open-room');
    const openBatch = await (async () => {
      const store = new EntityStore(new Y.Doc(), { node: bob.nodeId, physicalNow: () => NOW });
      decide(bob, undefined)(store);
      return sealBatch(store.batches()[1]!.raw, 'open-room', bob, []);
    })();
    expect(batchProblem(openBatch, open.check)).to.equal(undefined);
  });

  it('a batch whose Ed25519 seal does not hold is refused before any ML-DSA half is checked', async () => {
    const verifier = new SealVerifier(ROOM, roomOwner());
    const bobs = [(await issue(owner, bob)).bytes];
    // Bob's certificate and chain are public: a peer without his key copies them under a batch
    // carrying a decision with an attestation of junk, to make every node verify ML-DSA for it.
    const raw = await sealed(bob, bobs, decide(bob, toBase64(new Uint8Array(ATTESTATION_BYTES).fill(7))));
    const seal = (raw[raw.length - 1] as unknown as Uint8Array).slice();
    seal[seal.length - 1]! ^= 1;
    const forged = [...raw.slice(0, -1), seal] as unknown as RawBatch;
    expect(batchProblem(forged, verifier.check)).to.match(/signature does not hold \(tampered/);
  });

  it('any changed byte of a decision’s attestation is refused (property)', async () => {
    const verifier = new SealVerifier(ROOM, roomOwner());
    const bobs = [(await issue(owner, bob)).bytes];
    const good = fromBase64(decisionPq(bob));
    const batches = new Map<string, RawBatch>();
    await fc.assert(
      fc.asyncProperty(fc.nat(ATTESTATION_BYTES - 1), fc.integer({ min: 1, max: 255 }), async (at, flip) => {
        const bytes = good.slice();
        bytes[at]! ^= flip;
        const key = `${at}:${flip}`;
        const raw = batches.get(key) ?? (await sealed(bob, bobs, decide(bob, toBase64(bytes))));
        batches.set(key, raw);
        return typeof batchProblem(raw, verifier.check) === 'string';
      }),
      { numRuns: 40 },
    );
  });

  it('a revocation needs the owner’s ML-DSA attestation; an admission, the ML-DSA half of every membership in its chain', async () => {
    const verifier = new SealVerifier(ROOM, roomOwner());
    const check = (raw: RawBatch) => batchProblem(raw, verifier.check);
    const subject = base64url(mallory.operator.publicKey);
    const revoke = (pq: string | undefined) => (s: EntityStore) => {
      s.create(ROOM_ENTITY_ID, 'room');
      s.record(ROOM_ENTITY_ID, { kind: 'revoke', subject, note: 'lost', ...(pq === undefined ? {} : { pq }) });
    };
    const revocationPq = (key = owner.pq) => attest(key, NOW, (at) => revocationMessage(ROOM, subject, 'lost', at));
    expect(check(await sealed(owner, [], revoke(revocationPq())))).to.equal(undefined);
    expect(check(await sealed(owner, [], revoke(undefined)))).to.match(/a revocation with no post-quantum signature/);
    expect(check(await sealed(owner, [], revoke(revocationPq(mallory.pq))))).to.match(/a revocation with a post-quantum signature by a key/);

    const admit = (chain: IssuedMembership[], pq: string | undefined) => (s: EntityStore) => {
      s.create(ROOM_ENTITY_ID, 'room');
      s.record(ROOM_ENTITY_ID, { kind: 'admit', chain: chainText(chain.map((m) => m.bytes)), ...(pq === undefined ? {} : { pq }) });
    };
    const bobs = await issue(owner, bob);
    expect(check(await sealed(owner, [], admit([bobs], encodeChainPq([bobs.pq]))))).to.equal(undefined);
    expect(check(await sealed(owner, [], admit([bobs], undefined)))).to.match(/without its post-quantum signatures/);
    // A membership the owner's Ed25519 key signed, its ML-DSA half made with another key.
    const forged = await issue(owner, mallory, mallory.pq.id, mallory.pq);
    expect(check(await sealed(owner, [], admit([forged], encodeChainPq([forged.pq]))))).to.match(/an ML-DSA key its issuer does not hold/);
    // Bob's half on Mallory's membership.
    const malloryOk = await issue(owner, mallory);
    expect(check(await sealed(owner, [], admit([malloryOk], encodeChainPq([bobs.pq]))))).to.match(/does not hold/);
  });

  it('a batch under an Ed25519-valid membership counts only once an admission attests it with both halves', async () => {
    const doc = new Y.Doc();
    const authority = new RoomAuthority(ROOM, roomOwner(), owner.operator.publicKey, () => NOW);
    const store = new EntityStore(doc, { node: 'replica', physicalNow: () => NOW, counts: authority.counts });
    authority.attach(store);
    const admission = new UpdateAdmission(doc, undefined, new SealVerifier(ROOM, roomOwner()).check);
    const apply = (raw: RawBatch) => {
      const d = new Y.Doc();
      d.getArray('lattice.log').push([raw]);
      const update = Y.encodeStateAsUpdate(d);
      expect(admission.refusal(update)).to.equal(undefined);
      Y.applyUpdate(doc, update);
    };
    // Mallory holds a membership the owner's Ed25519 key signed (as one who broke it could make),
    // and so does Bob; only Bob's is ever admitted with its ML-DSA half.
    const mallorys = await issue(owner, mallory, mallory.pq.id, mallory.pq);
    const bobs = await issue(owner, bob);
    apply(await sealed(mallory, [mallorys.bytes], (s) => s.create('m1', 'track', { position: { lat: 1, lon: 1, alt: 0 } })));
    apply(await sealed(bob, [bobs.bytes], (s) => s.create('b1', 'track', { position: { lat: 2, lon: 2, alt: 0 } })));
    expect(store.has('m1')).to.equal(false);
    expect(store.has('b1'), 'Bob’s batch waits for his admission').to.equal(false);
    expect(store.uncountedBatches).to.equal(2);
    apply(
      await sealed(owner, [], (s) =>
        s.transact(() => {
          s.create(ROOM_ENTITY_ID, 'room');
          s.record(ROOM_ENTITY_ID, { kind: 'admit', chain: chainText([bobs.bytes]), pq: encodeChainPq([bobs.pq]) });
        }),
      ),
    );
    // The authority reads the admission and recounts (queued after the change it watches).
    await waitUntil(() => store.has('b1'), 'Bob’s batch counts once his admission arrived', 2_000);
    expect(store.has('m1')).to.equal(false);
    expect(store.uncountedBatches).to.equal(1);
  });

  it('attestationRefusal names what is wrong with the bytes themselves', () => {
    const id = owner.pq.id;
    const message = () => new Uint8Array([1, 2, 3]);
    expect(attestationRefusal('***', id, NOW, message)).to.match(/not base64|bytes/);
    expect(attestationRefusal(toBase64(new Uint8Array(10)), id, NOW, message)).to.match(/of 10 bytes/);
    const nan = new Uint8Array(ATTESTATION_BYTES);
    new DataView(nan.buffer).setFloat64(0, NaN);
    expect(attestationRefusal(toBase64(nan), id, NOW, message)).to.match(/another time/);
  });
});
