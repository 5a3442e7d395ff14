/**
 * How keys are named for people and for the mesh. A fingerprint is what a person compares
 * (`3F2A-09C1-77D0-B4E8`: the first 8 bytes of SHA-256 of the raw public key); a peer id is what
 * links and presence use, derived from the node's public key so that no node can claim another's.
 *
 * SHA-256 here is lib0's synchronous one: a node's peer id is needed while it is constructed.
 */
import { digest } from 'lib0/hash/sha256';

/** Raw Ed25519 public keys are this long. */
export const PUBLIC_KEY_BYTES = 32;
/** A peer id is salted per mesh instance, so a reloaded tab (same node key) is a new peer. */
export const PEER_SALT_BYTES = 8;
/** Base32 characters of a peer id after its `p`: 100 bits of SHA-256. */
const PEER_ID_CHARS = 20;
const PEER_ID_LABEL = new TextEncoder().encode('lattice-peer-id/v1');
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `XXXX-XXXX-XXXX-XXXX`: the first 8 bytes of SHA-256 of `publicKey`, in hex. */
export function fingerprint(publicKey: Uint8Array): string {
  const hex = Array.from(digest(publicKey).subarray(0, 8), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
  return hex.match(/.{4}/g)!.join('-');
}

/** Lowercase RFC 4648 base32 without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * `p` and 20 base32 characters of SHA-256(label ‖ public key ‖ salt). Claiming another node's
 * peer id means finding a key (one's own) whose hash matches 100 bits of it.
 */
export function derivePeerId(publicKey: Uint8Array, salt: Uint8Array): string {
  const input = new Uint8Array(PEER_ID_LABEL.length + publicKey.length + salt.length);
  input.set(PEER_ID_LABEL, 0);
  input.set(publicKey, PEER_ID_LABEL.length);
  input.set(salt, PEER_ID_LABEL.length + publicKey.length);
  return `p${base32(digest(input)).slice(0, PEER_ID_CHARS)}`;
}
