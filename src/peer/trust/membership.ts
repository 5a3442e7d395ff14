/**
 * Who may do what in an owned room (issue 14 §2): a membership certificate says that an
 * operator key holds a role in one room, signed by a key that may say so. A chain of them leads
 * from the room's owner key to the operator key of the node that signs a batch.
 *
 * Membership certificate, fixed layout (171 bytes), big-endian:
 *
 * | offset | bytes | field |
 * |---|---|---|
 * | 0 | 1 | version, 1 |
 * | 1 | 1 | role: 0 owner, 1 operator, 2 viewer |
 * | 2 | 1 | flags: bit 0, may invite |
 * | 3 | 32 | member: the operator key the role is given to |
 * | 35 | 32 | issuer: the operator key (or the room's owner key) that signs |
 * | 67 | 32 | the invitation's key it was issued for (all zero when issued directly) |
 * | 99 | 4 | issued at, seconds since the epoch |
 * | 103 | 4 | expires at |
 * | 107 | 64 | the issuer's Ed25519 signature over `lattice-member/v1` ‖ room ‖ bytes 0 … 107 |
 *
 * A chain is valid for a batch stamped at `t` in room `R` owned by key `O` when: the first
 * certificate is issued by `O`; each next one by the member of the one before, which may invite
 * (an owner, or an operator given the flag); an operator gives only operator or viewer, and never
 * the flag; every certificate is signed for `R` and valid at `t`; the last one's member is the
 * signing node's operator key. The owner key itself needs no chain. Judged from the bytes alone,
 * so every replica judges a chain alike.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { ValidationError } from '../../crdt/index.js';
import { SIGNATURE_BYTES } from './certificate.js';
import { verifyEd25519 } from './ed25519Verify.js';
import { PUBLIC_KEY_BYTES } from './fingerprint.js';
import { sign, type SigningKey } from './signingKey.js';

export const ROOM_ROLES = ['owner', 'operator', 'viewer'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

export const MEMBERSHIP_VERSION = 1;
export const MEMBERSHIP_BYTES = 107 + SIGNATURE_BYTES;
/** A chain is at most this long (owner → inviter → inviter's invitee). */
export const MAX_CHAIN = 3;
/** A membership is valid for at most this long; a person is invited again after it. */
export const MAX_MEMBERSHIP_S = 90 * 24 * 3600;
/** Issued up to this far in the verifier's future still counts (see `CERTIFICATE_SKEW_S`). */
const SKEW_S = 2 * 24 * 3600;
const LABEL = 'lattice-member/v1';
const NO_INVITATION = new Uint8Array(PUBLIC_KEY_BYTES);

/** Something that signs: a WebCrypto key of the profile, or a key held in memory. */
export interface Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
}

export interface Membership {
  readonly role: RoomRole;
  readonly mayInvite: boolean;
  readonly member: Uint8Array;
  readonly issuer: Uint8Array;
  readonly invitation: Uint8Array | undefined;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly bytes: Uint8Array;
}

const fail = (message: string): never => {
  throw new ValidationError('membership', `a membership ${message}`);
};

