/**
 * Node certificates, fingerprints, peer ids and the keys behind them: a certificate round-trips
 * and verifies; anything malformed is refused with a ValidationError and nothing else; any
 * change to a valid certificate is refused by parsing or by verifying; keys are kept (not
 * exported) and shared as they should be.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { ValidationError } from '../../../src/crdt/index.js';
import { MAX_CERTIFICATE_BYTES, certificateRefusal, issueCertificate, parseCertificate } from '../../../src/peer/trust/certificate.js';
import { ephemeralCredentials, linkCredentials, loadCredentials } from '../../../src/peer/trust/credentials.js';
import { derivePeerId, fingerprint } from '../../../src/peer/trust/fingerprint.js';
import { IndexedDbKeyStore, MemoryKeyStore } from '../../../src/peer/trust/KeyStore.js';
import { generateSigningKey } from '../../../src/peer/trust/signingKey.js';

const NOW = Date.UTC(2026, 10, 30, 9, 0, 0);
const DAY = 24 * 3600 * 1000;

/** `parse` refuses `bytes` with a ValidationError, or what it reads does not verify. */
async function refused(bytes: Uint8Array, nowMs = NOW): Promise<boolean> {
  try {
    return (await certificateRefusal(parseCertificate(bytes), nowMs)) !== undefined;
  } catch (error) {
    if (error instanceof ValidationError) return true;
    throw error;
  }
}

describe('node certificates', () => {
  it('round-trip: the operator signs a node key for a node id, and it verifies until it expires', async () => {
    const operator = await generateSigningKey();
    const node = await generateSigningKey();
    const bytes = await issueCertificate(operator, node.publicKey, 'n-alpha_1', NOW, 30 * 24 * 3600);
    expect(bytes.byteLength).to.equal(138 + 'n-alpha_1'.length);
    const cert = parseCertificate(bytes);
    expect(cert.nodeId).to.equal('n-alpha_1');
    expect([...cert.nodePublicKey]).to.deep.equal([...node.publicKey]);
    expect([...cert.operatorPublicKey]).to.deep.equal([...operator.publicKey]);
    expect(cert.expiresAt - cert.issuedAt).to.equal(30 * 24 * 3600);
    expect(await certificateRefusal(cert, NOW + DAY)).to.equal(undefined);
    expect(await certificateRefusal(cert, NOW + 30 * DAY)).to.match(/expired/);
  });

  it('refuses a certificate that names an operator key that did not sign it', async () => {
    const [named, signer, node] = await Promise.all([generateSigningKey(), generateSigningKey(), generateSigningKey()]);
    const forged = await issueCertificate({ publicKey: named.publicKey, privateKey: signer.privateKey! }, node.publicKey, 'victim', NOW);
    expect(await certificateRefusal(parseCertificate(forged), NOW)).to.match(/not signed by the operator key it names/);
  });

  it('refuses random bytes with a ValidationError and never anything else', async () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_CERTIFICATE_BYTES + 40 }), (bytes) => {
        try {
          parseCertificate(bytes);
        } catch (error) {
          return error instanceof ValidationError;
        }
        // Parsed: a random signature must then fail to verify (checked below for mutations).
        return true;
      }),
      { numRuns: 2000 },
    );
    for (const value of [undefined, null, 'certificate', [1, 2, 3], new ArrayBuffer(150), { length: 150 }]) {
      expect(() => parseCertificate(value)).to.throw(ValidationError);
    }
  });

  it('any change to a valid certificate (a byte changed, cut short or extended) is refused', async function () {
    this.timeout(30_000);
    const operator = await generateSigningKey();
    const node = await generateSigningKey();
    const valid = await issueCertificate(operator, node.publicKey, 'n123', NOW);
    expect(await refused(valid)).to.equal(false);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constant('flip' as const), at: fc.nat({ max: valid.byteLength - 1 }), xor: fc.integer({ min: 1, max: 255 }) }),
          fc.record({ kind: fc.constant('cut' as const), at: fc.nat({ max: valid.byteLength - 1 }), xor: fc.constant(0) }),
          fc.record({ kind: fc.constant('extend' as const), at: fc.integer({ min: 1, max: 64 }), xor: fc.constant(0) }),
        ),
        async ({ kind, at, xor }) => {
          let bytes: Uint8Array;
          if (kind === 'flip') {
            bytes = valid.slice();
            bytes[at]! ^= xor;
          } else if (kind === 'cut') bytes = valid.slice(0, at);
          else bytes = Uint8Array.from([...valid, ...new Uint8Array(at)]);
          return refused(bytes);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('refuses malformed fields with a message a person understands', async () => {
    const operator = await generateSigningKey();
    const node = await generateSigningKey();
    const valid = await issueCertificate(operator, node.publicKey, 'n123', NOW);
    const version = valid.slice();
    version[0] = 2;
    expect(() => parseCertificate(version)).to.throw(ValidationError, /version 2/);
    const badId = valid.slice();
    badId[66] = 0x20;
    expect(() => parseCertificate(badId)).to.throw(ValidationError, /node id/);
    const sameKeys = await issueCertificate(operator, node.publicKey, 'n123', NOW).then((b) => {
      const c = b.slice();
      c.set(c.subarray(1, 33), 33);
      return c;
    });
    expect(() => parseCertificate(sameKeys)).to.throw(ValidationError, /node key is the operator key/);
    await expectRejects(issueCertificate(operator, node.publicKey, 'not a node id', NOW), ValidationError);
  });
});

