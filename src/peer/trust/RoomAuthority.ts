/**
 * An owned room's authority as this node reads it from the room entity's journal
 * (`ROOM_ENTITY_ID`): who was admitted, with what role, by whom; and which keys the owner
 * revoked, at which stamp. Admission already checked who wrote each entry (`batchSeal.ts`); what
 * this adds is time. A batch counts unless one of the keys it rests on (node, operator, and the
 * issuers in its chain: revoking an inviter ends whom it admitted) was revoked at a stamp before
 * its own. Every replica ends with the same revocations, so with the same batches counted,
 * whatever order they came in; the store takes out (and puts back) what a new revocation changes.
 *
 * A membership is a hybrid certificate (issue 14 §5): a batch signed under a membership chain
 * counts only once an admission that carries the ML-DSA halves of every link of that chain is in
 * the journal (admission checked them; they are checked again here, at the cost of a hash). A
 * member reads its chain from that admission, so its batches follow it; one that overtakes it on
 * the way waits uncounted, and counts when it arrives.
 *
 * It also holds this node's own membership chain: the newest admission for its operator key
 * that holds now (or none: a guest reads and writes nothing).
 */
import { ObservableV2 } from 'lib0/observable';
import { fromBase64, toBase64 } from 'lib0/buffer';
import { ROOM_ENTITY_ID, encodeHlc, type DecodedBatch, type EntityStore, type StampedEntry } from '../../crdt/index.js';
import { parseCertificate } from './certificate.js';
import { base64url, fromBase64url } from './invitation.js';
import { fingerprint } from './fingerprint.js';
import { chainPqRefusal, decodeChain, encodeChain, parseMembership, sameKey, standingOf, type RoomRole, type Standing } from './membership.js';
import type { RoomOwner } from './invitation.js';
import { parseSeal } from './batchSeal.js';

export interface Admission {
  /** The member's operator key, and its fingerprint. */
  readonly member: Uint8Array;
  readonly fingerprint: string;
  readonly role: RoomRole;
  readonly mayInvite: boolean;
  /** Fingerprint of the key that issued it. */
  readonly issuedBy: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The node that wrote it into the room, and when (ms). */
  readonly writtenBy: string;
  readonly at: number;
  readonly chain: readonly Uint8Array[];
  /** The ML-DSA halves of the chain's signatures, as the entry carries them. */
  readonly pq: string;
}

export interface Revocation {
  readonly subject: string;
  readonly fingerprint: string;
  /** The stamp from which the subject's writes do not count. */
  readonly stamp: string;
  readonly at: number;
  readonly note: string;
}

interface AuthorityEvents {
  change: () => void;
}

export class RoomAuthority extends ObservableV2<AuthorityEvents> {
  /** Subject (base64url key) → earliest revocation stamp. */
  private revoked = new Map<string, Revocation>();
  private admissions: Admission[] = [];
  /** Chains (as admission entries write them) whose every link is signed with both halves. */
  private attested = new Set<string>();
  private own: readonly Uint8Array[] = [];
  private ownPq = '';
  private unwatch: (() => void) | undefined;
  private store: EntityStore | undefined;
  private cached: { second: number; value: Standing | undefined } | undefined;

  /** The room's owner key, and its ML-DSA key id. */
  readonly owner: Uint8Array;
  readonly ownerPq: Uint8Array;

  constructor(
    readonly room: string,
    owner: RoomOwner,
    /** This node's operator key. */
    readonly operatorKey: Uint8Array,
    private readonly now: () => number = () => Date.now(),
  ) {
    super();
    this.owner = owner.key;
    this.ownerPq = owner.pq;
  }

  /** Reads the room entity of `store`, now and as it changes. */
  attach(store: EntityStore): void {
    this.store = store;
    this.unwatch = store.watch((events) => {
      if (events.some((e) => e.id === ROOM_ENTITY_ID)) this.read(true);
    });
    this.read(false);
    // What storage held was read before the revocations and admissions in it were known.
    if (this.revoked.size > 0 || store.uncountedBatches > 0) store.recount();
  }

  override destroy(): void {
    this.unwatch?.();
    super.destroy();
  }

  /**
   * Whether a peer's batch counts: its membership chain is attested with both halves, and none
   * of the keys it rests on was revoked before its stamp.
   */
  readonly counts = (batch: DecodedBatch): boolean => {
    if (!batch.seal) return true;
    let keys: Uint8Array[];
    try {
      const seal = parseSeal(batch.seal);
      if (seal.chain.length > 0 && !this.attested.has(chainText(seal.chain))) return false;
      if (this.revoked.size === 0) return true;
      const cert = parseCertificate(seal.certificate);
      keys = [cert.nodePublicKey, cert.operatorPublicKey];
      for (const link of seal.chain) {
        const m = parseMembership(link);
        keys.push(m.issuer, m.member);
      }
    } catch {
      return true; // admission judged it; nothing here to revoke
    }
    return !keys.some((key) => {
      const r = this.revoked.get(base64url(key));
      return r !== undefined && batch.stamp > r.stamp;
    });
  };

