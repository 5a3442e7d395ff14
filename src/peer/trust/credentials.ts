/**
 * A node's credentials: its own key (one per node id, so per tab) and the certificate by which
 * its operator's key (one per browser profile, shared by its tabs) vouches for it. Both keys are
 * WebCrypto Ed25519 with non-extractable private keys, kept in a `KeyStore`. The operator also
 * has an ML-DSA-44 key (`pqKey.ts`) for the post-quantum half of what it signs with authority,
 * kept as its seed.
 */
import { ValidationError, isValidNodeId } from '../../crdt/index.js';
import { issueCertificate, parseCertificate, type NodeCertificate } from './certificate.js';
import { PEER_SALT_BYTES, derivePeerId, fingerprint } from './fingerprint.js';
import { MemoryKeyStore, type KeyStore } from './KeyStore.js';
import { generateSigningKey, hasWebCryptoKeys, isSigningKey, type SigningKey } from './signingKey.js';
import { base64url } from './invitation.js';
import { isPqSeed, ownerPqSeed, pqKeyFromSeed, randomPqSeed, type PqKey } from './pqKey.js';

export interface NodeCredentials {
  readonly nodeId: string;
  /** The node key. */
  readonly key: SigningKey;
  /** The certificate as sent (see `certificate.ts`) and as read. */
  readonly certificate: Uint8Array;
  readonly cert: NodeCertificate;
  /** Of the node key. */
  readonly fingerprint: string;
  /** Of the operator key that signed the certificate. */
  readonly operatorFingerprint: string;
  /** The profile's operator key (it signs invitations and admissions). */
  readonly operator: SigningKey;
  /** The operator's ML-DSA key: the post-quantum half of its invitations, admissions, decisions and revocations. */
  readonly pq: PqKey;
}

/** Credentials as one mesh instance uses them: with the salt and peer id of that instance. */
export interface LinkCredentials extends NodeCredentials {
  readonly salt: Uint8Array;
  readonly peerId: string;
}

const OPERATOR = 'operator';
const OPERATOR_PQ = 'operator-pq';
const nodeEntry = (nodeId: string) => `node:${nodeId}`;
/** A certificate is issued for this long and renewed once less than `RENEW_S` of it is left. */
const LIFETIME_S = 30 * 24 * 3600;
const RENEW_S = 7 * 24 * 3600;

interface StoredNode {
  readonly key: SigningKey;
  readonly certificate: Uint8Array;
}

/**
 * Loads the profile's operator key (or uses `operatorKey`: a room's owner key the profile keeps)
 * and `nodeId`'s node key, creating what is missing, and a certificate valid for at least a
 * week. Node keys of other node ids whose certificates expired are deleted (a tab's node id dies
 * with the tab; its key would otherwise stay forever).
 */
export async function loadCredentials(store: KeyStore, nodeId: string, nowMs = Date.now(), operatorKey?: OperatorKeys): Promise<NodeCredentials> {
  if (!isValidNodeId(nodeId)) throw new Error(`"${nodeId}" is not a node id`);
  const op = operatorKey?.key ?? (await profileOperator(store));
  const pq = operatorKey?.pq ?? (await profilePq(store));
  const stored = readStored(await store.get(nodeEntry(nodeId)));
  const cert = stored?.cert;
  const fresh = cert !== undefined && cert.nodeId === nodeId && sameBytes(cert.nodePublicKey, stored!.key.publicKey) && sameBytes(cert.operatorPublicKey, op.publicKey) && cert.expiresAt - nowMs / 1000 > RENEW_S;
  let node: StoredNode & { cert: NodeCertificate };
  if (fresh) node = { key: stored!.key, certificate: stored!.certificate, cert };
  else {
    // The node keeps its key (and so its fingerprint); only the certificate is issued again.
    const key = stored?.key ?? (await generateSigningKey());
    const certificate = await issueCertificate(op, key.publicKey, nodeId, nowMs, LIFETIME_S);
    await store.put(nodeEntry(nodeId), { key, certificate } satisfies StoredNode);
    node = { key, certificate, cert: parseCertificate(certificate) };
  }
  await pruneExpired(store, nodeId, nowMs);
  return { nodeId, key: node.key, certificate: node.certificate, cert: node.cert, fingerprint: fingerprint(node.key.publicKey), operatorFingerprint: fingerprint(op.publicKey), operator: op, pq };
}

/** An operator's two keys (a room owner's, from an owner link). */
export interface OperatorKeys {
  readonly key: SigningKey;
  readonly pq: PqKey;
}

