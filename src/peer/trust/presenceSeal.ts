/**
 * Signed presence (issue 14 §4): what a node publishes about itself (id, name, role, peer id,
 * digest, links) is signed by its node key and carries its certificate, so no node can be listed
 * as another, or change how others see another.
 *
 * The signature covers `lattice-presence/v1` ‖ the room ‖ the awareness client id ‖ the fields
 * below in a fixed order (lib0 `writeAny`). The client id is in it, so a state cannot be
 * replayed under another client; `at` (the signer's clock) only grows per client, so an old
 * state cannot be replayed over a newer one. The peer id must be the one derived from the
 * certificate's node key and the state's salt, and the node id the certificate's.
 *
 * Awareness states travel as JSON, so the bytes are base64.
 */
import * as encoding from 'lib0/encoding';
import { fromBase64, toBase64 } from 'lib0/buffer';
import { CERTIFICATE_SKEW_S, certificateLabelled, parseCertificate, type NodeCertificate } from './certificate.js';
import { derivePeerId, fingerprint } from './fingerprint.js';
import { verifyEd25519 } from './ed25519Verify.js';
import type { LinkCredentials } from './credentials.js';
import { sign } from './signingKey.js';

const LABEL = 'lattice-presence/v1';
/** Clients whose last signed time is remembered (to refuse replays); the oldest is forgotten. */
const MAX_REMEMBERED = 2048;

/** The fields a node signs about itself (see `presence.ts`). */
export interface PresenceFields {
  readonly v: 1;
  readonly nodeId: string;
  readonly name: string;
  readonly role: string;
  readonly peerId: string;
  readonly since: number;
  readonly digest: string;
  readonly links?: readonly string[];
  readonly chain?: string;
  readonly join?: string;
}

/** The signature's parts, as the state carries them. */
export interface PresenceSignature {
  /** The signer's clock when it signed (ms since the epoch). */
  readonly at: number;
  /** Base64: the node certificate, the peer id's salt, the Ed25519 signature. */
  readonly cert: string;
  readonly salt: string;
  readonly sig: string;
}

function message(room: string, clientId: number, p: PresenceFields, at: number, salt: string, cert: string): Uint8Array<ArrayBuffer> {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, LABEL);
  encoding.writeVarString(encoder, room);
  encoding.writeVarUint(encoder, clientId);
  encoding.writeAny(encoder, [p.v, p.nodeId, p.name, p.role, p.peerId, p.since, p.digest, [...(p.links ?? [])], p.chain ?? '', p.join ?? '', at, salt, cert]);
  return encoding.toUint8Array(encoder) as Uint8Array<ArrayBuffer>;
}

/** `presence` signed by the node's key, for awareness client `clientId` in `room`. */
export async function signPresence<P extends PresenceFields>(presence: P, clientId: number, room: string, credentials: Pick<LinkCredentials, 'key' | 'certificate' | 'salt'>, at: number): Promise<P & PresenceSignature> {
  const cert = toBase64(credentials.certificate);
  const salt = toBase64(credentials.salt);
  const sig = await sign(credentials.key, message(room, clientId, presence, at, salt, cert));
  return { ...presence, at, cert, salt, sig: toBase64(sig) };
}

/** What a verified presence says about its signer. */
export interface PresenceSigner {
  readonly cert: NodeCertificate;
  readonly fingerprint: string;
  readonly operatorFingerprint: string;
}

/** Checks signed presence for one room; remembers each client's last signed time. */
export class PresenceVerifier {
  private readonly lastAt = new Map<number, number>();
  private readonly certificates = new Map<string, PresenceSigner | string>();

  constructor(readonly room: string) {}

  /**
   * Why `presence` (fields and signature, as read from JSON) may not stand for client
   * `clientId`, or undefined when it may. Call only with states that parsed as presence.
   */
  refusal(clientId: number, presence: PresenceFields & Partial<Record<keyof PresenceSignature, unknown>>, nowMs: number): string | undefined {
    const { at, cert, salt, sig } = presence;
    if (typeof at !== 'number' || !Number.isFinite(at) || typeof cert !== 'string' || typeof salt !== 'string' || typeof sig !== 'string' || cert.length > 400 || salt.length > 24 || sig.length > 100) {
      return `an unsigned presence claiming node ${presence.nodeId}`;
    }
    const last = this.lastAt.get(clientId);
    if (last !== undefined && at < last) return `a presence of node ${presence.nodeId} older than one already seen (a replay)`;
    const signer = this.signer(cert, nowMs);
    if (typeof signer === 'string') return `a presence claiming node ${presence.nodeId} under ${signer}`;
    if (signer.cert.nodeId !== presence.nodeId) return `a presence claiming node ${presence.nodeId} under a certificate for node ${signer.cert.nodeId}`;
    let saltBytes: Uint8Array;
    let sigBytes: Uint8Array;
    try {
      saltBytes = fromBase64(salt);
      sigBytes = fromBase64(sig);
    } catch {
      return `a presence of node ${presence.nodeId} whose signature is not base64`;
    }
    if (derivePeerId(signer.cert.nodePublicKey, saltBytes) !== presence.peerId) return `a presence of node ${presence.nodeId} whose peer id is not derived from its key`;
    // A renewal (the same signed state again) costs a hash: `verifyEd25519` remembers what held.
    if (!verifyEd25519(sigBytes, message(this.room, clientId, presence, at, salt, cert), signer.cert.nodePublicKey)) {
      return `a presence of node ${presence.nodeId} whose signature does not hold`;
    }
    this.rememberAt(clientId, at);
    return undefined;
  }

  /** Whether a state signed at `at` is older than one already seen from `clientId`. */
  isOlder(clientId: number, at: unknown): boolean {
    const last = this.lastAt.get(clientId);
    return typeof at === 'number' && last !== undefined && at < last;
  }

  /** Who signed `cert` (base64), once verified; or why it does not hold now. */
  signer(cert: string, nowMs: number): PresenceSigner | string {
    let known = this.certificates.get(cert);
    if (known === undefined) {
      try {
        const parsed = parseCertificate(fromBase64(cert));
        known = verifyEd25519(parsed.signature, certificateLabelled(parsed.signed), parsed.operatorPublicKey)
          ? { cert: parsed, fingerprint: fingerprint(parsed.nodePublicKey), operatorFingerprint: fingerprint(parsed.operatorPublicKey) }
          : 'a certificate its operator key did not sign';
      } catch (error) {
        known = error instanceof Error ? error.message : String(error);
      }
      if (this.certificates.size >= MAX_REMEMBERED) this.certificates.delete(this.certificates.keys().next().value!);
      this.certificates.set(cert, known);
    }
    if (typeof known === 'string') return known;
    const now = nowMs / 1000;
    if (now >= known.cert.expiresAt || known.cert.issuedAt > now + CERTIFICATE_SKEW_S) return 'a certificate not valid now';
    return known;
  }

  private rememberAt(clientId: number, at: number): void {
    this.lastAt.delete(clientId);
    if (this.lastAt.size >= MAX_REMEMBERED) this.lastAt.delete(this.lastAt.keys().next().value!);
    this.lastAt.set(clientId, at);
  }
}
