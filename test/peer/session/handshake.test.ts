/**
 * Authenticated links on memory links: two nodes link only after each has proven its node key
 * for that link. A hand-driven peer (the "puppet", speaking the session protocol byte by byte)
 * presents what a hostile node would: a certificate its operator did not sign, a tampered
 * signature, a proof made for another link, a peer id not derived from its key, another node's
 * id, data before its proof. Each is refused, the link closed and the peer named.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { EntityStore } from '../../../src/crdt/index.js';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../../src/peer/memoryTransport.js';
import type { Link } from '../../../src/peer/link/Link.js';
import { MSG } from '../../../src/peer/session/wire.js';
import { encodeProof, proveLink, type LinkProof } from '../../../src/peer/session/handshake.js';
import { issueCertificate } from '../../../src/peer/trust/certificate.js';
import { ephemeralCredentials, linkCredentials, type LinkCredentials } from '../../../src/peer/trust/credentials.js';
import { derivePeerId } from '../../../src/peer/trust/fingerprint.js';
import { generateSigningKey } from '../../../src/peer/trust/signingKey.js';
import { waitUntil } from '../check.js';

const ROOM = 'trust';

/** One link as the puppet holds it: what came in, the peer's nonce, how it closed. */
interface PuppetLink {
  readonly link: Link;
  readonly types: number[];
  nonce: Uint8Array | undefined;
  closed: string | undefined;
}

/** A peer on the memory network that sends exactly what the test tells it to. */
class Puppet {
  readonly links = new Map<string, PuppetLink>();
  readonly nonce = crypto.getRandomValues(new Uint8Array(16));

  constructor(
    network: MemoryNetwork,
    readonly peerId: string,
  ) {
    network.connector().start({
      peerId,
      wants: () => true,
      accept: (link) => {
        const held: PuppetLink = { link, types: [], nonce: undefined, closed: undefined };
        this.links.set(link.remotePeerId, held);
        link.attach({
          message: (bytes) => {
            held.types.push(bytes[0]!);
            if (bytes[0] === MSG.hello) {
              const decoder = decoding.createDecoder(bytes);
              decoding.readVarUint(decoder);
              held.nonce = (decoding.readAny(decoder) as { nonce: Uint8Array }).nonce;
            }
          },
          closed: (reason) => {
            held.closed = reason;
          },
        });
      },
    });
  }

  /** The link to `node`, once its hello (and nonce) arrived. */
  async linkTo(node: MeshNode): Promise<PuppetLink & { nonce: Uint8Array }> {
    await waitUntil(() => this.links.get(node.transport.peerId)?.nonce !== undefined, `the puppet hears ${node.identity.name}'s hello`, 3000);
    return this.links.get(node.transport.peerId) as PuppetLink & { nonce: Uint8Array };
  }

  hello(to: PuppetLink, nodeId: string, name = 'Mallory'): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MSG.hello);
    encoding.writeAny(encoder, { nodeId, name, nonce: this.nonce });
    to.link.send(encoding.toUint8Array(encoder));
  }

  /** A proof with `credentials` for the link to `node`, made as an honest node would. */
  prove(credentials: LinkCredentials, node: MeshNode, theirNonce: Uint8Array): Promise<LinkProof> {
    return proveLink(credentials, ROOM, { peerId: this.peerId, nonce: this.nonce }, { peerId: node.transport.peerId, nonce: theirNonce });
  }
}

const nodes: MeshNode[] = [];
async function open(network: MemoryNetwork, name: string): Promise<MeshNode> {
  const node = await MeshNode.create({ identity: { nodeId: `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`, name, role: 'operator' }, room: ROOM, transport: memoryTransport(network), persist: false });
  nodes.push(node);
  return node;
}

/** A sync step 2 with one well-formed entity: what an unproven peer must not get applied. */
function dataMessage(): Uint8Array {
  const store = new EntityStore(new Y.Doc(), { node: 'mallory' });
  store.create('planted', 'track', { position: { lat: 1, lon: 2, alt: 3 } });
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MSG.sync);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(store.doc));
  return encoding.toUint8Array(encoder);
}

