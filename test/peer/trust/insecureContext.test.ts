/**
 * A page without WebCrypto (plain http from another machine: `crypto.subtle` is undefined
 * outside secure contexts) still runs a node: its keys are bytes, signed with noble's Ed25519,
 * and peers verify it exactly as any other. Simulated here by hiding `crypto.subtle`.
 */
import { expect } from 'chai';
import { MeshNode } from '../../../src/peer/MeshNode.js';
import { MemoryNetwork, memoryTransport } from '../../../src/peer/memoryTransport.js';
import { ephemeralCredentials, loadCredentials } from '../../../src/peer/trust/credentials.js';
import { IndexedDbKeyStore } from '../../../src/peer/trust/KeyStore.js';
import { hasWebCryptoKeys } from '../../../src/peer/trust/signingKey.js';
import { waitUntil } from '../check.js';

/** Runs `fn` as a page with no `crypto.subtle` would. */
async function withoutWebCrypto<T>(fn: () => Promise<T>): Promise<T> {
  Object.defineProperty(crypto, 'subtle', { get: () => undefined, configurable: true });
  try {
    return await fn();
  } finally {
    delete (crypto as unknown as { subtle?: unknown }).subtle;
  }
}

describe('a node on a page without WebCrypto', () => {
  it('keeps its keys as bytes in IndexedDB and gets the same key back after a reload', async () => {
    const name = `insecure-keys-${Date.now()}`;
    const first = await withoutWebCrypto(async () => {
      expect(hasWebCryptoKeys()).to.equal(false);
      const store = new IndexedDbKeyStore(name);
      try {
        return await loadCredentials(store, 'tab-1');
      } finally {
        await store.close();
      }
    });
    expect(hasWebCryptoKeys()).to.equal(true);
    expect(first.key.secret?.byteLength).to.equal(32);
    expect(first.key.privateKey).to.equal(undefined);
    const again = await withoutWebCrypto(async () => {
      const store = new IndexedDbKeyStore(name);
      try {
        return await loadCredentials(store, 'tab-1');
      } finally {
        await store.close();
      }
    });
    expect(again.fingerprint).to.equal(first.fingerprint);
    expect(again.operatorFingerprint).to.equal(first.operatorFingerprint);
  });

  it('links to a node that has WebCrypto, and what each writes reaches the other, signed and checked', async function () {
    this.timeout(20_000);
    const network = new MemoryNetwork();
    const plain = await withoutWebCrypto(async () => {
      const credentials = await ephemeralCredentials('insecure-A');
      return new MeshNode({ identity: { nodeId: 'insecure-A', name: 'A', role: 'operator' }, credentials, room: 'insecure', transport: memoryTransport(network), persist: false });
    });
    const secure = await MeshNode.create({ identity: { nodeId: 'insecure-B', name: 'B', role: 'operator' }, room: 'insecure', transport: memoryTransport(network), persist: false });
    try {
      // A's keys are bytes: everything A signs (its link proof, presence, batches) goes through
      // noble. (Both nodes share this page, so WebCrypto stays for B's.)
      expect(plain.credentials.key.secret).to.not.equal(undefined);
      expect(plain.credentials.operator.secret).to.not.equal(undefined);
      await waitUntil(() => plain.links().some((l) => l.verified) && secure.links().some((l) => l.verified), 'both proved their keys', 10_000);
      plain.store.create('from-a', 'track', { position: { lat: 1, lon: 2, alt: 3 } });
      await waitUntil(() => secure.store.has('from-a'), 'B has A\u2019s track', 10_000);
      secure.store.create('from-b', 'track', { position: { lat: 4, lon: 5, alt: 6 } });
      await waitUntil(() => plain.store.has('from-b'), 'A has B\u2019s track', 10_000);
      expect(secure.seals.refused).to.equal(0);
      expect(secure.peers().find((p) => p.name === 'A')?.fingerprint).to.equal(plain.credentials.fingerprint);
    } finally {
      await Promise.all([plain.destroy(), secure.destroy()]);
    }
  });
});
