/**
 * Synchronous Ed25519 verification (noble's: WebCrypto's is asynchronous, and admission runs as
 * a peer's message arrives), remembering what held (`HeldSignatures`).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { HeldSignatures } from './heldSignatures.js';

const held = new HeldSignatures(4096);

export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.byteLength !== 64 || publicKey.byteLength !== 32) return false;
  return held.check(publicKey, signature, message, () => ed25519.verify(signature, message, publicKey, { zip215: false }));
}