export function parseMembership(bytes: Uint8Array): Membership {
  if (bytes.byteLength !== MEMBERSHIP_BYTES) return fail(`of ${bytes.byteLength} bytes (${MEMBERSHIP_BYTES})`);
  if (bytes[0] !== MEMBERSHIP_VERSION) return fail(`of version ${bytes[0]}`);
  const role = ROOM_ROLES[bytes[1]!];
  if (!role) return fail(`with role ${bytes[1]}`);
  if (bytes[2]! > 1) return fail(`with flags ${bytes[2]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const issuedAt = view.getUint32(99);
  const expiresAt = view.getUint32(103);
  if (expiresAt <= issuedAt || expiresAt - issuedAt > MAX_MEMBERSHIP_S) return fail(`valid for ${expiresAt - issuedAt} s (at most ${MAX_MEMBERSHIP_S} s)`);
  const invitation = bytes.slice(67, 99);
  return {
    role,
    mayInvite: bytes[2] === 1,
    member: bytes.slice(3, 35),
    issuer: bytes.slice(35, 67),
    invitation: invitation.every((b) => b === 0) ? undefined : invitation,
    issuedAt,
    expiresAt,
    bytes,
  };
}

function signedPart(room: string, bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, LABEL);
  encoding.writeVarString(encoder, room);
  encoding.writeUint8Array(encoder, bytes.subarray(0, 107));
  return encoding.toUint8Array(encoder) as Uint8Array<ArrayBuffer>;
}

export interface MembershipTerms {
  readonly role: RoomRole;
  readonly mayInvite: boolean;
  readonly member: Uint8Array;
  readonly invitation?: Uint8Array | undefined;
  readonly nowMs: number;
  readonly lifetimeS?: number;
}

/** `issuer` gives `terms.member` its role in `room`. */
export async function issueMembership(room: string, issuer: Signer, terms: MembershipTerms): Promise<Uint8Array> {
  const bytes = new Uint8Array(MEMBERSHIP_BYTES);
  bytes[0] = MEMBERSHIP_VERSION;
  bytes[1] = ROOM_ROLES.indexOf(terms.role);
  bytes[2] = terms.mayInvite ? 1 : 0;
  bytes.set(terms.member, 3);
  bytes.set(issuer.publicKey, 35);
  bytes.set(terms.invitation ?? NO_INVITATION, 67);
  const view = new DataView(bytes.buffer);
  const issuedAt = Math.floor(terms.nowMs / 1000);
  view.setUint32(99, issuedAt);
  view.setUint32(103, issuedAt + Math.min(terms.lifetimeS ?? MAX_MEMBERSHIP_S, MAX_MEMBERSHIP_S));
  bytes.set(await issuer.sign(signedPart(room, bytes)), 107);
  return bytes;
}

/** A chain's bytes: a count, then the certificates (owner's first). */
export function encodeChain(chain: readonly Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, chain.length);
  for (const link of chain) encoding.writeUint8Array(encoder, link);
  return encoding.toUint8Array(encoder);
}

/** Reads a chain written by `encodeChain` from `decoder`; throws for anything else. */
export function readChain(decoder: decoding.Decoder): Uint8Array[] {
  const n = decoding.readUint8(decoder);
  if (n > MAX_CHAIN) fail(`chain of ${n} certificates (at most ${MAX_CHAIN})`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(decoding.readUint8Array(decoder, MEMBERSHIP_BYTES));
  return out;
}

export function decodeChain(bytes: Uint8Array): Uint8Array[] {
  const decoder = decoding.createDecoder(bytes);
  const chain = readChain(decoder);
  if (decoding.hasContent(decoder)) fail('chain with bytes after it');
  return chain;
}

/** What a valid chain gives its last member. */
export interface Standing {
  readonly role: RoomRole;
  readonly mayInvite: boolean;
  /** Every key the standing rests on (the issuers' and the member's): revoking one ends it. */
  readonly keys: readonly Uint8Array[];
  /** Until when the chain holds (seconds): its earliest expiry. */
  readonly expiresAt: number;
}

const RANK: Record<RoomRole, number> = { owner: 0, operator: 1, viewer: 2 };

/** May a holder of `issuer` standing give `cert`'s role and flag? */
function mayGive(issuer: { role: RoomRole; mayInvite: boolean }, cert: Membership): boolean {
  if (issuer.role === 'owner') return true;
  return issuer.role === 'operator' && issuer.mayInvite && RANK[cert.role] >= RANK.operator && !cert.mayInvite;
}

/**
 * The standing `chain` gives `operatorKey` in `room` owned by `owner` at `atS` (seconds), or why
 * it gives none. Signatures are verified (and remembered by `verifyEd25519`).
 */
export function standingOf(room: string, owner: Uint8Array, chain: readonly Uint8Array[], operatorKey: Uint8Array, atS: number): Standing | string {
  if (chain.length === 0) {
    return sameKey(operatorKey, owner) ? { role: 'owner', mayInvite: true, keys: [owner], expiresAt: Infinity } : 'no membership in this room';
  }
  if (chain.length > MAX_CHAIN) return `a membership chain of ${chain.length} (at most ${MAX_CHAIN})`;
  let holder: { key: Uint8Array; role: RoomRole; mayInvite: boolean } = { key: owner, role: 'owner', mayInvite: true };
  const keys: Uint8Array[] = [owner];
  let expiresAt = Infinity;
  for (const bytes of chain) {
    let cert: Membership;
    try {
      cert = parseMembership(bytes);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    if (!sameKey(cert.issuer, holder.key)) return 'a membership chain that does not lead from the room owner';
    if (!mayGive(holder, cert)) return `a ${cert.role} membership given by a member who may not give it`;
    if (atS >= cert.expiresAt) return `a membership that expired ${new Date(cert.expiresAt * 1000).toISOString()}`;
    if (atS < cert.issuedAt - SKEW_S) return 'a membership used before it was issued';
    if (!verifyEd25519(bytes.subarray(107), signedPart(room, bytes), cert.issuer)) return 'a membership its issuer did not sign for this room';
    holder = { key: cert.member, role: cert.role, mayInvite: cert.mayInvite };
    keys.push(cert.member);
    expiresAt = Math.min(expiresAt, cert.expiresAt);
  }
  if (!sameKey(holder.key, operatorKey)) return 'a membership of another operator key';
  return { role: holder.role, mayInvite: holder.role === 'owner' || holder.mayInvite, keys, expiresAt };
}

export function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}

/** A profile's key as a `Signer`. */
export function cryptoSigner(key: SigningKey): Signer {
  return { publicKey: key.publicKey, sign: (message) => sign(key, message) };
}

export { PUBLIC_KEY_BYTES };