  /** This node's standing now: owner (its key is the room's), a member, or none (a guest). */
  standing(): Standing | undefined {
    // Asked on every read of the node's identity: judged at most once a second, and on change.
    const second = Math.floor(this.now() / 1000);
    if (this.cached?.second === second) return this.cached.value;
    const s = standingOf(this.room, this.owner, this.own, this.operatorKey, this.now() / 1000);
    const value = typeof s === 'string' || this.isRevoked(s.keys) ? undefined : s;
    this.cached = { second, value };
    return value;
  }

  /** The chain this node signs its batches with. */
  chain(): readonly Uint8Array[] {
    return this.own;
  }

  /** The ML-DSA halves of `chain()` (base64), for the admissions this node issues. */
  chainPq(): string {
    return this.ownPq;
  }

  memberships(): readonly Admission[] {
    return this.admissions;
  }

  revocations(): readonly Revocation[] {
    return [...this.revoked.values()];
  }

  /** Whether one of `keys` was revoked at or before `atMs` (wall ms: a signed map value's time). */
  revokedBefore(keys: readonly Uint8Array[], atMs: number): boolean {
    return keys.some((key) => {
      const r = this.revoked.get(base64url(key));
      return r !== undefined && atMs >= r.at;
    });
  }

  /** Whether the owner revoked `key` (any time). */
  isRevokedKey(key: Uint8Array): boolean {
    return this.revoked.has(base64url(key));
  }

  private isRevoked(keys: readonly Uint8Array[]): boolean {
    return keys.some((k) => this.revoked.has(base64url(k)));
  }

  private read(notify: boolean): void {
    const entries: StampedEntry[] = this.store?.journal(ROOM_ENTITY_ID) ?? [];
    const revoked = new Map<string, Revocation>();
    const admissions: Admission[] = [];
    const attested = new Set<string>();
    for (const { entry, at } of entries) {
      if (entry.kind === 'revoke') {
        const stamp = encodeHlc(at);
        const known = revoked.get(entry.subject);
        if (known === undefined || stamp < known.stamp) {
          let fp = entry.subject;
          try {
            fp = fingerprint(fromBase64url(entry.subject));
          } catch {
            // shown as given
          }
          revoked.set(entry.subject, { subject: entry.subject, fingerprint: fp, stamp, at: at.wall, note: entry.note });
        }
      } else if (entry.kind === 'admit') {
        try {
          const chain = decodeChain(fromBase64(entry.chain));
          if (chainPqRefusal(this.room, this.ownerPq, chain, entry.pq) !== undefined) continue;
          attested.add(entry.chain);
          const last = parseMembership(chain[chain.length - 1]!);
          admissions.push({
            member: last.member,
            fingerprint: fingerprint(last.member),
            role: last.role,
            mayInvite: last.mayInvite,
            issuedBy: fingerprint(last.issuer),
            issuedAt: last.issuedAt,
            expiresAt: last.expiresAt,
            writtenBy: at.node,
            at: at.wall,
            chain,
            pq: entry.pq!,
          });
        } catch {
          // admission refuses malformed chains; one written here before that is skipped
        }
      }
    }
    const changed = revoked.size !== this.revoked.size || [...revoked].some(([k, r]) => this.revoked.get(k)?.stamp !== r.stamp);
    const newlyAttested = [...attested].some((c) => !this.attested.has(c));
    this.revoked = revoked;
    this.admissions = admissions;
    this.attested = attested;
    this.pickOwnChain();
    this.cached = undefined;
    if (notify && (changed || (newlyAttested && (this.store?.uncountedBatches ?? 0) > 0))) queueMicrotask(() => this.store?.recount());
    this.emit('change', []);
  }

  /** The newest admission of this node's operator key that holds now. */
  private pickOwnChain(): void {
    if (sameKey(this.operatorKey, this.owner)) return;
    const nowS = this.now() / 1000;
    let best: Admission | undefined;
    for (const a of this.admissions) {
      if (!sameKey(a.member, this.operatorKey)) continue;
      if (typeof standingOf(this.room, this.owner, a.chain, this.operatorKey, nowS) === 'string') continue;
      if (!best || a.issuedAt > best.issuedAt) best = a;
    }
    const current = standingOf(this.room, this.owner, this.own, this.operatorKey, nowS);
    if (best && (typeof current === 'string' || parseMembership(this.own[this.own.length - 1]!).issuedAt < best.issuedAt)) {
      this.own = best.chain;
      this.ownPq = best.pq;
    }
  }
}

/** A chain as an admission entry carries it. */
export function chainText(chain: readonly Uint8Array[]): string {
  return toBase64(encodeChain(chain));
}
