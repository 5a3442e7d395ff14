/**
 * An owned room on memory links (issue 14 §2): the owner invites an operator and a viewer, who
 * are admitted by the owner's node; the viewer, a guest and an expired invitation's holder write
 * through the document and are refused on every node; the owner revokes the operator, whose
 * later writes count nowhere while its earlier ones stay.
 */
import { expect } from 'chai';
import { LEASES_MAP, PIPELINE_MAP, ValidationError, encodeHlc } from '../../../src/crdt/index.js';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { createScriptingApi } from '../../../src/peer/scriptingApi.js';
import { MemoryNetwork, memoryTransport } from '../../../src/peer/memoryTransport.js';
import { ephemeralCredentials, type NodeCredentials } from '../../../src/peer/trust/credentials.js';
import { createInvitation, decodeInvitation, type Invitation } from '../../../src/peer/trust/invitation.js';
import { cryptoSigner } from '../../../src/peer/trust/membership.js';
import { fingerprint } from '../../../src/peer/trust/fingerprint.js';
import { waitUntil } from '../check.js';

const ROOM = 'ops@owned-test';

describe('an owned room on a live mesh', () => {
  it('invites, admits, refuses a viewer, a guest and an expired invitation, and revokes by stamp', async function () {
    this.timeout(60_000);
    const network = new MemoryNetwork();
    const ownerCreds = await ephemeralCredentials('room-owner');
    const owner = { key: ownerCreds.operator.publicKey, pq: ownerCreds.pq.id };
    const open = async (name: string, creds?: NodeCredentials, invitation?: Invitation) =>
      MeshNode.create({
        identity: { nodeId: `room-${name}`, name, role: 'operator' },
        credentials: creds ?? (await ephemeralCredentials(`room-${name}`)),
        room: ROOM,
        owner,
        roomName: 'ops',
        invitation,
        transport: memoryTransport(network),
        persist: false,
      });
    const ownerNode = await MeshNode.create({
      identity: { nodeId: 'room-owner', name: 'Owner', role: 'operator' },
      credentials: ownerCreds,
      room: ROOM,
      owner,
      roomName: 'ops',
      transport: memoryTransport(network),
      persist: false,
    });
    const operatorLink = decodeInvitation(await ownerNode.authority.invite({ role: 'operator' }));
    const viewerLink = decodeInvitation(await ownerNode.authority.invite({ role: 'viewer' }));
    // One invitation, two people: Wes opens Vic's link too (a link is valid until it expires).
    const stale = await createInvitation(ROOM, cryptoSigner(ownerCreds.operator, ownerCreds.pq), { role: 'operator', expiresAtS: Date.now() / 1000 - 3600, nowMs: Date.now() - 7200_000 });
    const bob = await open('Bob', undefined, operatorLink);
    const vic = await open('Vic', undefined, viewerLink);
    const gus = await open('Gus');
    const eve = await open('Eve', undefined, stale);
    const wes = await open('Wes', undefined, viewerLink);
    const nodes = [ownerNode, bob, vic, gus, eve, wes];
    try {
      expect(ownerNode.authority.info()).to.include({ standing: 'owner', mayRevoke: true, open: false });
      await waitUntil(() => bob.authority.info().standing === 'operator' && vic.authority.info().standing === 'viewer' && wes.authority.info().standing === 'viewer', 'Bob, Vic and Wes admitted by the owner\u2019s node', 15_000, () =>
        JSON.stringify(nodes.map((n) => [n.identity.name, n.authority.info().standing, n.links().length])),
      );
      expect(bob.identity.role).to.equal('operator');
      expect(vic.identity.role).to.equal('viewer');
      expect(gus.authority.info().standing).to.equal('guest');
      // Eve's invitation expired by the issuer's clock: no admission, and the owner says why.
      await waitUntil(() => [...ownerNode.authority.refusals().values()].some((why) => /expired/.test(why)), 'the owner refuses Eve\u2019s expired invitation', 10_000);
      expect(eve.authority.info().standing).to.equal('guest');
      const members = ownerNode.authority.members();
      expect(members.find((m) => m.names.includes('Vic'))?.standing).to.equal('viewer');
      expect(members.find((m) => m.names.includes('Bob'))?.standing).to.equal('operator');

      // Bob writes; everyone sees it.
      bob.store.create('bob-1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
      await waitUntil(() => [ownerNode, vic, gus].every((n) => n.store.has('bob-1')), 'Bob\u2019s track everywhere', 10_000);

      // Bob decides a request the owner's node opened: his decision carries both halves of his
      // hybrid signature (the batch's Ed25519 seal, his ML-DSA attestation) and counts everywhere.
      const requestId = ownerNode.approvals.request('bob-1', ['intercept']);
      await waitUntil(() => bob.approvals.outcome('bob-1')?.state === 'pending', 'Bob sees the request', 10_000);
      bob.approvals.decide('bob-1', 'approve', requestId);
      await waitUntil(() => [ownerNode, vic].every((n) => n.approvals.outcome('bob-1')?.state === 'approved'), 'Bob\u2019s approval counts on the owner and Vic', 10_000);
      const decision = ownerNode.store.journal('bob-1').find((e) => e.entry.kind === 'decision')!.entry;
      expect(decision).to.include({ key: bob.credentials.operatorFingerprint });
      expect((decision as { pq?: string }).pq, 'the decision carries its ML-DSA half').to.be.a('string');

      // A viewer, a guest and Eve write through the document (their pages skip the UI's checks).
      const refusedBefore = ownerNode.seals.refused;
      vic.store.create('vic-1', 'track', { position: { lat: 2, lon: 2, alt: 0 } });
      gus.store.create('gus-1', 'track', { position: { lat: 3, lon: 3, alt: 0 } });
      eve.store.create('eve-1', 'track', { position: { lat: 4, lon: 4, alt: 0 } });
      await waitUntil(() => ownerNode.seals.refused >= refusedBefore + 3, 'the owner refuses all three', 10_000);
      await waitUntil(() => bob.seals.refused >= 3, 'Bob refuses all three', 10_000);
      for (const n of [ownerNode, bob]) for (const id of ['vic-1', 'gus-1', 'eve-1']) expect(n.store.has(id), `${n.identity.name} has ${id}`).to.equal(false);
      expect(ownerNode.status().problem ?? '').to.match(/refused/);

      // The owner revokes Bob; what Bob writes afterwards counts nowhere; what he wrote before stays.
      ownerNode.authority.revoke(fingerprint(bob.credentials.operator.publicKey), 'device lost');
      await waitUntil(() => [ownerNode, vic, wes, bob].every((n) => n.roomAuthority!.isRevokedKey(bob.credentials.operator.publicKey)), 'every node knows the revocation', 10_000);
      expect(bob.authority.info().problem).to.match(/revoked/);
      // Bob's page writes anyway (a stamp after the revocation: his clock has seen it).
      bob.store.create('bob-2', 'track', { position: { lat: 5, lon: 5, alt: 0 } });
      bob.store.update('bob-1', { position: { lat: 9, lon: 9, alt: 0 } });
      // Both arrive everywhere (stored, so they travel on) and count nowhere.
      await waitUntil(() => [ownerNode, vic, wes].every((n) => n.store.uncountedBatches >= 2), 'Bob\u2019s later batches reached every node, uncounted', 10_000);
      for (const n of [ownerNode, vic, wes]) {
        expect(n.store.has('bob-2'), `${n.identity.name} does not count bob-2`).to.equal(false);
        expect(n.store.get('bob-1')?.components.position?.lat, `${n.identity.name} keeps Bob's earlier write`).to.equal(1);
      }
      expect(ownerNode.authority.members().find((m) => m.names.includes('Bob'))?.revoked).to.equal(true);
      // Bob's page takes the pipeline's lease (sealed under his revoked key): admitted, and on every
      // node it counts as vacant, so another node's pipeline takes over.
      bob.doc.getMap(LEASES_MAP).set('pipeline', { holder: bob.identity.nodeId, expires: encodeHlc({ wall: Date.now() + 6000, counter: 0, node: bob.identity.nodeId }) });
      await waitUntil(() => [ownerNode, vic, wes].every((n) => n.vacantLeaseHolders().includes(bob.identity.nodeId)), 'every node counts Bob\u2019s lease as vacant', 10_000);
      // And a run his page starts counts nowhere (the page's pipeline host puts the last run back).
      bob.doc.getMap(PIPELINE_MAP).set('run', { runId: 'bobs', scenario: '{}', seed: 1, startedAt: Date.now() });
      await waitUntil(() => (ownerNode.doc.getMap(PIPELINE_MAP).get('run') as { runId?: string } | undefined)?.runId === 'bobs', 'Bob\u2019s run reaches the owner', 10_000);
      expect(ownerNode.mapValueCounts(ownerNode.doc.getMap(PIPELINE_MAP).get('run'))).to.equal(false);
      expect(ownerNode.status().uncounted, 'the owner shows what it did not count').to.be.at.least(2);
      // A script cannot remove the room entity (its revocations) or write one, the owner's neither.
      const api = createScriptingApi(ownerNode);
      expect(() => api.delete('room')).to.throw(ValidationError, /room's authority/);
      expect(() => api.create('another', 'room')).to.throw(ValidationError, /room's authority/);
      expect(ownerNode.roomAuthority!.isRevokedKey(bob.credentials.operator.publicKey)).to.equal(true);
      // The honest picture converges: the owner and a viewer that wrote nothing agree.
      await waitUntil(() => ownerNode.store.digest() === wes.store.digest(), 'owner and Wes converge', 10_000);

      // Carol, an operator admitted now, has her page write a deny in her own name without the
      // ML-DSA half (as one that broke only Ed25519 could): refused on every node, and the request
      // stays pending. (Last: a refused batch holds back its writer's later ones.)
      const carol = await open('Carol', undefined, decodeInvitation(await ownerNode.authority.invite({ role: 'operator' })));
      nodes.push(carol);
      await waitUntil(() => carol.authority.info().standing === 'operator', 'Carol admitted', 15_000);
      const second = ownerNode.approvals.request('bob-1', ['intercept']);
      await waitUntil(() => carol.approvals.outcome('bob-1')?.request.requestId === second, 'Carol sees the second request', 10_000);
      const refusedByOwner = ownerNode.seals.refused;
      carol.store.record('bob-1', { kind: 'decision', requestId: second, verdict: 'deny', operator: 'Carol', key: carol.credentials.operatorFingerprint });
      await waitUntil(() => ownerNode.seals.refused > refusedByOwner && wes.seals.refused > 0, 'the owner and Wes refuse a decision with one half', 10_000);
      expect(ownerNode.approvals.outcome('bob-1')?.state).to.equal('pending');
    } finally {
      await Promise.all(nodes.map((n) => n.destroy()));
    }
  });
});
