/**
 * Signed batches: every batch in the mesh's document ends with a seal by which the node that
 * wrote it signs it, and every node checks the seal before the batch is admitted.
 *
 * Seal (bytes, the batch's last element):
 *
 * | bytes | field |
 * |---|---|
 * | 1 | version, 2 (1: the same without the chain, read as an empty chain) |
 * | varuint + n | the writer's node certificate (`certificate.ts`) |
 * | 1 + 171·k | its operator's membership chain in an owned room (`membership.ts`), k ≤ 3 |
 * | 64 | the node key's Ed25519 signature |
 *
 * The signature covers `lattice-batch/v1` ‖ the room (lib0 var-string) ‖ the batch without its
 * seal, in lib0's `writeAny` encoding (every replica decodes the same values from Yjs, and
 * re-encodes them to the same bytes). The room is in it, so a batch cannot be replayed into
 * another room.
 *
 * A batch is admitted when: its seal parses; its certificate is signed by the operator key it
 * names and was valid at the batch's stamp; the stamp's node is the certificate's node (or that
 * node's pipeline, which writes under its key); the signature holds; and every decision in it
 * names the operator key that signed it. Judged from the batch alone, so every replica judges it
 * alike, whether it came directly or through others, now or a year later (a certificate that
 * has since expired still vouches for what was written while it was valid).
 *
 * In an owned room (one whose name carries its owner's key) the chain must also give the
 * writer's operator key a role at the batch's stamp, and the role must permit every write: a
 * viewer writes nothing; the room's own entity (`ROOM_ENTITY_ID`: admissions and revocations)
 * takes admissions only from members who may invite, for members they admitted, revocations only
 * from the owner key, and nothing else from anyone (removing it would undo its revocations). An
 * open room has no such entity. Revocations are not judged here (they change over time): a
 * revoked writer's later batches are admitted and do not count (`RoomAuthority`).
 *
 * What carries authority is signed with both halves of a hybrid key (issue 14 §5) in an owned
 * room, and refused unless both hold: an admission carries the ML-DSA halves of its chain's
 * memberships (`chainPqRefusal`); a decision and a revocation carry their signer's ML-DSA
 * attestation (`hybrid.ts`), by the key the room id (the owner's) or the signer's membership
 * (a member's) names. An open room roots no ML-DSA key: its decisions are Ed25519 alone.
 *
 * Verification is synchronous (admission runs as a peer's update arrives): `ed25519Verify.ts`;
 * certificates are verified once and remembered. Signing uses
 * the node's WebCrypto key, which cannot be read.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { ROOM_ENTITY_ID, authorNodeId, decodeHlc, isNodeOrPipeline, unsealed, withSeal, type DecodedBatch, type DecodedWrite, type RawBatch } from '../../crdt/index.js';
import { CERTIFICATE_SKEW_S, SIGNATURE_BYTES, certificateLabelled, parseCertificate, type NodeCertificate } from './certificate.js';
import { fingerprint } from './fingerprint.js';
import { verifyEd25519 } from './ed25519Verify.js';
import type { NodeCredentials } from './credentials.js';
import { sign } from './signingKey.js';
import { MEMBERSHIP_BYTES, chainPqRefusal, decodeChain, encodeChain, readChain, sameKey, standingOf, type Standing } from './membership.js';
import { attestationRefusal, decisionMessage, revocationMessage } from './hybrid.js';
import type { RoomOwner } from './invitation.js';
import { fromBase64 } from 'lib0/buffer';

export const SEAL_VERSION = 2;
const LABEL = 'lattice-batch/v1';
/** Certificates remembered as verified (or not); past it the oldest is forgotten. */
const MAX_CERTIFICATES = 1024;

/** The bytes a batch's seal signs. */
export function sealedMessage(room: string, raw: RawBatch): Uint8Array<ArrayBuffer> {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, LABEL);
  encoding.writeVarString(encoder, room);
  encoding.writeAny(encoder, unsealed(raw) as Parameters<typeof encoding.writeAny>[1]);
  return encoding.toUint8Array(encoder) as Uint8Array<ArrayBuffer>;
}

/**
 * `raw` signed by `credentials`' node key for `room`, with its operator's membership `chain`
 * (empty in an open room, or for the owner): the batch with its seal at the end.
 */
