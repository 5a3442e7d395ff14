/**
 * Invitations to an owned room (issue 14 §2). An invitation is a link whose fragment (never sent
 * to a server) carries a grant and the secret half of a one-off invitation key:
 *
 * Grant, fixed layout (2,555 bytes):
 *
 * | offset | bytes | field |
 * |---|---|---|
 * | 0 | 1 | version, 1 |
 * | 1 | 1 | role (`ROOM_ROLES` index) |
 * | 2 | 1 | flags: bit 0, may invite |
 * | 3 | 32 | the invitation's public key |
 * | 35 | 32 | issuer: the operator key (or the room's owner key) that signs |
 * | 67 | 4 | expires at, seconds since the epoch |
 * | 71 | 64 | the issuer's Ed25519 signature over `lattice-invitation/v1` ‖ room ‖ bytes 0 … 71 |
 * | 135 | 2,420 | the issuer's ML-DSA-44 signature over the same (issue 14 §5: both must hold) |
 *
 * Only the issuer's nodes admit on a grant, and they check its ML-DSA half against their own key
 * (so the grant need not carry it); the newcomer can check only the Ed25519 half, to say early
 * that a link was altered.
 *
 * A node that opens the link proves it holds the invitation for its own operator key (a join
 * proof: the grant, the operator's ML-DSA key id, and the invitation key's signature over
 * `lattice-join/v1` ‖ room ‖ grant ‖ that operator key ‖ that key id) in its presence. A node of the issuer (any tab of its profile, or a node
 * holding the room's owner key) that sees it checks the grant against its own clock and, if it
 * holds, issues a membership certificate (`membership.ts`) and publishes it in the room. The
 * certificate is what counts; the link alone gives nothing. So an expired link is refused by the
 * honest clock that issues, whatever the newcomer's clock says, and the secret in the link never
 * leaves the newcomer's page.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import * as encoding from 'lib0/encoding';
import { fromBase64, toBase64 } from 'lib0/buffer';
import { ValidationError } from '../../crdt/index.js';
import { SIGNATURE_BYTES } from './certificate.js';
import { verifyEd25519 } from './ed25519Verify.js';
import { PUBLIC_KEY_BYTES } from './fingerprint.js';
import { ROOM_ROLES, type RoomRole, type Signer } from './membership.js';
import { PQ_ID_BYTES, PQ_SIGNATURE_BYTES, ownerPqSeed, pqKeyFromSeed, pqSign, verifyPq } from './pqKey.js';

export const GRANT_BYTES = 71 + SIGNATURE_BYTES + PQ_SIGNATURE_BYTES;
const TOKEN_BYTES = GRANT_BYTES + 32;
const PROOF_BYTES = GRANT_BYTES + PQ_ID_BYTES + SIGNATURE_BYTES;
/** An invitation is valid for at most this long. */
export const MAX_INVITATION_S = 30 * 24 * 3600;
const GRANT_LABEL = 'lattice-invitation/v1';
const JOIN_LABEL = 'lattice-join/v1';

export interface Grant {
  readonly role: RoomRole;
  readonly mayInvite: boolean;
  readonly invitationKey: Uint8Array;
  readonly issuer: Uint8Array;
  readonly expiresAt: number;
  readonly bytes: Uint8Array;
}

/** What a link carries: the grant and the invitation's secret key. */
export interface Invitation {
  readonly grant: Grant;
  readonly secret: Uint8Array;
}

const fail = (message: string): never => {
  throw new ValidationError('invitation', message);
};

function labelled(label: string, room: string, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, label);
  encoding.writeVarString(encoder, room);
  for (const part of parts) encoding.writeUint8Array(encoder, part);
  return encoding.toUint8Array(encoder) as Uint8Array<ArrayBuffer>;
}

