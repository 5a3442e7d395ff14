/**
 * Who may do what in an owned room (issue 14 §2): a membership certificate says that an
 * operator key holds a role in one room, signed by a key that may say so. A chain of them leads
 * from the room's owner key to the operator key of the node that signs a batch.
 *
 * Membership certificate, fixed layout (203 bytes), big-endian:
 *
 * | offset | bytes | field |
 * |---|---|---|
 * | 0 | 1 | version, 2 |
 * | 1 | 1 | role: 0 owner, 1 operator, 2 viewer |
 * | 2 | 1 | flags: bit 0, may invite |
 * | 3 | 32 | member: the operator key the role is given to |
 * | 35 | 32 | issuer: the operator key (or the room's owner key) that signs |
 * | 67 | 32 | the invitation's key it was issued for (all zero when issued directly) |
 * | 99 | 4 | issued at, seconds since the epoch |
 * | 103 | 4 | expires at |
 * | 107 | 32 | the member's ML-DSA-44 key id (`pqKey.ts`) |
 * | 139 | 64 | the issuer's Ed25519 signature over `lattice-member/v1` ‖ room ‖ bytes 0 … 139 |
 *
 * A membership is a hybrid certificate (issue 14 §5): the issuer also signs the same message
 * with its ML-DSA-44 key. That half (the issuer's ML-DSA public key and signature, 3,732 bytes)
 * is too large to ride in every batch's seal, so it travels once, in the admission entry that
 * publishes the chain (`encodeChainPq`), and a chain counts only once an admission carrying both
 * halves of every link is known (`RoomAuthority`). The first link's ML-DSA key is the owner's,
 * named by the room id; each next one's is the key id the link before names for its member.
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
import { PQ_PUBLIC_KEY_BYTES, PQ_SIGNATURE_BYTES, pqId, pqSign, verifyPq, type PqKey } from './pqKey.js';
import { fromBase64, toBase64 } from 'lib0/buffer';

export const ROOM_ROLES = ['owner', 'operator', 'viewer'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

export const MEMBERSHIP_VERSION = 2;
/** Where the Ed25519 signature starts: everything before it is signed. */
const SIGNED_BYTES = 139;
export const MEMBERSHIP_BYTES = SIGNED_BYTES + SIGNATURE_BYTES;
/** One link's post-quantum half: the issuer's ML-DSA public key and signature. */
export const LINK_PQ_BYTES = PQ_PUBLIC_KEY_BYTES + PQ_SIGNATURE_BYTES;
/** A chain is at most this long (owner → inviter → inviter's invitee). */
export const MAX_CHAIN = 3;
/** A membership is valid for at most this long; a person is invited again after it. */
export const MAX_MEMBERSHIP_S = 90 * 24 * 3600;
/** Issued up to this far in the verifier's future still counts (see `CERTIFICATE_SKEW_S`). */
const SKEW_S = 2 * 24 * 3600;
const LABEL = 'lattice-member/v1';
const NO_INVITATION = new Uint8Array(PUBLIC_KEY_BYTES);

/** Something that signs with both halves: an Ed25519 key (WebCrypto's, or held in memory) and an ML-DSA key. */
export interface Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
  readonly pq: PqKey;
}

export interface Membership {
  readonly role: RoomRole;
  readonly mayInvite: boolean;
  readonly member: Uint8Array;
  readonly issuer: Uint8Array;
  readonly invitation: Uint8Array | undefined;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The member's ML-DSA key id. */
  readonly memberPq: Uint8Array;
  readonly bytes: Uint8Array;
}

/** A membership as issued: its bytes, and its post-quantum half for the admission entry. */
export interface IssuedMembership {
  readonly bytes: Uint8Array;
  readonly pq: Uint8Array;
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
    memberPq: bytes.slice(107, SIGNED_BYTES),
    bytes,
  };
}

function signedPart(room: string, bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, LABEL);
  encoding.writeVarString(encoder, room);
  encoding.writeUint8Array(encoder, bytes.subarray(0, SIGNED_BYTES));
  return encoding.toUint8Array(encoder) as Uint8Array<ArrayBuffer>;
}

export interface MembershipTerms {
  readonly role: RoomRole;
  readonly mayInvite: boolean;
  readonly member: Uint8Array;
  /** The member's ML-DSA key id. */
  readonly memberPq: Uint8Array;
  readonly invitation?: Uint8Array | undefined;
  readonly nowMs: number;
  readonly lifetimeS?: number;
}