export async function sealBatch(raw: RawBatch, room: string, credentials: Pick<NodeCredentials, 'key' | 'certificate'>, chain: readonly Uint8Array[] = []): Promise<RawBatch> {
  const signature = await sign(credentials.key, sealedMessage(room, raw));
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, SEAL_VERSION);
  encoding.writeVarUint8Array(encoder, credentials.certificate);
  encoding.writeUint8Array(encoder, encodeChain(chain));
  encoding.writeUint8Array(encoder, signature);
  return withSeal(raw, encoding.toUint8Array(encoder));
}

export interface ParsedSeal {
  readonly certificate: Uint8Array;
  readonly chain: readonly Uint8Array[];
  readonly signature: Uint8Array;
}

/** The seal's parts; throws for anything but a well-formed seal of a version this node reads. */
export function parseSeal(seal: Uint8Array): ParsedSeal {
  const decoder = decoding.createDecoder(seal);
  const version = decoding.readUint8(decoder);
  if (version !== SEAL_VERSION && version !== 1) throw new Error(`a seal of version ${version} (this node reads 1 and ${SEAL_VERSION})`);
  const certificate = decoding.readVarUint8Array(decoder);
  const chain = version === 1 ? [] : readChain(decoder);
  if (decoding.hasContent(decoder) === false || seal.byteLength - decoder.pos !== SIGNATURE_BYTES) throw new Error('a seal whose signature is not 64 bytes');
  return { certificate, chain, signature: decoding.readUint8Array(decoder, SIGNATURE_BYTES) };
}

/** Who signed a batch, as its seal says (not verified: for display of what admission let in). */
export function sealSigner(batch: Pick<DecodedBatch, 'seal'>): NodeCertificate | undefined {
  if (!batch.seal) return undefined;
  try {
    return parseCertificate(parseSeal(batch.seal).certificate);
  } catch {
    return undefined;
  }
}

type CertVerdict = { readonly cert: NodeCertificate; readonly operatorKey: string } | { readonly refused: string };

/** Checks batches' seals for one room (see the header); counts what it checked. */
export class SealVerifier {
  private readonly certificates = new Map<string, CertVerdict>();
  verified = 0;
  refused = 0;

  /** `owner`: the owner of an owned room; undefined for an open room. */
  constructor(
    readonly room: string,
    readonly owner?: RoomOwner,
  ) {}

  /** The admission check: why `batch` may not enter the room's log, or undefined. */
  readonly check = (batch: DecodedBatch): string | undefined => {
    const why = this.refusal(batch);
    if (why === undefined) this.verified++;
    else this.refused++;
    return why;
  };

  private refusal(batch: DecodedBatch): string | undefined {
    if (!batch.seal) return 'an unsigned batch';
    let seal: ParsedSeal;
    try {
      seal = parseSeal(batch.seal);
    } catch (error) {
      return `a batch whose seal is malformed (${error instanceof Error ? error.message : String(error)})`;
    }
    const verdict = this.certificate(seal.certificate);
    if ('refused' in verdict) return `a batch signed under ${verdict.refused}`;
    const { cert, operatorKey } = verdict;
    const at = batch.hlc.wall / 1000;
    if (at >= cert.expiresAt || at < cert.issuedAt - CERTIFICATE_SKEW_S) return `a batch stamped outside its certificate's validity (node ${cert.nodeId})`;
    if (!isNodeOrPipeline(batch.hlc.node, cert.nodeId)) return `a batch stamped by node ${batch.hlc.node} but signed by node ${cert.nodeId}`;
    for (const write of batch.writes) {
      if (write.kind === 'journal' && write.entry.kind === 'decision' && write.entry.key !== operatorKey) {
        return `a decision naming operator key ${write.entry.key ?? '(none)'} signed under operator key ${operatorKey}`;
      }
    }
    const standing = this.owner ? this.standingFor(batch, seal, cert, this.owner) : openRoomRefusal(batch);
    if (typeof standing === 'string') return standing;
    const ok = verifyEd25519(seal.signature, sealedMessage(this.room, batch.raw), cert.nodePublicKey);
    if (!ok) return `a batch whose signature does not hold (tampered, or signed for another room) from node ${cert.nodeId}`;
    // The ML-DSA halves last: each costs more than the whole seal, so a peer that cannot even
    // sign the batch (a certificate and chain copied from another) never makes a node check them.
    if (!this.owner || !standing) return undefined;
    for (const write of batch.writes) {
      const why = hybridRefusal(this.room, write, standing, cert.operatorPublicKey, this.owner, batch.hlc.wall);
      if (why !== undefined) return `a batch from node ${cert.nodeId} with ${why}`;
    }
    return undefined;
  }