export function parseGrant(bytes: Uint8Array): Grant {
  if (bytes.byteLength !== GRANT_BYTES) return fail(`An invitation's grant is ${GRANT_BYTES} bytes, not ${bytes.byteLength}.`);
  if (bytes[0] !== 1) return fail(`An invitation of version ${bytes[0]} (this app reads 1).`);
  const role = ROOM_ROLES[bytes[1]!];
  if (!role || bytes[2]! > 1) return fail('An invitation with an unknown role or flag.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { role, mayInvite: bytes[2] === 1, invitationKey: bytes.slice(3, 35), issuer: bytes.slice(35, 67), expiresAt: view.getUint32(67), bytes };
}

/** Whether `grant`'s Ed25519 half is signed by its issuer for `room` (all a newcomer can check). */
export function grantSigned(room: string, grant: Grant): boolean {
  return verifyEd25519(grant.bytes.subarray(71, 71 + SIGNATURE_BYTES), labelled(GRANT_LABEL, room, grant.bytes.subarray(0, 71)), grant.issuer);
}

/** Whether `grant`'s ML-DSA half holds for the issuer's ML-DSA public key `issuerPq`. */
export function grantPqSigned(room: string, grant: Grant, issuerPq: Uint8Array): boolean {
  return verifyPq(grant.bytes.subarray(71 + SIGNATURE_BYTES), labelled(GRANT_LABEL, room, grant.bytes.subarray(0, 71)), issuerPq);
}

/** `issuer` invites one role into `room` until `expiresAtS`; the invitation to put in a link. */
export async function createInvitation(room: string, issuer: Signer, terms: { role: RoomRole; mayInvite?: boolean; expiresAtS: number; nowMs: number }): Promise<Invitation> {
  if (terms.expiresAtS <= terms.nowMs / 1000 || terms.expiresAtS - terms.nowMs / 1000 > MAX_INVITATION_S) {
    fail(`An invitation is valid for up to ${MAX_INVITATION_S / 86400} days.`);
  }
  const secret = ed25519.utils.randomSecretKey();
  const bytes = new Uint8Array(GRANT_BYTES);
  bytes[0] = 1;
  bytes[1] = ROOM_ROLES.indexOf(terms.role);
  bytes[2] = terms.mayInvite ? 1 : 0;
  bytes.set(ed25519.getPublicKey(secret), 3);
  bytes.set(issuer.publicKey, 35);
  new DataView(bytes.buffer).setUint32(67, Math.floor(terms.expiresAtS));
  const message = labelled(GRANT_LABEL, room, bytes.subarray(0, 71));
  bytes.set(await issuer.sign(message), 71);
  bytes.set(pqSign(issuer.pq, message), 71 + SIGNATURE_BYTES);
  return { grant: parseGrant(bytes), secret };
}

/** The link fragment's value (base64url). */
export function encodeInvitation(invitation: Invitation): string {
  const bytes = new Uint8Array(TOKEN_BYTES);
  bytes.set(invitation.grant.bytes, 0);
  bytes.set(invitation.secret, GRANT_BYTES);
  return base64url(bytes);
}

/** Reads a link's invitation; throws `ValidationError` saying why it cannot be one. */
export function decodeInvitation(token: string): Invitation {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64url(token);
  } catch {
    return fail('The invitation in this link is damaged (not base64url); ask for the link again.');
  }
  if (bytes.byteLength !== TOKEN_BYTES) return fail('The invitation in this link is damaged (wrong length); ask for the link again.');
  const grant = parseGrant(bytes.slice(0, GRANT_BYTES));
  const secret = bytes.slice(GRANT_BYTES);
  if (!ed25519.getPublicKey(secret).every((b, i) => b === grant.invitationKey[i])) fail('The invitation in this link is damaged (its key does not match); ask for the link again.');
  return { grant, secret };
}

/**
 * The newcomer's proof, for its presence: it holds `invitation` and wants it for `operatorKey`,
 * whose ML-DSA key id is `operatorPq` (its membership will name both).
 */
