/**
 * Signed map values: the pipeline's lease and run (`lattice.leases`, `lattice.pipeline`) are a
 * few records in maps beside the log. A value a node puts into the mesh document carries a
 * `seal` field (base64): version 1, its certificate, its membership chain, the time it was
 * signed (ms, 8 bytes), and the node key's Ed25519 signature over `lattice-map/v1` ‖ room ‖ map
 * ‖ key ‖ that time ‖ the value without its seal (lib0 `writeAny`).
 *
 * Every node checks it at admission, from the value alone (so every replica judges alike, now or
 * later): the signature, the certificate (valid at the signed time), in an owned room a role
 * that writes (owner or operator) at that time, and for a lease that its holder is the signer's
 * node (nobody takes the lease for another). Not covered: deletions of a key (Yjs deletions have
 * no author; honest nodes put a removed run back). Revocations are not judged here (they change
 * over time): a lease signed under a revoked key after its revocation is admitted, and every
 * node's pipeline treats it as vacant (`LeaseVacancy`), as a revoked writer's batches are
 * admitted and do not count.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { fromBase64, toBase64 } from 'lib0/buffer';
import { LEASES_MAP, PIPELINE_MAP, isNodeOrPipeline } from '../../crdt/index.js';
import { CERTIFICATE_SKEW_S, SIGNATURE_BYTES, certificateLabelled, parseCertificate } from './certificate.js';
import { verifyEd25519 } from './ed25519Verify.js';
import { encodeChain, parseMembership, readChain, standingOf } from './membership.js';
import type { NodeCredentials } from './credentials.js';
import { sign } from './signingKey.js';

const LABEL = 'lattice-map/v1';
/** The map entries that carry seals: every key of the layout's maps. */
export const SEALED_ENTRIES: ReadonlyArray<readonly [string, string]> = [
  [LEASES_MAP, 'pipeline'],
  [PIPELINE_MAP, 'run'],
];

type Value = Record<string, unknown>;

function message(room: string, map: string, key: string, at: number, value: Value): Uint8Array<ArrayBuffer> {
  const rest: Value = { ...value };
  delete rest.seal;
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, LABEL);
  encoding.writeVarString(encoder, room);
  encoding.writeVarString(encoder, map);
  encoding.writeVarString(encoder, key);
  encoding.writeFloat64(encoder, at);
  encoding.writeAny(encoder, rest as Parameters<typeof encoding.writeAny>[1]);
  return encoding.toUint8Array(encoder) as Uint8Array<ArrayBuffer>;
}

/** `value` with the seal of `credentials`' node key for `map`/`key` in `room`, signed at `at`. */
export async function sealMapValue(
  room: string,
  map: string,
  key: string,
  value: Value,
  credentials: Pick<NodeCredentials, 'key' | 'certificate'>,
  chain: readonly Uint8Array[],
  at: number,
): Promise<Value> {
  const signature = await sign(credentials.key, message(room, map, key, at, value));
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, 1);
  encoding.writeVarUint8Array(encoder, credentials.certificate);
  encoding.writeUint8Array(encoder, encodeChain(chain));
  encoding.writeFloat64(encoder, at);
  encoding.writeUint8Array(encoder, signature);
  return { ...value, seal: toBase64(encoding.toUint8Array(encoder)) };
}

/**
 * The keys a map value's seal rests on (node, operator, and its chain's issuers and members) and
 * when it was signed (ms), read without checking anything (admission checked it); undefined when
 * it has no seal this version reads.
 */
export function mapValueSigner(value: unknown): { keys: Uint8Array[]; at: number } | undefined {
  if (typeof value !== 'object' || value === null || typeof (value as Value).seal !== 'string') return undefined;
  try {
    const decoder = decoding.createDecoder(fromBase64((value as Value).seal as string));
    if (decoding.readUint8(decoder) !== 1) return undefined;
    const cert = parseCertificate(decoding.readVarUint8Array(decoder));
    const keys = [cert.nodePublicKey, cert.operatorPublicKey];
    for (const link of readChain(decoder)) {
      const m = parseMembership(link);
      keys.push(m.issuer, m.member);
    }
    return { keys, at: decoding.readFloat64(decoder) };
  } catch {
    return undefined;
  }
}

/**
 * Why `value` may not stand under `map`/`key` in `room` (owned by `owner`, or open when
 * undefined), or undefined when it may. With `map` and `key` unknown (a value that arrived before
 * what it follows), it may stand if it is sealed for one of the sealed entries.
 */
export function mapValueRefusal(room: string, owner: Uint8Array | undefined, map: string | undefined, key: string | undefined, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'a map value that is not a record';
  const v = value as Value;
  if (typeof v.seal !== 'string' || v.seal.length > 1600) return `an unsigned value in "${map ?? 'a map'}"`;
  let cert;
  let chain: Uint8Array[];
  let at: number;
  let signature: Uint8Array;
  try {
    const decoder = decoding.createDecoder(fromBase64(v.seal));
    if (decoding.readUint8(decoder) !== 1) return 'a map value sealed by another version';
    cert = parseCertificate(decoding.readVarUint8Array(decoder));
    chain = readChain(decoder);
    at = decoding.readFloat64(decoder);
    signature = decoding.readUint8Array(decoder, SIGNATURE_BYTES);
    if (decoding.hasContent(decoder)) return 'a map value whose seal has bytes after it';
  } catch (error) {
    return `a map value whose seal is malformed (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!Number.isFinite(at)) return 'a map value signed at no time';
  if (!verifyEd25519(cert.signature, certificateLabelled(cert.signed), cert.operatorPublicKey)) return 'a map value under a certificate its operator key did not sign';
  const atS = at / 1000;
  if (atS >= cert.expiresAt || atS < cert.issuedAt - CERTIFICATE_SKEW_S) return `a map value signed outside its certificate's validity (node ${cert.nodeId})`;
  if (owner) {
    const standing = standingOf(room, owner, chain, cert.operatorPublicKey, atS);
    if (typeof standing === 'string') return `a map value from node ${cert.nodeId}, which is not a member of this room (${standing})`;
    if (standing.role === 'viewer') return `a map value from node ${cert.nodeId}, a viewer`;
  }
  const places = map !== undefined && key !== undefined ? [[map, key] as const] : SEALED_ENTRIES;
  const place = places.find(([m, k]) => verifyEd25519(signature, message(room, m, k, at, v), cert.nodePublicKey));
  if (!place) return `a map value whose signature does not hold (altered, or signed for another room or place) from node ${cert.nodeId}`;
  if (place[0] === LEASES_MAP && !(typeof v.holder === 'string' && isNodeOrPipeline(v.holder, cert.nodeId))) {
    return `a lease for ${String(v.holder).slice(0, 64)} signed by node ${cert.nodeId}`;
  }
  return undefined;
}
