/**
 * An Ed25519 key pair held by WebCrypto: the private key is not extractable (script on the page
 * can sign with it but never read it), the public key is kept raw (32 bytes) for certificates,
 * fingerprints and peer ids.
 */
import { PUBLIC_KEY_BYTES } from './fingerprint.js';

export interface SigningKey {
  readonly privateKey: CryptoKey;
  /** Raw Ed25519 public key. */
  readonly publicKey: Uint8Array;
}

/** A fresh key pair whose private key never leaves WebCrypto (and IndexedDB, as a CryptoKey). */
export async function generateSigningKey(): Promise<SigningKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey };
}

/** A raw Ed25519 public key as a WebCrypto key that verifies. */
export function importPublicKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.byteLength !== PUBLIC_KEY_BYTES) throw new Error(`an Ed25519 public key is ${PUBLIC_KEY_BYTES} bytes, not ${raw.byteLength}`);
  return crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, true, ['verify']);
}

/** Whether `value` is a stored key pair (IndexedDB gives back whatever was put there). */
export function isSigningKey(value: unknown): value is SigningKey {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<SigningKey>;
  return v.privateKey instanceof CryptoKey && v.privateKey.type === 'private' && v.publicKey instanceof Uint8Array && v.publicKey.byteLength === PUBLIC_KEY_BYTES;
}