/** `issuer` gives `terms.member` its role in `room`, signed with both halves of its key. */
export async function issueMembership(room: string, issuer: Signer, terms: MembershipTerms): Promise<IssuedMembership> {
  if (terms.memberPq.byteLength !== 32) throw new ValidationError('membership', 'a member is named by its ML-DSA key id (32 bytes)');
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
  bytes.set(terms.memberPq, 107);
  const message = signedPart(room, bytes);
  bytes.set(await issuer.sign(message), SIGNED_BYTES);
  const pq = new Uint8Array(LINK_PQ_BYTES);
  pq.set(issuer.pq.publicKey, 0);
  pq.set(pqSign(issuer.pq, message), PQ_PUBLIC_KEY_BYTES);
  return { bytes, pq };
}

/** A chain's post-quantum halves as an admission entry carries them (base64). */
export function encodeChainPq(halves: readonly Uint8Array[]): string {
  const out = new Uint8Array(halves.length * LINK_PQ_BYTES);
  halves.forEach((h, i) => out.set(h, i * LINK_PQ_BYTES));
  return toBase64(out);
}

/** The halves in `text`, one per link; throws for anything else. */
export function decodeChainPq(text: string): Uint8Array[] {
  const bytes = fromBase64(text);
  if (bytes.byteLength % LINK_PQ_BYTES !== 0 || bytes.byteLength / LINK_PQ_BYTES > MAX_CHAIN) fail(`post-quantum half of ${bytes.byteLength} bytes`);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += LINK_PQ_BYTES) out.push(bytes.slice(at, at + LINK_PQ_BYTES));
  return out;
}

/**
 * Why the post-quantum halves `pqText` do not attest every link of `chain` in `room` (whose
 * owner's ML-DSA key id is `ownerPq`), or undefined when they do: each link's ML-DSA key is the
 * one the link before names (the owner's for the first), and its signature holds over the same
 * message as the link's Ed25519 signature. The Ed25519 half is `standingOf`'s to judge.
 */
export function chainPqRefusal(room: string, ownerPq: Uint8Array, chain: readonly Uint8Array[], pqText: string | undefined): string | undefined {
  if (pqText === undefined) return 'a membership chain without its post-quantum signatures';
  let halves: Uint8Array[];
  try {
    halves = decodeChainPq(pqText);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (halves.length !== chain.length) return `post-quantum signatures for ${halves.length} of ${chain.length} memberships`;
  let expected = ownerPq;
  for (let i = 0; i < chain.length; i++) {
    let cert: Membership;
    try {
      cert = parseMembership(chain[i]!);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    const publicKey = halves[i]!.subarray(0, PQ_PUBLIC_KEY_BYTES);
    if (!sameKey(pqId(publicKey), expected)) return 'a membership signed by an ML-DSA key its issuer does not hold';
    if (!verifyPq(halves[i]!.subarray(PQ_PUBLIC_KEY_BYTES, PQ_PUBLIC_KEY_BYTES + PQ_SIGNATURE_BYTES), signedPart(room, cert.bytes), publicKey)) return 'a membership whose post-quantum signature does not hold';
    expected = cert.memberPq;
  }
  return undefined;
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
  /** The member's ML-DSA key id, as its membership names it; undefined for the owner (the room id names the owner's). */
  readonly memberPq: Uint8Array | undefined;
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
    return sameKey(operatorKey, owner) ? { role: 'owner', mayInvite: true, keys: [owner], expiresAt: Infinity, memberPq: undefined } : 'no membership in this room';
  }
  if (chain.length > MAX_CHAIN) return `a membership chain of ${chain.length} (at most ${MAX_CHAIN})`;
  let holder: { key: Uint8Array; role: RoomRole; mayInvite: boolean; pq: Uint8Array | undefined } = { key: owner, role: 'owner', mayInvite: true, pq: undefined };
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
    if (!verifyEd25519(bytes.subarray(SIGNED_BYTES), signedPart(room, bytes), cert.issuer)) return 'a membership its issuer did not sign for this room';
    holder = { key: cert.member, role: cert.role, mayInvite: cert.mayInvite, pq: cert.memberPq };
    keys.push(cert.member);
    expiresAt = Math.min(expiresAt, cert.expiresAt);
  }
  if (!sameKey(holder.key, operatorKey)) return 'a membership of another operator key';
  return { role: holder.role, mayInvite: holder.role === 'owner' || holder.mayInvite, keys, expiresAt, memberPq: holder.pq };
}

export function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}

/** A profile's keys as a `Signer`. */
export function cryptoSigner(key: SigningKey, pq: PqKey): Signer {
  return { publicKey: key.publicKey, sign: (message) => sign(key, message), pq };
}

export { PUBLIC_KEY_BYTES };
