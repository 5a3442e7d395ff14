/**
 * Anti-entropy between two sessions: when Yjs sync says nothing is missing (equal state
 * vectors) but the resolved states differ, the range digests find exactly the entities that
 * differ and repair only those, for a small fraction of a full state's bytes. Property: any
 * divergence of two replicas' entities is repaired to equal digests.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { EntityStore } from '../../../src/crdt/index.js';
import { Pacer } from '../../../src/peer/budget/Pacer.js';
import { CLEAN_LINK } from '../../../src/peer/faults/LinkFaults.js';
import { MemoryLink, MemoryNetwork } from '../../../src/peer/link/MemoryLink.js';
import { PeerSession, type SessionHost } from '../../../src/peer/session/PeerSession.js';
import { ephemeralCredentials, linkCredentials, type LinkCredentials } from '../../../src/peer/trust/credentials.js';
import { waitUntil } from '../check.js';

interface Side {
  readonly store: EntityStore;
  readonly pacer: Pacer;
  readonly session: PeerSession;
  sent: number;
}

/**
 * Two sessions over a memory link whose shared documents are both empty (so their state
 * vectors agree), each anti-entropy comparing its own store: the divergence is only in the
 * stores, which is what "sync says nothing is missing, yet the states differ" means.
 */
async function pair(left: EntityStore, right: EntityStore): Promise<[Side, Side]> {
  const network = new MemoryNetwork();
  const [ca, cb] = [linkCredentials(await ephemeralCredentials('node-a')), linkCredentials(await ephemeralCredentials('node-b'))];
  const ab = new MemoryLink(network, ca.peerId, cb.peerId);
  const ba = new MemoryLink(network, cb.peerId, ca.peerId);
  ab.peer = ba;
  ba.peer = ab;
  const side = (credentials: LinkCredentials, store: EntityStore, link: MemoryLink): Side => {
    const peerId = credentials.peerId;
    const doc = new Y.Doc();
    const pacer = new Pacer();
    const host: SessionHost = {
      peerId,
      nodeId: credentials.nodeId,
      name: credentials.nodeId,
      room: 'ae',
      credentials,
      doc,
      awareness: new Awareness(doc),
      store,
      pacer,
      faultSeed: 'ae',
      repair: (batches) => void store.importBatches(batches),
      wallNow: () => Date.now(),
      inbound: (_s, _bytes, apply) => {
        apply();
        return true;
      },
      applyUpdate: (update, from) => void Y.applyUpdate(doc, update, from),
      policyFor: () => CLEAN_LINK,
      faultTable: () => [],
      onVerified: () => undefined,
      onFaults: () => undefined,
      onSignal: () => undefined,
      rejected: (_s, reason) => {
        throw new Error(`unexpected refusal: ${reason}`);
      },
    };
    const s: Side = { store, pacer, session: new PeerSession(link, host, () => undefined), sent: 0 };
    network.onPart = undefined;
    return s;
  };
  const a = side(ca, left, ab);
  const b = side(cb, right, ba);
  a.session.start();
  b.session.start();
  await waitUntil(() => a.session.verified && b.session.verified, 'both ends proved their keys', 3000);
  return [a, b];
}

const bytesSent = (s: Side) => Object.values(s.pacer.totalBytes()).reduce((x, y) => x + y, 0);

function store(node: string): EntityStore {
  return new EntityStore(new Y.Doc(), { node });
}

/** Copies every batch of `from` into `to`: the same picture. */
function copyAll(from: EntityStore, to: EntityStore): void {
  to.importBatches(from.batches().map((b) => b.raw));
}

describe('anti-entropy by ranges of entity ids', () => {
  it('repairs a 1 % divergence of 5,000 entities with under 5 % of a full state', async function () {
    this.timeout(30_000);
    const a = store('na');
    for (let i = 0; i < 5000; i += 500) {
      a.transact(() => {
        for (let j = i; j < i + 500; j++) a.create(`e${j}`, 'track', { position: { lat: (j % 170) - 85, lon: (j % 350) - 175, alt: j }, velocity: { speed: j % 300, heading: j % 360 }, classification: { label: `l${j % 9}`, confidence: 0.5 } });
      });
    }
    const b = store('nb');
    copyAll(a, b);
    expect(b.digest()).to.equal(a.digest());
    // 50 entities change on A only (1 %).
    a.transact(() => {
      for (let j = 0; j < 5000; j += 100) a.update(`e${j}`, { position: { lat: 1, lon: 2, alt: 3 } });
    });
    const full = Y.encodeStateAsUpdate(a.doc).byteLength;
    const [sa, sb] = await pair(a, b);
    const before = bytesSent(sa) + bytesSent(sb);
    sa.session.sendDigest();
    await waitUntil(() => a.digest() === b.digest(), 'the two converge', 10_000, () => `${a.digest()} ${b.digest()}`);
    const repair = bytesSent(sa) + bytesSent(sb) - before;
    expect(b.get('e100')!.components.position).to.deep.equal({ lat: 1, lon: 2, alt: 3 });
    expect(sa.session.stats.rangeRepairs + sb.session.stats.rangeRepairs).to.equal(1);
    expect(repair / full, `repair ${repair} B of a full state of ${full} B`).to.be.below(0.05);
  });

  it('property: any divergence (creates, updates, deletes on either side) is repaired to equal digests', async function () {
    this.timeout(60_000);
    const op = fc.record({ side: fc.constantFrom(0, 1), id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), kind: fc.constantFrom('create', 'update', 'delete'), lat: fc.integer({ min: -80, max: 80 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const stores = [store('na'), store('nb')] as const;
        for (const o of ops) {
          const s = stores[o.side];
          try {
            if (o.kind === 'create') s.create(o.id, 'track', { position: { lat: o.lat, lon: 0, alt: 0 } });
            else if (o.kind === 'update') s.update(o.id, { position: { lat: o.lat, lon: 1, alt: 0 } });
            else s.delete(o.id);
          } catch {
            // Creating what exists or changing what does not is refused; that is fine here.
          }
        }
        const [sa] = await pair(stores[0], stores[1]);
        sa.session.sendDigest();
        if (stores[0].digest() === stores[1].digest()) return;
        await waitUntil(() => stores[0].digest() === stores[1].digest(), 'repaired', 3000, () => `${stores[0].digest()} ${stores[1].digest()}`);
      }),
      { numRuns: 40 },
    );
  });
});
