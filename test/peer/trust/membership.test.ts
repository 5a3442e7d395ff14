/**
 * Owned rooms (issue 14 §2): membership chains, invitations, what a role may write, and
 * revocation by stamp. Replicas that receive the same batches, revocations included, in any
 * order count exactly the same set.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as Y from 'yjs';
import { EntityStore, ROOM_ENTITY_ID, UpdateAdmission, batchProblem, type RawBatch } from '../../../src/crdt/index.js';
import { SealVerifier, sealBatch } from '../../../src/peer/trust/batchSeal.js';
import { ephemeralCredentials, type NodeCredentials } from '../../../src/peer/trust/credentials.js';
import { fromBase64, toBase64 } from 'lib0/buffer';
import { GRANT_BYTES, base64url, checkJoin, createInvitation, decodeInvitation, encodeInvitation, joinIssuer, joinProof } from '../../../src/peer/trust/invitation.js';
import { MEMBERSHIP_BYTES, cryptoSigner, encodeChainPq, issueMembership, standingOf, type IssuedMembership, type RoomRole } from '../../../src/peer/trust/membership.js';
import { attest, revocationMessage } from '../../../src/peer/trust/hybrid.js';
import { RoomAuthority, chainText } from '../../../src/peer/trust/RoomAuthority.js';

const ROOM = 'ops@owned';
const NOW = Date.now();
const S = NOW / 1000;

describe('owned rooms: memberships, invitations, roles and revocation', () => {
  let owner: NodeCredentials;
  let bob: NodeCredentials;
  let carol: NodeCredentials;
  let dave: NodeCredentials;
  before(async () => {
    owner = await ephemeralCredentials('owner');
    bob = await ephemeralCredentials('bob');
    carol = await ephemeralCredentials('carol');
    dave = await ephemeralCredentials('dave');
  });
  const key = (c: NodeCredentials) => c.operator.publicKey;
  const signer = (c: NodeCredentials) => cryptoSigner(c.operator, c.pq);
  const roomOwner = () => ({ key: key(owner), pq: owner.pq.id });
  /** A membership with both halves (for admission entries). */
  const issue = (issuer: NodeCredentials, member: NodeCredentials, role: RoomRole, mayInvite = false, nowMs = NOW - 120_000): Promise<IssuedMembership> =>
    issueMembership(ROOM, signer(issuer), { role, mayInvite, member: key(member), memberPq: member.pq.id, nowMs });
  /** Its Ed25519 half, as seals carry it. */
  const admit = async (issuer: NodeCredentials, member: NodeCredentials, role: RoomRole, mayInvite = false, nowMs = NOW - 120_000) => (await issue(issuer, member, role, mayInvite, nowMs)).bytes;

  it('a chain leads from the owner key: the owner needs none, a member holds the role given, anyone else holds none', async () => {
    expect(standingOf(ROOM, key(owner), [], key(owner), S)).to.include({ role: 'owner', mayInvite: true });
    const bobs = await admit(owner, bob, 'operator');
    expect(bobs.byteLength).to.equal(MEMBERSHIP_BYTES);
    expect(standingOf(ROOM, key(owner), [bobs], key(bob), S)).to.include({ role: 'operator', mayInvite: false });
    expect(standingOf(ROOM, key(owner), [], key(bob), S)).to.equal('no membership in this room');
    // Bob's chain used by Carol, or in another room, or read by a room of another owner.
    expect(standingOf(ROOM, key(owner), [bobs], key(carol), S)).to.match(/another operator key/);
    expect(standingOf('elsewhere', key(owner), [bobs], key(bob), S)).to.match(/did not sign for this room/);
    expect(standingOf(ROOM, key(carol), [bobs], key(bob), S)).to.match(/does not lead from the room owner/);
    // Expired, and any changed byte.
    const short = await issueMembership(ROOM, signer(owner), { role: 'operator', mayInvite: false, member: key(bob), memberPq: bob.pq.id, nowMs: NOW - 7200_000, lifetimeS: 3600 });
    expect(standingOf(ROOM, key(owner), [short.bytes], key(bob), S)).to.match(/expired/);
    fc.assert(
      fc.property(fc.nat(MEMBERSHIP_BYTES - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const bytes = bobs.slice();
        bytes[at]! ^= flip;
        return typeof standingOf(ROOM, key(owner), [bytes], key(bob), S) === 'string';
      }),
      { numRuns: 150 },
    );
  });

  it('an operator the owner allowed invites operators and viewers, never owners or inviters; one not allowed invites nobody', async () => {
    const inviter = await admit(owner, bob, 'operator', true);
    const plain = await admit(owner, carol, 'operator');
    expect(standingOf(ROOM, key(owner), [inviter, await admit(bob, dave, 'viewer')], key(dave), S)).to.include({ role: 'viewer' });
    expect(standingOf(ROOM, key(owner), [inviter, await admit(bob, dave, 'owner')], key(dave), S)).to.match(/who may not give it/);
    expect(standingOf(ROOM, key(owner), [inviter, await admit(bob, dave, 'operator', true)], key(dave), S)).to.match(/who may not give it/);
    expect(standingOf(ROOM, key(owner), [plain, await admit(carol, dave, 'viewer')], key(dave), S)).to.match(/who may not give it/);
  });

  it('an invitation link round-trips; a damaged one, a proof for another key, another room or an expired grant is refused', async () => {
    const invitation = await createInvitation(ROOM, signer(owner), { role: 'operator', expiresAtS: S + 3600, nowMs: NOW });
    const token = encodeInvitation(invitation);
    const back = decodeInvitation(token);
    expect(base64url(back.grant.bytes)).to.equal(base64url(invitation.grant.bytes));
    expect(() => decodeInvitation(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'))).to.throw(/damaged/);
    expect(() => decodeInvitation('not a token!')).to.throw(/damaged/);
    const proof = joinProof(ROOM, back, key(bob), bob.pq.id);
    const join = checkJoin(ROOM, proof, key(bob), NOW, owner.pq.publicKey);
    expect(join).to.not.be.a('string');
    expect(base64url((join as { memberPq: Uint8Array }).memberPq)).to.equal(base64url(bob.pq.id));
    expect(checkJoin(ROOM, proof, key(carol), NOW, owner.pq.publicKey)).to.match(/did not sign/);
    expect(checkJoin('elsewhere', proof, key(bob), NOW, owner.pq.publicKey)).to.match(/not sign for this room/);
    // The issuer's node checks the grant's ML-DSA half with its own key: another key's is refused.
    expect(checkJoin(ROOM, proof, key(bob), NOW, carol.pq.publicKey)).to.match(/post-quantum signature does not hold/);
    // The newcomer's ML-DSA key id is signed by the invitation key: swapping it is refused.
    const swapped = fromBase64(proof);
    swapped.set(carol.pq.id, GRANT_BYTES);
    expect(checkJoin(ROOM, toBase64(swapped), key(bob), NOW, owner.pq.publicKey)).to.match(/did not sign/);
    // The admitting node's clock decides: past the grant's expiry, no admission.
    expect(checkJoin(ROOM, proof, key(bob), NOW + 3601_000, owner.pq.publicKey)).to.match(/expired/);
    // Who may admit it is read from the proof before anything is checked.
    expect(base64url(joinIssuer(proof)!)).to.equal(base64url(key(owner)));
    expect(joinIssuer('not base64!')).to.equal(undefined);
  });

  describe('what a role may write (checked by every replica at admission)', () => {
    const write = async (creds: NodeCredentials, chain: Uint8Array[], fn: (store: EntityStore) => void, room = ROOM): Promise<RawBatch> => {
      const store = new EntityStore(new Y.Doc(), { node: creds.nodeId, physicalNow: () => NOW });
      fn(store);
      const batches = store.batches().map((b) => b.raw);
      return sealBatch(batches[batches.length - 1]!, room, creds, chain);
    };
    const track = (id: string) => (s: EntityStore) => s.create(id, 'track', { position: { lat: 1, lon: 2, alt: 3 } });

    it('owner and operators write; a viewer, a guest, and a member of another room are refused', async () => {
      const verifier = new SealVerifier(ROOM, roomOwner());
      const check = (raw: RawBatch) => batchProblem(raw, verifier.check);
      expect(check(await write(owner, [], track('o1')))).to.equal(undefined);
      expect(check(await write(bob, [await admit(owner, bob, 'operator')], track('b1')))).to.equal(undefined);
      expect(check(await write(carol, [await admit(owner, carol, 'viewer')], track('c1')))).to.match(/a viewer \(viewers read only\)/);
      expect(check(await write(dave, [], track('d1')))).to.match(/not a member of this room/);
      const elsewhere = await issueMembership('other@room', signer(owner), { role: 'operator', mayInvite: false, member: key(dave), memberPq: dave.pq.id, nowMs: NOW - 1000 });
      expect(check(await write(dave, [elsewhere.bytes], track('d2')))).to.match(/not a member of this room/);
    });

    it('admissions come from inviters in their own name; revocations only from the owner key; the room entity is removed by nobody; an open room has none', async () => {
      const verifier = new SealVerifier(ROOM, roomOwner());
      const check = (raw: RawBatch) => batchProblem(raw, verifier.check);
      const bobChain = [await admit(owner, bob, 'operator')];
      const carols = await issue(owner, carol, 'operator', true);
      const inviterChain = [carols.bytes];
      const daveByCarol = await issue(carol, dave, 'viewer');
      const admitEntry = (chain: IssuedMembership[], pq = encodeChainPq(chain.map((m) => m.pq))) => (s: EntityStore) => {
        s.create(ROOM_ENTITY_ID, 'room');
        s.record(ROOM_ENTITY_ID, { kind: 'admit', chain: chainText(chain.map((m) => m.bytes)), ...(pq === '' ? {} : { pq }) });
      };
      const revokeEntry = (s: EntityStore) => {
        const subject = base64url(key(dave));
        s.create(ROOM_ENTITY_ID, 'room');
        s.record(ROOM_ENTITY_ID, { kind: 'revoke', subject, note: '', pq: attest(owner.pq, NOW, (at) => revocationMessage(ROOM, subject, '', at)) });
      };
      expect(check(await write(carol, inviterChain, admitEntry([carols, daveByCarol])))).to.equal(undefined);
      expect(check(await write(bob, bobChain, admitEntry([carols, daveByCarol])))).to.match(/an admission by a member who may not invite/);
      // Carol writing an admission that the owner issued is not hers to write.
      expect(check(await write(carol, inviterChain, admitEntry([await issue(owner, dave, 'operator')])))).to.match(/issued by another key than its writer/);
      expect(check(await write(owner, [], revokeEntry))).to.equal(undefined);
      expect(check(await write(carol, inviterChain, revokeEntry))).to.match(/by another key than the owner/);
      expect(check(await write(owner, [], (s) => s.create('elsewhere', 'room')))).to.match(/outside the room entity/);
      // Removing the room entity would undo its revocations: refused, the owner's included.
      const withRoom = (s: EntityStore) => s.create(ROOM_ENTITY_ID, 'room');
      const removal = async (creds: NodeCredentials) => {
        const store = new EntityStore(new Y.Doc(), { node: creds.nodeId, physicalNow: () => NOW });
        withRoom(store);
        store.delete(ROOM_ENTITY_ID);
        const batches = store.batches().map((b) => b.raw);
        return sealBatch(batches[batches.length - 1]!, ROOM, creds, []);
      };
      expect(check(await removal(owner))).to.match(/removal of the room entity/);
      // An open room: no authority to write at all.
      const open = new SealVerifier('open-room');
      expect(batchProblem(await write(owner, [], revokeEntry, 'open-room'), open.check)).to.match(/into an open room/);
    });
  });

  it('a revoked key’s batches stamped after the revocation do not count, on replicas receiving everything in any order', async () => {
    const bobs = await issue(owner, bob, 'operator', false, NOW - 600_000);
    const carols = await issue(owner, carol, 'operator', false, NOW - 600_000);
    const bobChain = [bobs.bytes];
    const carolChain = [carols.bytes];
    const at = (creds: NodeCredentials, chain: Uint8Array[], ms: number, fn: (s: EntityStore) => void) => async (): Promise<RawBatch> => {
      const store = new EntityStore(new Y.Doc(), { node: creds.nodeId, physicalNow: () => ms });
      fn(store);
      return sealBatch(store.batches()[0]!.raw, ROOM, creds, chain);
    };
    const make = [
      // The owner's admissions: until one reaches a replica, that member's batches wait uncounted.
      at(owner, [], NOW - 90_000, (s) => {
        s.transact(() => {
          s.create(ROOM_ENTITY_ID, 'room');
          for (const m of [bobs, carols]) s.record(ROOM_ENTITY_ID, { kind: 'admit', chain: chainText([m.bytes]), pq: encodeChainPq([m.pq]) });
        });
      }),
      at(bob, bobChain, NOW - 60_000, (s) => s.create('bob-before', 'track', { position: { lat: 1, lon: 1, alt: 1 } })),
      at(owner, [], NOW - 30_000, (s) => {
        s.transact(() => {
          s.create(ROOM_ENTITY_ID, 'room');
          s.record(ROOM_ENTITY_ID, { kind: 'revoke', subject: base64url(key(bob)), note: 'device lost', pq: attest(owner.pq, NOW - 30_000, (t) => revocationMessage(ROOM, base64url(key(bob)), 'device lost', t)) });
        });
      }),
      at(bob, bobChain, NOW - 10_000, (s) => s.create('bob-after', 'track', { position: { lat: 2, lon: 2, alt: 2 } })),
      at(carol, carolChain, NOW - 5_000, (s) => s.create('carol-after', 'track', { position: { lat: 3, lon: 3, alt: 3 } })),
      // Bob's page writes over Carol's track after the revocation: it must not win anywhere.
      at(bob, bobChain, NOW - 1_000, (s) => s.create('carol-after', 'track', { position: { lat: 9, lon: 9, alt: 9 } })),
    ];
    const pool = await Promise.all(make.map((f) => f()));
    const updates = pool.map((raw) => {
      const doc = new Y.Doc();
      doc.getArray('lattice.log').push([raw]);
      return Y.encodeStateAsUpdate(doc);
    });
    const replica = (order: readonly number[]) => {
      const doc = new Y.Doc();
      const authority = new RoomAuthority(ROOM, roomOwner(), key(dave), () => NOW);
      const store = new EntityStore(doc, { node: 'replica', physicalNow: () => NOW, counts: authority.counts });
      authority.attach(store);
      const admission = new UpdateAdmission(doc, undefined, new SealVerifier(ROOM, roomOwner()).check);
      for (const i of order) {
        expect(admission.refusal(updates[i]!)).to.equal(undefined);
        Y.applyUpdate(doc, updates[i]!);
        store.recount(); // the microtask the authority queues, run at once
      }
      return { store, authority };
    };
    const reference = replica([0, 1, 2, 3, 4, 5]);
    expect(reference.store.has('bob-before')).to.equal(true);
    expect(reference.store.has('bob-after')).to.equal(false);
    expect(reference.store.component('carol-after', 'position')).to.deep.include({ lat: 3 });
    expect(reference.store.uncountedBatches).to.equal(2);
    expect(reference.authority.revocations().map((r) => r.note)).to.deep.equal(['device lost']);
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 }), (order) => {
        const r = replica(order);
        expect(r.store.digest()).to.equal(reference.store.digest());
      }),
      { numRuns: 60 },
    );
  });
});
