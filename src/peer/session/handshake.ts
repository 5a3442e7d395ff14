/**
 * The link handshake: a link carries data only after each end has proven its node key, bound
 * to that link.
 *
 * Each side's `hello` carries a fresh 16-byte nonce. On the peer's hello, a side sends its
 * `proof`: its certificate, the salt of its peer id, and its node key's Ed25519 signature over
 *
 *     "lattice-link-proof/v1" ‖ room ‖ prover's peer id ‖ verifier's peer id ‖ prover's nonce ‖ verifier's nonce
 *
 * (lib0 var-strings and var-byte-arrays, in that order, so the two directions sign different
 * transcripts). The verifier checks, against its own view of the link: the certificate parses
 * and its operator signature holds and it has not expired; the prover's peer id (as the link
 * names it) is derived from the certified key and the salt; the node id the hello claimed is
 * the certified one; and the signature over the transcript with the verifier's own nonce.
 * A proof made for another link (another nonce, peer or room) does not verify.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { ValidationError } from '../../crdt/index.js';
import { MAX_CERTIFICATE_BYTES, SIGNATURE_BYTES, certificateRefusal, parseCertificate, type NodeCertificate } from '../trust/certificate.js';
import type { LinkCredentials } from '../trust/credentials.js';
import { PEER_SALT_BYTES, derivePeerId, fingerprint } from '../trust/fingerprint.js';
import { sign } from '../trust/signingKey.js';
import { verifyEd25519 } from '../trust/ed25519Verify.js';
import { MSG } from './wire.js';

export const NONCE_BYTES = 16;
const LABEL = 'lattice-link-proof/v1';

/** One end of a link as the transcript names it. */
export interface LinkEnd {
  readonly peerId: string;
  readonly nonce: Uint8Array;
}

/** What a `proof` message carries. */
export interface LinkProof {
  readonly certificate: Uint8Array;
  readonly salt: Uint8Array;
  readonly signature: Uint8Array;
}

/** Who proved the other end: its certified node and keys. */
export interface VerifiedPeer {
  readonly nodeId: string;
  readonly cert: NodeCertificate;
  readonly fingerprint: string;
  readonly operatorFingerprint: string;
}

export type ProofCheck = { readonly ok: true; readonly peer: VerifiedPeer } | { readonly ok: false; readonly reason: string };

/** The bytes `prover` signs for the link between it and `verifier` in `room`. */
export function transcript(room: string, prover: LinkEnd, verifier: LinkEnd): Uint8Array<ArrayBuffer> {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, LABEL);
  encoding.writeVarString(encoder, room);
  encoding.writeVarString(encoder, prover.peerId);
  encoding.writeVarString(encoder, verifier.peerId);
  encoding.writeVarUint8Array(encoder, prover.nonce);
  encoding.writeVarUint8Array(encoder, verifier.nonce);
  return encoding.toUint8Array(encoder) as Uint8Array<ArrayBuffer>;
}

export function encodeProof(proof: LinkProof): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MSG.proof);
  encoding.writeVarUint8Array(encoder, proof.certificate);
  encoding.writeVarUint8Array(encoder, proof.salt);
  encoding.writeVarUint8Array(encoder, proof.signature);
  return encoding.toUint8Array(encoder);
}

/** Reads a proof after its type; throws `ValidationError` unless every field has its size and nothing follows. */
export function readProof(decoder: decoding.Decoder): LinkProof {
  const field = (what: string, min: number, max: number): Uint8Array => {
    if (!decoding.hasContent(decoder)) throw new ValidationError('proof', `a link proof cut short before its ${what}`);
    const length = decoding.readVarUint(decoder);
    if (length < min || length > max) throw new ValidationError('proof', `a link proof whose ${what} is ${length} bytes`);
    if (decoder.pos + length > decoder.arr.length) throw new ValidationError('proof', `a link proof cut short in its ${what}`);
    const bytes = decoder.arr.slice(decoder.pos, decoder.pos + length);
    decoder.pos += length;
    return bytes;
  };
  const certificate = field('certificate', 1, MAX_CERTIFICATE_BYTES);
  const salt = field('salt', PEER_SALT_BYTES, PEER_SALT_BYTES);
  const signature = field('signature', SIGNATURE_BYTES, SIGNATURE_BYTES);
  if (decoding.hasContent(decoder)) throw new ValidationError('proof', 'a link proof with bytes after its signature');
  return { certificate, salt, signature };
}

/** `credentials`' proof for the link from `self` to `peer` in `room`. */
export async function proveLink(credentials: LinkCredentials, room: string, self: LinkEnd, peer: LinkEnd): Promise<LinkProof> {
  const signature = await sign(credentials.key, transcript(room, self, peer));
  return { certificate: credentials.certificate, salt: credentials.salt, signature };
}

/**
 * Whether `proof` proves that the peer at `prover` (its peer id as the link names it, the nonce
 * it sent) holds a certified key for `claimedNodeId`, for this link to `verifier` (us).
 */
export async function checkProof(proof: LinkProof, room: string, prover: LinkEnd, verifier: LinkEnd, claimedNodeId: string, nowMs: number): Promise<ProofCheck> {
  let cert: NodeCertificate;
  try {
    cert = parseCertificate(proof.certificate);
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, reason: error.message };
    throw error;
  }
  if (derivePeerId(cert.nodePublicKey, proof.salt) !== prover.peerId) return { ok: false, reason: `its peer id ${prover.peerId} is not derived from its key` };
  if (cert.nodeId !== claimedNodeId) return { ok: false, reason: `it says it is node ${claimedNodeId} but its certificate is for ${cert.nodeId}` };
  const refused = await certificateRefusal(cert, nowMs);
  if (refused !== undefined) return { ok: false, reason: refused };
  const ok = verifyEd25519(proof.signature, transcript(room, prover, verifier), cert.nodePublicKey);
  if (!ok) return { ok: false, reason: 'its signature does not hold for this link (a wrong key, tampered bytes, or a proof made for another link)' };
  return { ok: true, peer: { nodeId: cert.nodeId, cert, fingerprint: fingerprint(cert.nodePublicKey), operatorFingerprint: fingerprint(cert.operatorPublicKey) } };
}