  /** The writer's standing in this owned room, or why it does not permit `batch`. */
  private standingFor(batch: DecodedBatch, seal: ParsedSeal, cert: NodeCertificate, owner: RoomOwner): Standing | string {
    const standing = standingOf(this.room, owner.key, seal.chain, cert.operatorPublicKey, batch.hlc.wall / 1000);
    if (typeof standing === 'string') return `a batch from node ${cert.nodeId}, which is not a member of this room (${standing})`;
    if (standing.role === 'viewer') return `a batch from node ${cert.nodeId}, a viewer (viewers read only)`;
    for (const write of batch.writes) {
      const why = roomWriteRefusal(write, standing, cert.operatorPublicKey, owner.key);
      if (why !== undefined) return `a batch from node ${cert.nodeId} with ${why}`;
    }
    return standing;
  }

  private certificate(bytes: Uint8Array): CertVerdict {
    const key = String.fromCharCode(...bytes);
    const known = this.certificates.get(key);
    if (known) return known;
    let verdict: CertVerdict;
    try {
      const cert = parseCertificate(bytes);
      const ok = verifyEd25519(cert.signature, certificateLabelled(cert.signed), cert.operatorPublicKey);
      verdict = ok ? { cert, operatorKey: fingerprint(cert.operatorPublicKey) } : { refused: 'a certificate its operator key did not sign' };
    } catch (error) {
      verdict = { refused: error instanceof Error ? error.message : String(error) };
    }
    if (this.certificates.size >= MAX_CERTIFICATES) this.certificates.delete(this.certificates.keys().next().value!);
    this.certificates.set(key, verdict);
    return verdict;
  }
}

const touchesRoom = (write: DecodedWrite): boolean =>
  write.id === ROOM_ENTITY_ID || (write.kind === 'create' && write.type === 'room') || (write.kind === 'journal' && (write.entry.kind === 'admit' || write.entry.kind === 'revoke'));

/** An open room has no authority: nothing may write its room entity, admissions or revocations. */
function openRoomRefusal(batch: DecodedBatch): string | undefined {
  return batch.writes.some(touchesRoom) ? 'a batch writing room authority (admissions, revocations) into an open room' : undefined;
}

/** Why `write` is beyond `standing` (see the header), or undefined. */
function roomWriteRefusal(write: DecodedWrite, standing: Standing, operatorKey: Uint8Array, owner: Uint8Array): string | undefined {
  if (!touchesRoom(write)) return undefined;
  const isOwnerKey = sameKey(operatorKey, owner);
  if (write.id !== ROOM_ENTITY_ID) return 'room authority written outside the room entity';
  if (write.kind === 'create') return write.type === 'room' && standing.mayInvite ? undefined : 'the room entity created by a member who may not invite';
  if (write.kind === 'journal' && write.entry.kind === 'admit') {
    if (!standing.mayInvite) return 'an admission by a member who may not invite';
    let chain: Uint8Array[];
    try {
      chain = decodeChain(fromBase64(write.entry.chain));
    } catch {
      return 'an admission whose chain is malformed';
    }
    const last = chain[chain.length - 1];
    if (!last || last.byteLength !== MEMBERSHIP_BYTES) return 'an empty admission';
    // Bytes 35–67: the issuer (`membership.ts`). A member admits in its own name; the owner key in anyone's.
    return isOwnerKey || sameKey(last.subarray(35, 67), operatorKey) ? undefined : 'an admission issued by another key than its writer';
  }
  if (write.kind === 'journal' && write.entry.kind === 'revoke') return isOwnerKey ? undefined : 'a revocation by another key than the owner';
  // Removing the room entity would drop its revocations (a revoked member's writes would count
  // again), and it has no components: nobody writes anything else to it.
  return `a ${write.kind === 'delete' ? 'removal of' : 'change to'} the room entity (it takes only admissions and revocations)`;
}

/**
 * Why `write`, which its writer's role permits, lacks a half of its hybrid signature in an owned
 * room (see the header), or undefined: a decision's and a revocation's ML-DSA attestation, an
 * admission's ML-DSA halves of its chain.
 */
