/**
 * The pipeline's lease: one holder computes; it renews at half-life; an expired lease, one further
 * ahead than an honest holder writes, or one whose holder counts as vacant (signed under a revoked
 * key) is free to take.
 */
import { expect } from 'chai';
import * as Y from 'yjs';
import { encodeHlc, type Hlc } from '../../src/crdt/index.js';
import { LEASES_MAP, Lease } from '../../src/workers/Lease.js';

const TTL = 6_000;
const at = (wall: number): Hlc => ({ wall, counter: 0, node: 'clock' });

describe('Lease', () => {
  const T = 1_800_000_000_000;
  const put = (doc: Y.Doc, holder: string, expiresWall: number) => doc.getMap(LEASES_MAP).set('pipeline', { holder, expires: encodeHlc({ wall: expiresWall, counter: 0, node: holder }) });

  it('one holder: a live lease of another is respected, an expired one is taken, and the holder renews past half-life', () => {
    const doc = new Y.Doc();
    const a = new Lease(doc, 'pipeline', 'a', TTL);
    const b = new Lease(doc, 'pipeline', 'b', TTL);
    expect(a.hold(at(T))).to.equal(true);
    expect(b.hold(at(T + 1000))).to.equal(false);
    expect(b.heldAt(at(T + 1000))).to.equal(false);
    // Past half-life the holder renews: the expiry moves on.
    expect(a.hold(at(T + 4000))).to.equal(true);
    expect(a.current()!.expires.wall).to.equal(T + 4000 + TTL);
    // Gone quiet: once expired, another takes it.
    expect(b.hold(at(T + 4000 + TTL + 1))).to.equal(true);
    expect(b.current()!.holder).to.equal('b');
  });

  it('a lease further ahead than ttl plus the clock offset, or malformed, reads as none', () => {
    const doc = new Y.Doc();
    const b = new Lease(doc, 'pipeline', 'b', TTL, 500);
    put(doc, 'liar', T + 3_600_000);
    expect(b.valid(at(T))).to.equal(undefined);
    expect(b.hold(at(T))).to.equal(true);
    doc.getMap(LEASES_MAP).set('pipeline', { holder: 'x', expires: 42 });
    expect(b.current()).to.equal(undefined);
  });

  it('a live lease of a vacant holder (signed under a revoked key) reads as none and is taken', () => {
    const doc = new Y.Doc();
    const vacant = new Set<string>();
    const honest = new Lease(doc, 'pipeline', 'honest', TTL, 500, (h) => vacant.has(h));
    put(doc, 'revoked', T + TTL);
    expect(honest.hold(at(T)), 'before the revocation is known').to.equal(false);
    vacant.add('revoked');
    expect(honest.valid(at(T))).to.equal(undefined);
    expect(honest.hold(at(T))).to.equal(true);
    expect(honest.current()!.holder).to.equal('honest');
  });
});
