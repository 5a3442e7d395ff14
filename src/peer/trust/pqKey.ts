/**
 * ML-DSA-44 (FIPS 204, `@noble/post-quantum`): the post-quantum half of the hybrid signatures
 * that carry authority (memberships, invitations, revocations, approval decisions; see
 * `hybrid.ts`). Routine batches stay Ed25519 alone (docs/security.md says why, with the costs).
 *
 * A key is made from a 32-byte seed. WebCrypto has no ML-DSA, so the seed is kept as bytes in
 * the profile's key store (script on the page could read it, as it could the Ed25519 secret on a
 * page without WebCrypto; what it protects against is a quantum adversary, not this page).
 *
 * A key is named by its id, the SHA-256 of its public key: memberships carry the member's id (32
 * bytes, not 1,312), and an owned room's id carries its owner's, so the owner's key is rooted in
 * the room's name as its Ed25519 key is.
 *
 * Sizes: public key 1,312 bytes, signature 2,420 bytes. Verification is synchronous (admission
 * runs as a peer's update arrives) and what held is remembered (`HeldSignatures`).
 */
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HeldSignatures } from './heldSignatures.js';

export const PQ_PUBLIC_KEY_BYTES = 1312;
export const PQ_SIGNATURE_BYTES = 2420;
export const PQ_SEED_BYTES = 32;
export const PQ_ID_BYTES = 32;

export interface PqKey {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
  /** SHA-256 of the public key. */
  readonly id: Uint8Array;
}

const held = new HeldSignatures(1024);
const OWNER_LABEL = new TextEncoder().encode('lattice-owner-pq/v1');

export function pqKeyFromSeed(seed: Uint8Array): PqKey {
  if (seed.byteLength !== PQ_SEED_BYTES) throw new Error(`an ML-DSA seed is ${PQ_SEED_BYTES} bytes`);
  const { publicKey, secretKey } = ml_dsa44.keygen(seed);
  return { publicKey, secretKey, id: sha256(publicKey) };
}

export function randomPqSeed(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(PQ_SEED_BYTES));
}

/**
 * The ML-DSA seed of a room owner whose Ed25519 secret is `secret` (`npm start`'s owner link
 * carries only that): the one secret gives both halves of the owner's hybrid key.
 */
export function ownerPqSeed(secret: Uint8Array): Uint8Array {
  const input = new Uint8Array(OWNER_LABEL.byteLength + secret.byteLength);
  input.set(OWNER_LABEL, 0);
  input.set(secret, OWNER_LABEL.byteLength);
  return sha256(input);
}

export function pqId(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey);
}

export function pqSign(key: PqKey, message: Uint8Array): Uint8Array {
  return ml_dsa44.sign(message, key.secretKey);
}

/** Whether `signature` by `publicKey` holds over `message`; never throws. */
export function verifyPq(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.byteLength !== PQ_SIGNATURE_BYTES || publicKey.byteLength !== PQ_PUBLIC_KEY_BYTES) return false;
  return held.check(publicKey, signature, message, () => ml_dsa44.verify(signature, message, publicKey));
}

export function isPqSeed(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === PQ_SEED_BYTES;
}