function hybridRefusal(room: string, write: DecodedWrite, standing: Standing, operatorKey: Uint8Array, owner: RoomOwner, stampMs: number): string | undefined {
  if (write.kind !== 'journal') return undefined;
  const entry = write.entry;
  if (entry.kind === 'decision') {
    const fields = { entityId: write.id, requestId: entry.requestId, verdict: entry.verdict, operator: entry.operator, key: entry.key ?? '' };
    const why = attestationRefusal(entry.pq, sameKey(operatorKey, owner.key) ? owner.pq : standing.memberPq, stampMs, (at) => decisionMessage(room, fields, at));
    return why === undefined ? undefined : `a decision with ${why}`;
  }
  if (entry.kind === 'admit') {
    // The chain's bytes were read when the role was judged.
    const why = chainPqRefusal(room, owner.pq, decodeChain(fromBase64(entry.chain)), entry.pq);
    return why === undefined ? undefined : `an admission with ${why}`;
  }
  if (entry.kind === 'revoke') {
    const why = attestationRefusal(entry.pq, owner.pq, stampMs, (at) => revocationMessage(room, entry.subject, entry.note, at));
    return why === undefined ? undefined : `a revocation with ${why}`;
  }
  return undefined;
}

/** Another node id's key, if this profile keeps it (a closed tab's: `storedNodeKey`). */
export type ProfileKeys = (nodeId: string) => Promise<Pick<NodeCredentials, 'key' | 'certificate'> | undefined>;

/**
 * Seals a node's own batches for the mesh, in the order given (a batch signed later never
 * overtakes one given earlier); passes on batches that carry a seal already (another node's, as
 * stored); signs batches of the profile's other node ids (a tab that closed before its writes
 * left) with that node's own key when the profile keeps it; drops other unsigned batches (this
 * node cannot vouch for them).
 */
export class BatchSealer {
  private chain: Promise<void> = Promise.resolve();
  private readonly profileKeyCache = new Map<string, Promise<Pick<NodeCredentials, 'key' | 'certificate'> | undefined>>();
  sealed = 0;
  dropped = 0;

  private readonly fixedBytes: number;

  /** `chain`: the operator's membership chain now (it comes once the node is admitted). */
  constructor(
    private readonly room: string,
    private readonly credentials: Pick<NodeCredentials, 'key' | 'certificate' | 'nodeId'>,
    private readonly profileKeys?: ProfileKeys,
    private readonly membership: () => readonly Uint8Array[] = () => [],
  ) {
    this.fixedBytes = 1 + 2 + credentials.certificate.byteLength + 1 + SIGNATURE_BYTES;
  }

  /** A seal's bytes: version, the certificate with its length, the membership chain, the signature. */
  get bytesPerBatch(): number {
    return this.fixedBytes + this.membership().length * MEMBERSHIP_BYTES;
  }

  /** Seals what needs it, then calls `deliver` with the batches in order. */
  seal(raws: readonly RawBatch[], deliver: (sealed: RawBatch[]) => void): void {
    const jobs = raws.map(async (raw) => {
      const last = raw[raw.length - 1] as unknown;
      if (last instanceof Uint8Array) return raw;
      const signer = await this.signerFor(raw);
      if (!signer) {
        this.dropped++;
        return undefined;
      }
      return sealBatch(raw, this.room, signer, this.membership());
    });
    const next = this.chain.then(async () => {
      const sealed = (await Promise.all(jobs)).filter((r): r is RawBatch => r !== undefined);
      this.sealed += sealed.length;
      if (sealed.length > 0) deliver(sealed);
    });
    this.chain = next.catch((error: unknown) => console.error('lattice: a batch could not be signed', error));
  }

  /** Resolves once everything given so far was delivered. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** The key that may sign `raw`: its writer's (this node's, or one its profile keeps). */
  private signerFor(raw: RawBatch): Promise<Pick<NodeCredentials, 'key' | 'certificate'> | undefined> {
    let node: string;
    try {
      node = decodeHlc(raw[0]).node;
    } catch {
      return Promise.resolve(undefined);
    }
    if (isNodeOrPipeline(node, this.credentials.nodeId)) return Promise.resolve(this.credentials);
    if (!this.profileKeys) return Promise.resolve(undefined);
    const base = authorNodeId(node);
    let found = this.profileKeyCache.get(base);
    if (!found) {
      found = this.profileKeys(base).catch(() => undefined);
      this.profileKeyCache.set(base, found);
    }
    return found;
  }
}
