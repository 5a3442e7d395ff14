/**
 * A node certificate: the operator's key vouches that a node key belongs to one of its nodes.
 *
 * Binary, fixed layout (138 bytes plus the node id), big-endian:
 *
 * | offset | bytes | field |
 * |---|---|---|
 * | 0 | 1 | version, 1 |
 * | 1 | 32 | node public key (raw Ed25519) |
 * | 33 | 32 | operator public key (raw Ed25519) |
 * | 65 | 1 | n, length of the node id (1–64) |
 * | 66 | n | node id (`A–Z a–z 0–9 _ -`) |
 * | 66+n | 4 | issued at, seconds since the epoch |
 * | 70+n | 4 | expires at, seconds since the epoch |
 * | 74+n | 64 | operator's Ed25519 signature over `lattice-node-cert/v1` ‖ bytes 0 … 74+n |
 *
 * `parseCertificate` refuses anything else with a `ValidationError` (wrong length, version,
 * node id, times, a node key equal to the operator key); `verifyCertificate` checks the
 * signature and the validity window. Parsing never trusts; only verifying does.
 */
import { ValidationError, isValidNodeId } from '../../crdt/index.js';
import { PUBLIC_KEY_BYTES } from './fingerprint.js';
import { sign, type SigningKey } from './signingKey.js';
import { verifyEd25519 } from './ed25519Verify.js';

export const CERTIFICATE_VERSION = 1;
export const SIGNATURE_BYTES = 64;
const MAX_NODE_ID = 64;
const FIXED_BYTES = 1 + 2 * PUBLIC_KEY_BYTES + 1 + 4 + 4 + SIGNATURE_BYTES;
/** The longest certificate there is (a 64-character node id). */
export const MAX_CERTIFICATE_BYTES = FIXED_BYTES + MAX_NODE_ID;
/** A certificate is valid for at most this long. */
export const MAX_CERTIFICATE_LIFETIME_S = 90 * 24 * 3600;
/**
 * A certificate issued up to this far in the verifier's future still counts: a device whose
 * clock was wrong when it issued one is fenced by the mesh's clock check (and can rejoin once
 * corrected), not locked out until its certificate's time comes.
 */
export const CERTIFICATE_SKEW_S = 2 * 24 * 3600;
const LABEL = new TextEncoder().encode('lattice-node-cert/v1');

export interface NodeCertificate {
  readonly nodePublicKey: Uint8Array;
  readonly operatorPublicKey: Uint8Array;
  readonly nodeId: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The bytes the operator signed (the label excluded) and the signature. */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

const fail = (message: string): never => {
  throw new ValidationError('certificate', `a node certificate ${message}`);
};

/** Reads a certificate's fields; throws `ValidationError` for anything but a well-formed one. */
export function parseCertificate(bytes: unknown): NodeCertificate {
  if (!(bytes instanceof Uint8Array)) return fail('that is not bytes');
  if (bytes.byteLength < FIXED_BYTES + 1 || bytes.byteLength > MAX_CERTIFICATE_BYTES) return fail(`of ${bytes.byteLength} bytes (${FIXED_BYTES + 1}–${MAX_CERTIFICATE_BYTES})`);
  if (bytes[0] !== CERTIFICATE_VERSION) return fail(`of version ${bytes[0]} (this node reads ${CERTIFICATE_VERSION})`);
  const n = bytes[65]!;
  if (bytes.byteLength !== FIXED_BYTES + n) return fail(`whose node id of ${n} characters does not fit its ${bytes.byteLength} bytes`);
  let nodeId = '';
  for (const c of bytes.subarray(66, 66 + n)) nodeId += String.fromCharCode(c);
  if (!isValidNodeId(nodeId)) return fail('with a malformed node id');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const issuedAt = view.getUint32(66 + n);
  const expiresAt = view.getUint32(70 + n);
  if (expiresAt <= issuedAt || expiresAt - issuedAt > MAX_CERTIFICATE_LIFETIME_S) return fail(`valid for ${expiresAt - issuedAt} s (at most ${MAX_CERTIFICATE_LIFETIME_S} s)`);
  const nodePublicKey = bytes.slice(1, 33);
  const operatorPublicKey = bytes.slice(33, 65);
  if (nodePublicKey.every((b, i) => b === operatorPublicKey[i])) return fail('whose node key is the operator key');
  return { nodePublicKey, operatorPublicKey, nodeId, issuedAt, expiresAt, signed: bytes.slice(0, 74 + n), signature: bytes.slice(74 + n) };
}

/** What the operator signs: the label, then the certificate's bytes before the signature. */
export function certificateLabelled(signed: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(LABEL.length + signed.length);
  out.set(LABEL, 0);
  out.set(signed, LABEL.length);
  return out;
}

/** The operator signs a certificate for `nodeId`'s key, valid from `nowMs` for `lifetimeS`. */
export async function issueCertificate(operator: SigningKey, nodePublicKey: Uint8Array, nodeId: string, nowMs: number, lifetimeS = 30 * 24 * 3600): Promise<Uint8Array> {
  const n = nodeId.length;
  if (!isValidNodeId(nodeId)) throw new ValidationError('node-id', `"${nodeId}" is not a node id`);
  if (nodePublicKey.byteLength !== PUBLIC_KEY_BYTES) throw new ValidationError('certificate', 'a node key is 32 bytes');
  const issuedAt = Math.floor(nowMs / 1000);
  const bytes = new Uint8Array(FIXED_BYTES + n);
  bytes[0] = CERTIFICATE_VERSION;
  bytes.set(nodePublicKey, 1);
  bytes.set(operator.publicKey, 33);
  bytes[65] = n;
  for (let i = 0; i < n; i++) bytes[66 + i] = nodeId.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  view.setUint32(66 + n, issuedAt);
  view.setUint32(70 + n, issuedAt + Math.min(lifetimeS, MAX_CERTIFICATE_LIFETIME_S));
  bytes.set(await sign(operator, certificateLabelled(bytes.subarray(0, 74 + n))), 74 + n);
  parseCertificate(bytes);
  return bytes;
}

/**
 * Why `cert` does not hold at `nowMs`, or undefined when it does: its operator's signature, and
 * its validity window.
 */
export async function certificateRefusal(cert: NodeCertificate, nowMs: number): Promise<string | undefined> {
  const now = Math.floor(nowMs / 1000);
  if (now >= cert.expiresAt) return `its certificate expired ${new Date(cert.expiresAt * 1000).toISOString()}`;
  if (cert.issuedAt > now + CERTIFICATE_SKEW_S) return `its certificate is issued in the future (${new Date(cert.issuedAt * 1000).toISOString()})`;
  const ok = verifyEd25519(cert.signature, certificateLabelled(cert.signed), cert.operatorPublicKey);
  return ok ? undefined : 'its certificate is not signed by the operator key it names';
}
