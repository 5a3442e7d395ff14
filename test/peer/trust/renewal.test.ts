/**
 * Memberships are renewed before they run out (issue 14 §2): the node whose key issued one
 * issues it again, with the same role, while its holder is in the room; a member who left, or
 * was revoked, is not renewed.
 */
import { expect } from 'chai';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../../src/peer/memoryTransport.js';
import { ROOM_ENTITY_ID } from '../../../src/crdt/index.js';
import { ephemeralCredentials, type NodeCredentials } from '../../../src/peer/trust/credentials.js';
import { fingerprint } from '../../../src/peer/trust/fingerprint.js';
import { cryptoSigner, encodeChainPq, issueMembership, parseMembership } from '../../../src/peer/trust/membership.js';
import { chainText } from '../../../src/peer/trust/RoomAuthority.js';
import { RENEW_BEFORE_S } from '../../../src/peer/RoomDesk.js';
import { waitUntil } from '../check.js';

const ROOM = 'ops@renewal';
const DAY_S = 24 * 3600;

describe('membership renewal', () => {
  it('the issuer renews a member in the room whose membership runs out soon, with the same role; not one who is gone or revoked', async function () {
    this.timeout(60_000);
    const network = new MemoryNetwork();
    const ownerCreds = await ephemeralCredentials('renew-owner');
    const owner = { key: ownerCreds.operator.publicKey, pq: ownerCreds.pq.id };
    const open = (name: string, credentials: NodeCredentials) =>
      MeshNode.create({ identity: { nodeId: credentials.nodeId, name, role: 'operator' }, credentials, room: ROOM, owner, roomName: 'ops', transport: memoryTransport(network), persist: false });
    const [bobCreds, carolCreds, daveCreds] = await Promise.all(['renew-bob', 'renew-carol', 'renew-dave'].map((n) => ephemeralCredentials(n)));
    const ownerNode = await open('Owner', ownerCreds);
    const bob = await open('Bob', bobCreds);
    const carol = await open('Carol', carolCreds);
    const nodes = [ownerNode, bob, carol];
    try {
      // Memberships with three days left (as if issued 87 days ago): Bob and Carol, who are here,
      // and Dave, who is not; then Carol is revoked.
      const short = async (c: NodeCredentials, role: 'operator' | 'viewer') => {
        const m = await issueMembership(ROOM, cryptoSigner(ownerCreds.operator, ownerCreds.pq), { role, mayInvite: false, member: c.operator.publicKey, memberPq: c.pq.id, nowMs: Date.now() - 1000, lifetimeS: 3 * DAY_S });
        ownerNode.store.transact(() => {
          if (!ownerNode.store.has(ROOM_ENTITY_ID)) ownerNode.store.create(ROOM_ENTITY_ID, 'room');
          ownerNode.store.record(ROOM_ENTITY_ID, { kind: 'admit', chain: chainText([m.bytes]), pq: encodeChainPq([m.pq]) });
        });
      };
      await short(bobCreds, 'viewer');
      await short(carolCreds, 'operator');
      await short(daveCreds, 'operator');
      ownerNode.authority.revoke(fingerprint(carolCreds.operator.publicKey), 'left the team');
      // Bob's node reads his renewed membership, still a viewer, valid for about 90 days.
      await waitUntil(
        () => {
          const chain = bob.roomAuthority!.chain();
          return chain.length === 1 && parseMembership(chain[0]!).expiresAt - Date.now() / 1000 > RENEW_BEFORE_S;
        },
        'Bob holds a renewed membership',
        15_000,
      );
      expect(bob.authority.info().standing).to.equal('viewer');
      expect(parseMembership(bob.roomAuthority!.chain()[0]!).expiresAt - Date.now() / 1000).to.be.greaterThan(80 * DAY_S);
      // Nobody else was renewed: Dave is not here, Carol is revoked.
      const admissions = ownerNode.roomAuthority!.memberships();
      const count = (c: NodeCredentials) => admissions.filter((a) => fingerprint(a.member) === fingerprint(c.operator.publicKey)).length;
      expect(count(bobCreds)).to.equal(2);
      expect(count(carolCreds)).to.equal(1);
      expect(count(daveCreds)).to.equal(1);
      // And renewed once: another round of checks leaves it at that.
      await new Promise((r) => setTimeout(r, 2500));
      expect(ownerNode.roomAuthority!.memberships().filter((a) => fingerprint(a.member) === fingerprint(bobCreds.operator.publicKey)).length).to.equal(2);
    } finally {
      await Promise.all(nodes.map((n) => n.destroy()));
    }
  });
});