async function expectRejects(p: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return;
  }
  expect.fail('expected a rejection');
}

describe('fingerprints and peer ids', () => {
  it('a fingerprint is 8 bytes of SHA-256 in four groups of hex; a peer id is derived from the key and a salt', async () => {
    const a = await generateSigningKey();
    const b = await generateSigningKey();
    expect(fingerprint(a.publicKey)).to.match(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(fingerprint(a.publicKey)).to.not.equal(fingerprint(b.publicKey));
    // SHA-256 of 32 zero bytes starts 66687aadf862bd77.
    expect(fingerprint(new Uint8Array(32))).to.equal('6668-7AAD-F862-BD77');
    const salt = new Uint8Array(8).fill(7);
    expect(derivePeerId(a.publicKey, salt)).to.match(/^p[a-z2-7]{20}$/);
    expect(derivePeerId(a.publicKey, salt)).to.equal(derivePeerId(a.publicKey, salt.slice()));
    expect(derivePeerId(a.publicKey, salt)).to.not.equal(derivePeerId(b.publicKey, salt));
    expect(derivePeerId(a.publicKey, salt)).to.not.equal(derivePeerId(a.publicKey, new Uint8Array(8)));
  });
});

describe('keys', () => {
  it('one operator key per store, one node key per node id, private keys not extractable, certificates by the operator', async () => {
    const store = new MemoryKeyStore();
    const first = await loadCredentials(store, 'tab-1', NOW);
    const again = await loadCredentials(store, 'tab-1', NOW + DAY);
    const other = await loadCredentials(store, 'tab-2', NOW);
    expect(first.key.privateKey!.extractable).to.equal(false);
    expect(again.fingerprint).to.equal(first.fingerprint);
    expect(other.fingerprint).to.not.equal(first.fingerprint);
    expect(other.operatorFingerprint).to.equal(first.operatorFingerprint);
    expect(fingerprint(first.cert.operatorPublicKey)).to.equal(first.operatorFingerprint);
    expect(await certificateRefusal(other.cert, NOW)).to.equal(undefined);
    // Fresh credentials elsewhere are another operator.
    expect((await ephemeralCredentials('tab-1', NOW)).operatorFingerprint).to.not.equal(first.operatorFingerprint);
    // Two mesh instances of one node: one key, two peer ids.
    expect(linkCredentials(first).peerId).to.not.equal(linkCredentials(first).peerId);
  });

  it('renews a certificate running out (same key), and forgets node keys whose certificates expired', async () => {
    const store = new MemoryKeyStore();
    const old = await loadCredentials(store, 'tab-1', NOW);
    await loadCredentials(store, 'tab-2', NOW);
    const renewed = await loadCredentials(store, 'tab-1', NOW + 25 * DAY);
    expect(renewed.fingerprint).to.equal(old.fingerprint);
    expect(renewed.cert.expiresAt).to.be.above(old.cert.expiresAt);
    expect(await store.names()).to.include('node:tab-2');
    await loadCredentials(store, 'tab-1', NOW + 31 * DAY);
    expect((await store.names()).sort()).to.deep.equal(['node:tab-1', 'operator', 'operator-pq']);
  });

  it('IndexedDB keeps the CryptoKeys: another store over the same database signs with the same keys', async () => {
    const name = `lattice-keys-test-${Math.random().toString(36).slice(2)}`;
    const one = new IndexedDbKeyStore(name);
    const [a, b] = await Promise.all([loadCredentials(one, 'tab-a', NOW), loadCredentials(one, 'tab-b', NOW)]);
    // Two tabs starting together end up with one operator.
    expect(a.operatorFingerprint).to.equal(b.operatorFingerprint);
    await one.close();
    const two = new IndexedDbKeyStore(name);
    const back = await loadCredentials(two, 'tab-a', NOW + DAY);
    expect(back.fingerprint).to.equal(a.fingerprint);
    expect(back.operatorFingerprint).to.equal(a.operatorFingerprint);
    expect(back.key.privateKey!.extractable).to.equal(false);
    const signature = await crypto.subtle.sign('Ed25519', back.key.privateKey!, new Uint8Array([1, 2, 3]));
    const publicKey = await crypto.subtle.importKey('raw', a.key.publicKey as Uint8Array<ArrayBuffer>, 'Ed25519', true, ['verify']);
    expect(await crypto.subtle.verify('Ed25519', publicKey, signature, new Uint8Array([1, 2, 3]))).to.equal(true);
    await two.close();
    indexedDB.deleteDatabase(name);
  });
});
