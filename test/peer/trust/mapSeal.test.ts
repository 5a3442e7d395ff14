/**
 * Signed lease and run (the pipeline's maps): a value is admitted only with its writer's seal,
 * unaltered, for this room and place; a lease only for the signer's own node; in an owned room
 * only from a role that writes. On a live mesh, a page that puts an unsigned run into the
 * shared document is refused by every node, and the mesh's run stays.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { LEASES_MAP, MESH_LAYOUT, PIPELINE_MAP, UpdateAdmission } from '../../../src/crdt/index.js';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../../src/peer/memoryTransport.js';
import { ephemeralCredentials, type NodeCredentials } from '../../../src/peer/trust/credentials.js';
import { mapValueRefusal, sealMapValue } from '../../../src/peer/trust/mapSeal.js';
import { cryptoSigner, issueMembership } from '../../../src/peer/trust/membership.js';
import { waitUntil } from '../check.js';

const ROOM = 'maps@room';

describe('signed lease and run', () => {
  let alice: NodeCredentials;
  let bob: NodeCredentials;
  before(async () => {
    alice = await ephemeralCredentials('alice');
    bob = await ephemeralCredentials('bob');
  });
  const now = Date.now();
  const lease = (holder: string) => ({ holder, expires: `${(now + 6000).toString(36)}` });

  it('admits a sealed value as written, and refuses it unsigned, altered, moved, or for another room', async () => {
    const sealed = await sealMapValue(ROOM, LEASES_MAP, 'pipeline', lease('alice'), alice, [], now);
    expect(mapValueRefusal(ROOM, undefined, LEASES_MAP, 'pipeline', sealed)).to.equal(undefined);
    // A value that came before what it follows: accepted if sealed for one of the places.
    expect(mapValueRefusal(ROOM, undefined, undefined, undefined, sealed)).to.equal(undefined);
    expect(mapValueRefusal(ROOM, undefined, LEASES_MAP, 'pipeline', lease('alice'))).to.match(/unsigned/);
    expect(mapValueRefusal(ROOM, undefined, LEASES_MAP, 'pipeline', { ...sealed, expires: 'zzzzzzzzz' })).to.match(/does not hold/);
    expect(mapValueRefusal(ROOM, undefined, PIPELINE_MAP, 'run', sealed)).to.match(/does not hold/);
    expect(mapValueRefusal('other', undefined, LEASES_MAP, 'pipeline', sealed)).to.match(/does not hold/);
    expect(mapValueRefusal(ROOM, undefined, LEASES_MAP, 'pipeline', { ...sealed, seal: 'AQAA' })).to.match(/malformed/);
    expect(mapValueRefusal(ROOM, undefined, LEASES_MAP, 'pipeline', { ...sealed, seal: 'AAAA' })).to.match(/another version/);
  });

  it('a lease only for the signer\u2019s own node; in an owned room, a value only from a role that writes', async () => {
    expect(mapValueRefusal(ROOM, undefined, LEASES_MAP, 'pipeline', await sealMapValue(ROOM, LEASES_MAP, 'pipeline', lease('bob'), alice, [], now))).to.match(/a lease for bob signed by node alice/);
    const owner = alice.operator.publicKey;
    const run = { runId: 'r1', scenario: '{}', seed: 1, startedAt: now };
    expect(mapValueRefusal(ROOM, owner, PIPELINE_MAP, 'run', await sealMapValue(ROOM, PIPELINE_MAP, 'run', run, alice, [], now))).to.equal(undefined);
    expect(mapValueRefusal(ROOM, owner, PIPELINE_MAP, 'run', await sealMapValue(ROOM, PIPELINE_MAP, 'run', run, bob, [], now))).to.match(/not a member/);
    const asViewer = [(await issueMembership(ROOM, cryptoSigner(alice.operator, alice.pq), { role: 'viewer', mayInvite: false, member: bob.operator.publicKey, memberPq: bob.pq.id, nowMs: now - 1000 })).bytes];
    expect(mapValueRefusal(ROOM, owner, PIPELINE_MAP, 'run', await sealMapValue(ROOM, PIPELINE_MAP, 'run', run, bob, asViewer, now))).to.match(/a viewer/);
    const asOperator = [(await issueMembership(ROOM, cryptoSigner(alice.operator, alice.pq), { role: 'operator', mayInvite: false, member: bob.operator.publicKey, memberPq: bob.pq.id, nowMs: now - 1000 })).bytes];
    expect(mapValueRefusal(ROOM, owner, PIPELINE_MAP, 'run', await sealMapValue(ROOM, PIPELINE_MAP, 'run', run, bob, asOperator, now))).to.equal(undefined);
  });

  it('a lease sealed with the longest chain fits what the layout lets a map value be', async () => {
    const [c1, c2] = [await ephemeralCredentials('c1'), await ephemeralCredentials('c2')];
    const owner = alice.operator.publicKey;
    const chain = [
      (await issueMembership(ROOM, cryptoSigner(alice.operator, alice.pq), { role: 'operator', mayInvite: true, member: c1.operator.publicKey, memberPq: c1.pq.id, nowMs: now - 3000 })).bytes,
      (await issueMembership(ROOM, cryptoSigner(c1.operator, c1.pq), { role: 'operator', mayInvite: false, member: c2.operator.publicKey, memberPq: c2.pq.id, nowMs: now - 2000 })).bytes,
    ];
    const sealed = await sealMapValue(ROOM, LEASES_MAP, 'pipeline', lease('c2'), c2, chain, now);
    const doc = new Y.Doc();
    doc.getMap(LEASES_MAP).set('pipeline', sealed);
    const admission = new UpdateAdmission(new Y.Doc(), MESH_LAYOUT, undefined, (root, key, value) => mapValueRefusal(ROOM, owner, root, key, value));
    expect(admission.refusal(Y.encodeStateAsUpdate(doc))).to.equal(undefined);
  });

  it('on a live mesh, an unsigned run put into the shared document is refused by every node, and the run stays', async function () {
    this.timeout(30_000);
    const network = new MemoryNetwork();
    const open = (name: string) => MeshNode.create({ identity: { nodeId: `maps-${name}`, name, role: 'operator' }, room: 'maps-live', transport: memoryTransport(network), persist: false });
    const [a, b, mallory] = await Promise.all([open('A'), open('B'), open('Mallory')]);
    const nodes = [a, b, mallory];
    try {
      await waitUntil(() => nodes.every((n) => n.links().length === 2), 'all linked', 5000);
      // A's page starts a run (as the pipeline would): it reaches B signed.
      a.doc.getMap(PIPELINE_MAP).set('run', { runId: 'honest', scenario: '{}', seed: 1, startedAt: Date.now() });
      await waitUntil(() => (b.uplink.doc.getMap(PIPELINE_MAP).get('run') as { runId?: string } | undefined)?.runId === 'honest', 'B has A\u2019s run', 5000);
      expect(typeof (b.doc.getMap(PIPELINE_MAP).get('run') as { seal?: unknown }).seal).to.equal('string');
      // Mallory's page replaces it with its own, unsigned, straight into the shared document.
      const forged = new Y.Doc();
      Y.applyUpdate(forged, Y.encodeStateAsUpdate(mallory.uplink.doc));
      forged.getMap(PIPELINE_MAP).set('run', { runId: 'forged', scenario: '{}', seed: 2, startedAt: Date.now() });
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarUint(encoder, 2);
      encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(forged, Y.encodeStateVector(mallory.uplink.doc)));
      const before = [a, b].map((n) => n.status().rejectedByPeer?.Mallory ?? 0);
      mallory.transport.injectRaw(encoding.toUint8Array(encoder));
      await waitUntil(() => [a, b].every((n, i) => (n.status().rejectedByPeer?.Mallory ?? 0) > before[i]!), 'A and B refuse the forged run, naming Mallory', 5000);
      for (const n of [a, b]) expect((n.doc.getMap(PIPELINE_MAP).get('run') as { runId: string }).runId, n.identity.name).to.equal('honest');
    } finally {
      await Promise.all(nodes.map((n) => n.destroy()));
    }
  });
});