/** The node refused the puppet's link: closed with `reason`, counted and named. */
async function refusedLink(node: MeshNode, held: PuppetLink, reason: RegExp): Promise<void> {
  await waitUntil(() => held.closed !== undefined, `${node.identity.name} closes the link`, 3000);
  expect(held.closed).to.match(/did not prove its key/);
  expect(held.closed).to.match(reason);
  expect(node.status().rejectedByPeer?.Mallory, 'counted against the peer by name').to.be.at.least(1);
  expect(node.transport.recentRefusals(60_000).find((r) => r.name === 'Mallory')?.last).to.match(reason);
  expect(node.links().map((l) => l.nodeId)).to.not.include('mallory');
  // Nothing of the data plane went to the unproven peer.
  expect(held.types.filter((t) => t !== MSG.hello && t !== MSG.proof && t !== MSG.ping && t !== MSG.pong), 'only the handshake crossed').to.deep.equal([]);
}

describe('authenticated links', () => {
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.destroy()));
  });

  it('two nodes link once each has proven its key, and show each other by fingerprint', async () => {
    const network = new MemoryNetwork();
    const [a, b] = [await open(network, 'A'), await open(network, 'B')];
    // Up before it is verified: listed, and not verified.
    await waitUntil(() => a.links().length === 1, 'A has a link', 3000);
    await waitUntil(() => a.links()[0]?.verified === true && b.links()[0]?.verified === true, 'A and B prove their keys', 3000);
    const [ab] = a.links();
    expect(ab!.nodeId).to.equal(b.identity.nodeId);
    expect(ab!.fingerprint).to.equal(b.credentials.fingerprint);
    expect(b.links()[0]!.fingerprint).to.equal(a.credentials.fingerprint);
    expect(a.status().fingerprint).to.equal(a.credentials.fingerprint);
    expect(a.status().fingerprint).to.match(/^[0-9A-F]{4}(-[0-9A-F]{4}){3}$/);
    // Each peer id is derived from its node key.
    expect(b.transport.peerId).to.equal(derivePeerId(b.credentials.key.publicKey, b.credentials.salt));
    a.store.create('t1', 'track', { position: { lat: 1, lon: 1, alt: 0 } });
    await waitUntil(() => b.store.has('t1'), 'data flows', 3000);
    expect(a.status().rejectedMessages + b.status().rejectedMessages).to.equal(0);
  });

  it('an honest puppet is accepted (the hostile cases below differ from it in one thing each)', async () => {
    const network = new MemoryNetwork();
    const a = await open(network, 'A');
    const creds = linkCredentials(await ephemeralCredentials('mallory'));
    const puppet = new Puppet(network, creds.peerId);
    const held = await puppet.linkTo(a);
    puppet.hello(held, 'mallory');
    held.link.send(encodeProof(await puppet.prove(creds, a, held.nonce)));
    await waitUntil(() => a.links().some((l) => l.nodeId === 'mallory'), 'A verifies the puppet', 3000);
    expect(held.closed).to.equal(undefined);
    expect(a.links().find((l) => l.nodeId === 'mallory')!.fingerprint).to.equal(creds.fingerprint);
  });

  it('refuses a certificate its operator key did not sign', async () => {
    const network = new MemoryNetwork();
    const a = await open(network, 'A');
    const honest = await ephemeralCredentials('mallory');
    const [operator, forger] = [await generateSigningKey(), await generateSigningKey()];
    const certificate = await issueCertificate({ publicKey: operator.publicKey, privateKey: forger.privateKey! }, honest.key.publicKey, 'mallory', Date.now());
    const creds = linkCredentials({ ...honest, certificate });
    const puppet = new Puppet(network, creds.peerId);
    const held = await puppet.linkTo(a);
    puppet.hello(held, 'mallory');
    held.link.send(encodeProof(await puppet.prove(creds, a, held.nonce)));
    await refusedLink(a, held, /not signed by the operator key it names/);
  });

  it('refuses a tampered signature', async () => {
    const network = new MemoryNetwork();
    const a = await open(network, 'A');
    const creds = linkCredentials(await ephemeralCredentials('mallory'));
    const puppet = new Puppet(network, creds.peerId);
    const held = await puppet.linkTo(a);
    puppet.hello(held, 'mallory');
    const proof = await puppet.prove(creds, a, held.nonce);
    const signature = proof.signature.slice();
    signature[17]! ^= 0x04;
    held.link.send(encodeProof({ ...proof, signature }));
    await refusedLink(a, held, /signature does not hold for this link/);
  });

  it('refuses a proof replayed from another link', async () => {
    const network = new MemoryNetwork();
    const [a, b] = [await open(network, 'A'), await open(network, 'B')];
    const creds = linkCredentials(await ephemeralCredentials('mallory'));
    const puppet = new Puppet(network, creds.peerId);
    const [toA, toB] = [await puppet.linkTo(a), await puppet.linkTo(b)];
    puppet.hello(toA, 'mallory');
    puppet.hello(toB, 'mallory');
    // A proof made for the link to A holds there...
    const forA = encodeProof(await puppet.prove(creds, a, toA.nonce));
    toA.link.send(forA);
    await waitUntil(() => a.links().some((l) => l.nodeId === 'mallory'), 'A verifies the puppet', 3000);
    // ...and not on the link to B (another nonce, another verifier).
    toB.link.send(forA);
    await refusedLink(b, toB, /signature does not hold for this link/);
  });

  it('refuses a proof replayed onto a new link to the same node', async () => {
    const network = new MemoryNetwork();
    const a = await open(network, 'A');
    const creds = linkCredentials(await ephemeralCredentials('mallory'));
    const puppet = new Puppet(network, creds.peerId);
    const first = await puppet.linkTo(a);
    puppet.hello(first, 'mallory');
    const proof = encodeProof(await puppet.prove(creds, a, first.nonce));
    first.link.send(proof);
    await waitUntil(() => a.links().some((l) => l.nodeId === 'mallory'), 'A verifies the puppet', 3000);
    first.link.close('the puppet drops its link');
    await waitUntil(() => puppet.links.get(a.transport.peerId) !== first && puppet.links.get(a.transport.peerId)?.nonce !== undefined, 'the network links them again', 3000);
    const second = await puppet.linkTo(a);
    expect([...second.nonce]).to.not.deep.equal([...first.nonce]);
    puppet.hello(second, 'mallory');
    second.link.send(proof);
    await refusedLink(a, second, /signature does not hold for this link/);
  });

  it('refuses a peer id not derived from its key', async () => {
    const network = new MemoryNetwork();
    const a = await open(network, 'A');
    const creds = linkCredentials(await ephemeralCredentials('mallory'));
    // The peer id of another key (as if it claimed another node's place in the mesh).
    const other = linkCredentials(await ephemeralCredentials('victim'));
    const puppet = new Puppet(network, other.peerId);
    const held = await puppet.linkTo(a);
    puppet.hello(held, 'mallory');
    held.link.send(encodeProof(await proveLink(creds, ROOM, { peerId: other.peerId, nonce: puppet.nonce }, { peerId: a.transport.peerId, nonce: held.nonce })));
    await refusedLink(a, held, /is not derived from its key/);
  });

  it("refuses a node claiming another node's id", async () => {
    const network = new MemoryNetwork();
    const a = await open(network, 'A');
    const creds = linkCredentials(await ephemeralCredentials('mallory'));
    const puppet = new Puppet(network, creds.peerId);
    const held = await puppet.linkTo(a);
    puppet.hello(held, 'victim');
    held.link.send(encodeProof(await puppet.prove(creds, a, held.nonce)));
    await refusedLink(a, held, /says it is node victim but its certificate is for mallory/);
  });

  it('refuses data before the proof, counts it, and applies none of it', async () => {
    const network = new MemoryNetwork();
    const a = await open(network, 'A');
    const creds = linkCredentials(await ephemeralCredentials('mallory'));
    const puppet = new Puppet(network, creds.peerId);
    const held = await puppet.linkTo(a);
    puppet.hello(held, 'mallory');
    held.link.send(dataMessage());
    await waitUntil(() => (a.status().rejectedByPeer?.Mallory ?? 0) >= 1, 'A refuses the data', 3000);
    expect(a.transport.recentRefusals(60_000)[0]!.last).to.match(/before the peer proved its key/);
    expect(a.transport.sessionInfo()[0]!.stats.unproven).to.equal(1);
    expect(a.store.has('planted')).to.equal(false);
    expect(a.uplink.doc.getArray('lattice.log').length).to.equal(0);
    // A malformed proof closes the link.
    held.link.send(Uint8Array.of(MSG.proof, 3, 1, 2, 3));
    await refusedLink(a, held, /a link proof cut short/);
  });
});