export function joinProof(room: string, invitation: Invitation, operatorKey: Uint8Array, operatorPq: Uint8Array): string {
  const sig = ed25519.sign(labelled(JOIN_LABEL, room, invitation.grant.bytes, operatorKey, operatorPq), invitation.secret);
  const bytes = new Uint8Array(PROOF_BYTES);
  bytes.set(invitation.grant.bytes, 0);
  bytes.set(operatorPq, GRANT_BYTES);
  bytes.set(sig, GRANT_BYTES + PQ_ID_BYTES);
  return toBase64(bytes);
}

/** What a join proof that holds gives: the grant, and the newcomer's ML-DSA key id. */
export interface Join {
  readonly grant: Grant;
  readonly memberPq: Uint8Array;
}

/** The key that issued the grant in a join proof, read without checking anything; undefined if it is not one. */
export function joinIssuer(proof: string): Uint8Array | undefined {
  try {
    const bytes = fromBase64(proof);
    return bytes.byteLength === PROOF_BYTES ? bytes.slice(35, 67) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The grant a join proof holds for `operatorKey` in `room`, if the proof holds and the grant is
 * signed with both halves (the issuer's ML-DSA public key is `issuerPq`: the admitting node's
 * own) and unexpired at `nowMs` (the admitting node's clock); otherwise why not.
 */
export function checkJoin(room: string, proof: string, operatorKey: Uint8Array, nowMs: number, issuerPq: Uint8Array): Join | string {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(proof);
  } catch {
    return 'a join proof that is not base64';
  }
  if (bytes.byteLength !== PROOF_BYTES) return 'a join proof of the wrong length';
  let grant: Grant;
  try {
    grant = parseGrant(bytes.slice(0, GRANT_BYTES));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (!grantSigned(room, grant)) return 'an invitation its issuer did not sign for this room';
  if (!grantPqSigned(room, grant, issuerPq)) return 'an invitation whose post-quantum signature does not hold';
  if (nowMs / 1000 >= grant.expiresAt) return `an invitation that expired ${new Date(grant.expiresAt * 1000).toISOString()}`;
  const memberPq = bytes.slice(GRANT_BYTES, GRANT_BYTES + PQ_ID_BYTES);
  if (!verifyEd25519(bytes.subarray(GRANT_BYTES + PQ_ID_BYTES), labelled(JOIN_LABEL, room, grant.bytes, operatorKey, memberPq), grant.invitationKey)) return 'a join proof the invitation key did not sign';
  return { grant, memberPq };
}

/** A key held in memory (an owner key from `npm start`'s link) as a `Signer`, with the ML-DSA key it derives (`ownerPqSeed`). */
export function secretSigner(secret: Uint8Array): Signer {
  return { publicKey: ed25519.getPublicKey(secret), sign: (message) => Promise.resolve(ed25519.sign(message, secret)), pq: pqKeyFromSeed(ownerPqSeed(secret)) };
}

export function base64url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return fromBase64(padded);
}

/** A room's owner: its Ed25519 key, and its ML-DSA-44 key id (`pqKey.ts`). */
export interface RoomOwner {
  readonly key: Uint8Array;
  readonly pq: Uint8Array;
}

/** A room owner as a URL and a room id carry it (`KEY.PQID`, each 43 characters of base64url). */
export function formatOwner(owner: RoomOwner): string {
  return `${base64url(owner.key)}.${base64url(owner.pq)}`;
}

/** Reads `formatOwner`'s text; throws if it is not one (a key alone is from before post-quantum roots). */
export function parseOwner(text: string): RoomOwner {
  const [key, pq, ...rest] = text.split('.');
  if (pq === undefined || rest.length > 0) throw new Error('an owner is a key and a post-quantum key id (KEY.PQID)');
  const k = fromBase64url(key!);
  const p = fromBase64url(pq);
  if (k.byteLength !== PUBLIC_KEY_BYTES || p.byteLength !== 32) throw new Error(`an owner is a ${PUBLIC_KEY_BYTES}-byte key and a 32-byte key id`);
  return { key: k, pq: p };
}
