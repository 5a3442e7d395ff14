/**
 * Hybrid signatures on what carries authority in an owned room (issue 14 §5): approval
 * decisions and revocations. Each is signed twice, and counts only when both hold:
 *
 * - **Ed25519**: the batch that carries the entry is sealed by the writer's node key, whose
 *   certificate the operator key signed, and whose membership chain leads to the owner
 *   (`batchSeal.ts`); the entry names that operator key.
 * - **ML-DSA-44**: the entry carries an attestation by the operator's own ML-DSA key, whose id
 *   (SHA-256 of the public key) is rooted like its Ed25519 key: the owner's in the room id, a
 *   member's in its membership certificate (which the issuer signed with both halves,
 *   `membership.ts`).
 *
 * Attestation (bytes; base64 in the journal entry's `pq` field):
 *
 * | bytes | field |
 * |---|---|
 * | 8 | when it was signed, ms since the epoch (float64, big-endian) |
 * | 1,312 | the signer's ML-DSA-44 public key |
 * | 2,420 | its signature over the label ‖ room ‖ the entry's fields ‖ the time |
 *
 * The time is signed because the stamp is not (only the Ed25519 seal covers it): an entry whose
 * stamp is more than `ATTESTED_SKEW_MS` from its signed time is refused, so breaking Ed25519
 * alone cannot move a decision before a deadline or a revocation back in time.
 */
import * as encoding from 'lib0/encoding';
import { fromBase64, toBase64 } from 'lib0/buffer';
import { PQ_PUBLIC_KEY_BYTES, PQ_SIGNATURE_BYTES, pqId, pqSign, verifyPq, type PqKey } from './pqKey.js';
import { sameKey } from './membership.js';

export const ATTESTATION_BYTES = 8 + PQ_PUBLIC_KEY_BYTES + PQ_SIGNATURE_BYTES;
/** Base64 of an attestation. */
export const ATTESTATION_CHARS = Math.ceil(ATTESTATION_BYTES / 3) * 4;
/** How far an attested entry's stamp may be from the time its signer signed. */
export const ATTESTED_SKEW_MS = 5_000;

/** What a decision's attestation covers (the journal entry's fields, and the entity's id). */
export interface DecisionFields {
  readonly entityId: string;
  readonly requestId: string;
  readonly verdict: string;
  readonly operator: string;
  readonly key: string;
}

export function decisionMessage(room: string, d: DecisionFields, atMs: number): Uint8Array {
  return labelled('lattice-decision/v1', room, [d.entityId, d.requestId, d.verdict, d.operator, d.key], atMs);
}

export function revocationMessage(room: string, subject: string, note: string, atMs: number): Uint8Array {
  return labelled('lattice-revoke/v1', room, [subject, note], atMs);
}

/** `key`'s attestation of `message(atMs)`, as the journal carries it. */
export function attest(key: PqKey, atMs: number, message: (atMs: number) => Uint8Array): string {
  const bytes = new Uint8Array(ATTESTATION_BYTES);
  new DataView(bytes.buffer).setFloat64(0, atMs);
  bytes.set(key.publicKey, 8);
  bytes.set(pqSign(key, message(atMs)), 8 + PQ_PUBLIC_KEY_BYTES);
  return toBase64(bytes);
}

/**
 * Why `text` is not a valid attestation of `message` by the ML-DSA key whose id is `signerId`,
 * for an entry stamped at `stampMs`; undefined when it holds.
 */
export function attestationRefusal(text: string | undefined, signerId: Uint8Array | undefined, stampMs: number, message: (atMs: number) => Uint8Array): string | undefined {
  if (text === undefined) return 'no post-quantum signature (an owned room needs both halves)';
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(text);
  } catch {
    return 'a post-quantum signature that is not base64';
  }
  if (bytes.byteLength !== ATTESTATION_BYTES) return `a post-quantum signature of ${bytes.byteLength} bytes (${ATTESTATION_BYTES})`;
  const atMs = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(0);
  if (!Number.isFinite(atMs) || Math.abs(stampMs - atMs) > ATTESTED_SKEW_MS) return 'a post-quantum signature made at another time than its stamp';
  const publicKey = bytes.subarray(8, 8 + PQ_PUBLIC_KEY_BYTES);
  if (signerId === undefined || !sameKey(pqId(publicKey), signerId)) return 'a post-quantum signature by a key its membership does not name';
  if (!verifyPq(bytes.subarray(8 + PQ_PUBLIC_KEY_BYTES), message(atMs), publicKey)) return 'a post-quantum signature that does not hold';
  return undefined;
}

function labelled(label: string, room: string, fields: readonly string[], atMs: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, label);
  encoding.writeVarString(encoder, room);
  for (const field of fields) encoding.writeVarString(encoder, field);
  encoding.writeFloat64(encoder, atMs);
  return encoding.toUint8Array(encoder);
}
