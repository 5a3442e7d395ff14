/**
 * Signed presence (issue 14 §4): a node's presence is signed by its node key; a presence that is
 * unsigned, altered, replayed under another client or over a newer one, certified for another
 * node id, or with a peer id not derived from its key is refused; and on a live mesh a node
 * announcing another's id and name is not listed as it, nor can it change how others see it.
 */
import { expect } from 'chai';
import * as encoding from 'lib0/encoding';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../../src/peer/memoryTransport.js';
import { MSG } from '../../../src/peer/session/wire.js';
import { PRESENCE_FIELD, readPresence, type PresenceState } from '../../../src/peer/presence.js';
import { PresenceVerifier, signPresence } from '../../../src/peer/trust/presenceSeal.js';
import { issueCertificate } from '../../../src/peer/trust/certificate.js';
import { ephemeralCredentials, linkCredentials, type LinkCredentials } from '../../../src/peer/trust/credentials.js';
import { generateSigningKey } from '../../../src/peer/trust/signingKey.js';
import { waitUntil } from '../check.js';

const ROOM = 'presence';

function fields(creds: LinkCredentials, name: string): PresenceState {
  return { v: 1, nodeId: creds.nodeId, name, role: 'operator', peerId: creds.peerId, since: 1, digest: 'd0', links: [] };
}

/** An awareness message from the session protocol carrying `states` (client id → state). */
function awarenessMessage(states: ReadonlyArray<[number, number, unknown]>): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, states.length);
  for (const [client, clock, state] of states) {
    encoding.writeVarUint(update, client);
    encoding.writeVarUint(update, clock);
    encoding.writeVarString(update, JSON.stringify(state));
  }
  const message = encoding.createEncoder();
  encoding.writeVarUint(message, MSG.awareness);
  encoding.writeVarUint8Array(message, encoding.toUint8Array(update));
  return encoding.toUint8Array(message);
}

describe('signed presence', () => {
  it('a signed presence holds; unsigned, altered, replayed, or for another node or peer id, it does not', async () => {
    const alice = linkCredentials(await ephemeralCredentials('alice'));
    const now = Date.now();
    const signed = await signPresence(fields(alice, 'Alice'), 7, ROOM, alice, now);
    const verifier = new PresenceVerifier(ROOM);
    expect(verifier.refusal(7, signed, now)).to.equal(undefined);
    expect(verifier.refusal(7, fields(alice, 'Alice'), now)).to.match(/unsigned presence/);
    expect(verifier.refusal(7, { ...signed, name: 'Bob' }, now)).to.match(/signature does not hold/);
    expect(verifier.refusal(7, { ...signed, digest: 'forged' }, now)).to.match(/signature does not hold/);
    expect(verifier.refusal(8, signed, now), 'under another client').to.match(/signature does not hold/);
    expect(new PresenceVerifier('other-room').refusal(7, signed, now)).to.match(/signature does not hold/);
    // A newer one holds; the older one replayed over it does not.
    const newer = await signPresence({ ...fields(alice, 'Alice'), digest: 'd1' }, 7, ROOM, alice, now + 1000);
    expect(verifier.refusal(7, newer, now)).to.equal(undefined);
    expect(verifier.refusal(7, signed, now)).to.match(/replay/);
    // Another node id than its certificate's; a peer id not derived from its key and salt.
    const asBob = await signPresence({ ...fields(alice, 'Alice'), nodeId: 'bob' }, 9, ROOM, alice, now);
    expect(verifier.refusal(9, asBob, now)).to.match(/certificate for node alice/);
    const otherPeer = await signPresence({ ...fields(alice, 'Alice'), peerId: 'pabcdefghijklmnopqrst' }, 10, ROOM, alice, now);
    expect(verifier.refusal(10, otherPeer, now)).to.match(/peer id is not derived/);
  });

  it('on a live mesh, a node announcing another linked node\u2019s id and name is refused and named; the real one is listed once, with its key', async function () {
    this.timeout(20_000);
    const network = new MemoryNetwork();
    const open = (name: string) => MeshNode.create({ identity: { nodeId: `pres-${name}`, name, role: 'operator' }, room: ROOM, transport: memoryTransport(network), persist: false });
    const [a, b, mallory] = await Promise.all([open('A'), open('B'), open('Mallory')]);
    const nodes = [a, b, mallory];
    try {
      await waitUntil(() => nodes.every((n) => n.peers().length === 2 && n.peers().every((p) => p.fingerprint !== undefined)), 'every node lists the other two, by key', 5000);
      const listedOnB = () => b.peers().filter((p) => p.nodeId === a.identity.nodeId);
      expect(listedOnB().map((p) => p.fingerprint)).to.deep.equal([a.credentials.fingerprint]);
      const aState = a.awareness.getLocalState()!;
      const genuine = readPresence(aState)!;
      // 1. Unsigned, in A's name, under a client id of Mallory's choosing.
      const unsigned = { [PRESENCE_FIELD]: { v: 1, nodeId: a.identity.nodeId, name: 'A', role: 'viewer', peerId: a.credentials.peerId, since: 1, digest: 'x', links: [] } };
      // 2. Signed by Mallory's own key, certified (by Mallory's own operator key) for A's node id.
      const op = await generateSigningKey();
      const key = await generateSigningKey();
      const impostor = linkCredentials({ ...mallory.credentials, key, certificate: await issueCertificate(op, key.publicKey, a.identity.nodeId, Date.now()) });
      const forged = { [PRESENCE_FIELD]: await signPresence({ ...genuine, role: 'viewer', peerId: impostor.peerId, digest: 'x' }, 424242, ROOM, impostor, Date.now()) };
      // 3. A's own signed state, replayed under another client id.
      const replayed = aState;
      // 4. A's state with its role changed.
      const altered = { [PRESENCE_FIELD]: { ...genuine, role: 'viewer' } };
      const before = b.status().rejectedByPeer?.Mallory ?? 0;
      mallory.transport.injectRaw(awarenessMessage([[424241, 1, unsigned]]));
      mallory.transport.injectRaw(awarenessMessage([[424242, 1, forged]]));
      mallory.transport.injectRaw(awarenessMessage([[424243, 1, replayed]]));
      mallory.transport.injectRaw(awarenessMessage([[a.awareness.clientID, 10_000, altered]]));
      // The impostor's presence holds as a signature (its own key, for a node id it certified),
      // so it is not refused (an honest relay could bring it); B, linked to A, does not list it.
      await waitUntil(() => (b.status().rejectedByPeer?.Mallory ?? 0) - before >= 3, 'B refuses the unsigned, replayed and altered ones, naming Mallory', 5000, () => JSON.stringify(b.status().rejectedByPeer));
      await waitUntil(() => b.awareness.getStates().has(424242), 'B holds the impostor’s state', 5000);
      expect(listedOnB().map((p) => [p.fingerprint, p.role])).to.deep.equal([[a.credentials.fingerprint, 'operator']]);
      expect(b.peers().length).to.equal(2);
      expect(b.status().rejectedByPeer?.A ?? 0, 'nothing is blamed on A').to.equal(0);
    } finally {
      await Promise.all(nodes.map((n) => n.destroy()));
    }
  });
});
