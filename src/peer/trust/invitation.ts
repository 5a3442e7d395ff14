/**
 * Invitations to an owned room (issue 14 §2). An invitation is a link whose fragment (never sent
 * to a server) carries a grant and the secret half of a one-off invitation key:
 *
 * Grant, fixed layout (135 bytes):
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
 *
 * A node that opens the link proves it holds the invitation for its own operator key (a join
 * proof: the grant and the invitation key's signature over `lattice-join/v1` ‖ room ‖ grant ‖
 * that operator key) in its presence. A node of the issuer (any tab of its profile, or a node
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

export const GRANT_BYTES = 71 + SIGNATURE_BYTES;
const TOKEN_BYTES = GRANT_BYTES + 32;
const PROOF_BYTES = GRANT_BYTES + SIGNATURE_BYTES;
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

/** Whether `grant` is signed by its issuer for `room`. */
export function grantSigned(room: string, grant: Grant): boolean {
  return verifyEd25519(grant.bytes.subarray(71), labelled(GRANT_LABEL, room, grant.bytes.subarray(0, 71)), grant.issuer);
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
  bytes.set(await issuer.sign(labelled(GRANT_LABEL, room, bytes.subarray(0, 71))), 71);
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

/** The newcomer's proof, for its presence: it holds `invitation` and wants it for `operatorKey`. */
export function joinProof(room: string, invitation: Invitation, operatorKey: Uint8Array): string {
  const sig = ed25519.sign(labelled(JOIN_LABEL, room, invitation.grant.bytes, operatorKey), invitation.secret);
  const bytes = new Uint8Array(PROOF_BYTES);
  bytes.set(invitation.grant.bytes, 0);
  bytes.set(sig, GRANT_BYTES);
  return toBase64(bytes);
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
 * signed and unexpired at `nowMs` (the admitting node's clock); otherwise why not.
 */
export function checkJoin(room: string, proof: string, operatorKey: Uint8Array, nowMs: number): Grant | string {
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
  if (nowMs / 1000 >= grant.expiresAt) return `an invitation that expired ${new Date(grant.expiresAt * 1000).toISOString()}`;
  if (!verifyEd25519(bytes.subarray(GRANT_BYTES), labelled(JOIN_LABEL, room, grant.bytes, operatorKey), grant.invitationKey)) return 'a join proof the invitation key did not sign';
  return grant;
}

/** A key held in memory (an owner key from `npm start`'s link) as a `Signer`. */
export function secretSigner(secret: Uint8Array): Signer {
  return { publicKey: ed25519.getPublicKey(secret), sign: (message) => Promise.resolve(ed25519.sign(message, secret)) };
}

export function base64url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return fromBase64(padded);
}

/** A room owner key as a URL carries it (43 characters of base64url); throws if it is not one. */
export function parseOwnerKey(text: string): Uint8Array {
  const bytes = fromBase64url(text);
  if (bytes.byteLength !== PUBLIC_KEY_BYTES) throw new Error(`an owner key is ${PUBLIC_KEY_BYTES} bytes`);
  return bytes;
}
