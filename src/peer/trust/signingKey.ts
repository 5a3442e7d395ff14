/**
 * An Ed25519 key pair. In a secure context (https, localhost) it is held by WebCrypto and its
 * private key is not extractable: script on the page can sign with it but never read it. A page
 * served over plain http from another machine has no WebCrypto (`crypto.subtle` exists only in
 * secure contexts); there the key is kept as its 32-byte secret and signs with noble's Ed25519
 * (the same signatures, verified the same way), and the node says that its keys are weaker there.
 * The public key is kept raw (32 bytes) for certificates, fingerprints and peer ids.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { PUBLIC_KEY_BYTES } from './fingerprint.js';

export type SigningKey =
  | { readonly privateKey: CryptoKey; readonly publicKey: Uint8Array; readonly secret?: undefined }
  /** Without WebCrypto: the secret itself (script on the page can read it). */
  | { readonly secret: Uint8Array; readonly publicKey: Uint8Array; readonly privateKey?: undefined };

/** Whether this page can keep keys that cannot be read (WebCrypto with Ed25519's API). */
export function hasWebCryptoKeys(): boolean {
  return typeof crypto !== 'undefined' && crypto.subtle !== undefined;
}

/** A fresh key pair: WebCrypto's, non-extractable, where the page has it; else one in bytes. */
export async function generateSigningKey(): Promise<SigningKey> {
  if (!hasWebCryptoKeys()) {
    const secret = ed25519.utils.randomSecretKey();
    return { secret, publicKey: ed25519.getPublicKey(secret) };
  }
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey };
}

/** `key`'s Ed25519 signature of `message`. */
export async function sign(key: SigningKey, message: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  if (key.secret) return ed25519.sign(message, key.secret);
  return new Uint8Array(await crypto.subtle.sign('Ed25519', key.privateKey!, message));
}

/** Whether `value` is a stored key pair (IndexedDB gives back whatever was put there). */
export function isSigningKey(value: unknown): value is SigningKey {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { privateKey?: unknown; secret?: unknown; publicKey?: unknown };
  if (!(v.publicKey instanceof Uint8Array) || v.publicKey.byteLength !== PUBLIC_KEY_BYTES) return false;
  if (v.secret instanceof Uint8Array) return v.secret.byteLength === 32;
  return typeof CryptoKey !== 'undefined' && v.privateKey instanceof CryptoKey && v.privateKey.type === 'private';
}