/** The profile's ML-DSA key, made from a seed created on first use (`add` keeps the first of two tabs'). */
async function profilePq(store: KeyStore): Promise<PqKey> {
  let seed = await store.get(OPERATOR_PQ);
  if (!isPqSeed(seed)) seed = await store.add(OPERATOR_PQ, randomPqSeed());
  if (!isPqSeed(seed)) {
    seed = randomPqSeed();
    await store.put(OPERATOR_PQ, seed);
  }
  return pqKeyFromSeed(seed as Uint8Array);
}

/**
 * The profile's operator key, created on first use. Another tab may be creating it too: `add`
 * keeps the first.
 */
async function profileOperator(store: KeyStore): Promise<SigningKey> {
  let operator = await store.get(OPERATOR);
  if (isSigningKey(operator)) return operator;
  operator = await store.add(OPERATOR, await generateSigningKey());
  if (isSigningKey(operator)) return operator;
  // Unreadable (another version's) entry: replace it.
  const fresh = await generateSigningKey();
  await store.put(OPERATOR, fresh);
  return fresh;
}

/**
 * The key and certificate this profile keeps for another of its node ids (a tab that closed),
 * if it keeps them: batches that node wrote and never sent are signed with its own key.
 */
export async function storedNodeKey(store: KeyStore, nodeId: string): Promise<Pick<NodeCredentials, 'key' | 'certificate'> | undefined> {
  const stored = readStored(await store.get(nodeEntry(nodeId)));
  return stored?.cert && stored.cert.nodeId === nodeId ? { key: stored.key, certificate: stored.certificate } : undefined;
}

const ownerEntry = (room: string) => `owner:${room}`;

/**
 * Keeps a room's owner key that a link gave (`npm start`'s owner link) in the profile, as a
 * non-extractable WebCrypto key: the link's secret is read once, and only signs after that. Its
 * ML-DSA half, derived from the same secret, is kept as its seed.
 */
export async function keepOwnerKey(store: KeyStore, room: string, secret: Uint8Array, publicKey: Uint8Array, pq: PqKey = pqKeyFromSeed(ownerPqSeed(secret))): Promise<OperatorKeys> {
  let key: SigningKey;
  if (hasWebCryptoKeys()) {
    const jwk: JsonWebKey = { kty: 'OKP', crv: 'Ed25519', d: base64url(secret), x: base64url(publicKey) };
    key = { privateKey: await crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['sign']), publicKey };
  } else {
    key = { secret: secret.slice(), publicKey };
  }
  await store.put(ownerEntry(room), { key, pqSeed: ownerPqSeed(secret) });
  return { key, pq };
}

/** The room's owner keys, if this profile keeps them (from an owner link). */
export async function storedOwnerKey(store: KeyStore, room: string): Promise<OperatorKeys | undefined> {
  const value = (await store.get(ownerEntry(room))) as { key?: unknown; pqSeed?: unknown } | undefined;
  return value && isSigningKey(value.key) && isPqSeed(value.pqSeed) ? { key: value.key, pq: pqKeyFromSeed(value.pqSeed) } : undefined;
}

/** Fresh credentials kept in memory only: a node that is its own operator (tests, demos). */
export function ephemeralCredentials(nodeId: string, nowMs = Date.now()): Promise<NodeCredentials> {
  return loadCredentials(new MemoryKeyStore(), nodeId, nowMs);
}

/** Credentials for one mesh instance: a fresh salt, and the peer id it gives. */
export function linkCredentials(credentials: NodeCredentials, salt = crypto.getRandomValues(new Uint8Array(PEER_SALT_BYTES))): LinkCredentials {
  return { ...credentials, salt, peerId: derivePeerId(credentials.key.publicKey, salt) };
}

/** A stored node entry: its key, and its certificate if this version can read it. */
function readStored(value: unknown): { key: SigningKey; certificate: Uint8Array; cert: NodeCertificate | undefined } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<StoredNode>;
  if (!isSigningKey(v.key) || !(v.certificate instanceof Uint8Array)) return undefined;
  return { key: v.key, certificate: v.certificate, cert: certificateOrUndefined(v.certificate) };
}

/** A certificate that does not parse is as good as none: a new one is issued. */
function certificateOrUndefined(bytes: unknown): NodeCertificate | undefined {
  try {
    return parseCertificate(bytes);
  } catch (error) {
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
}

async function pruneExpired(store: KeyStore, keep: string, nowMs: number): Promise<void> {
  for (const name of await store.names()) {
    if (!name.startsWith('node:') || name === nodeEntry(keep)) continue;
    const value = (await store.get(name)) as Partial<StoredNode> | undefined;
    const cert = certificateOrUndefined(value?.certificate);
    if (!cert || cert.expiresAt <= nowMs / 1000) await store.delete(name);
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}
