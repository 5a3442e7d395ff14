/**
 * The room's front desk on one node (`RoomControl`): who is in the room and with what role,
 * invitations, admissions and revocations.
 *
 * - **Invite**: a member who may invite signs a grant (`trust/invitation.ts`) for a link.
 * - **Join**: a node that opened a link and holds no membership puts a join proof in its presence.
 * - **Admit**: a node of the grant's issuer (its operator key signed the grant) that sees a join
 *   proof checks it with its own clock and, if it holds, issues a membership certificate and
 *   writes it into the room entity's journal, where the newcomer (and everyone) reads it.
 * - **Renew**: a membership lasts at most 90 days. The node that issued one renews it, with the
 *   same role, while its holder is in the room and it has less than `RENEW_BEFORE_S` left (so a
 *   person who keeps working is never locked out, and one gone for months is not kept in).
 * - **Revoke**: the owner key writes a revocation into the room entity's journal.
 *
 * Every write here is checked again by every peer at admission (`trust/batchSeal.ts`): this
 * node only offers what it may do.
 */
import { ROOM_ENTITY_ID, ValidationError, type EntityStore } from '../crdt/index.js';
import type { InviteOptions, MemberInfo, RoomControl, RoomInfo, RoomStanding } from './LatticeNode.js';
import type { PresenceState } from './presence.js';
import type { NodeCredentials } from './trust/credentials.js';
import { fingerprint } from './trust/fingerprint.js';
import { base64url, checkJoin, createInvitation, encodeInvitation, formatOwner, joinIssuer, joinProof, MAX_INVITATION_S, type Invitation } from './trust/invitation.js';
import { attest, revocationMessage } from './trust/hybrid.js';
import { cryptoSigner, decodeChain, decodeChainPq, encodeChainPq, issueMembership, parseMembership, sameKey, standingOf, type RoomRole, type Signer } from './trust/membership.js';
import { chainText, type Admission, type RoomAuthority } from './trust/RoomAuthority.js';
import { fromBase64 } from 'lib0/buffer';

/** A peer's verified presence, with the keys that signed it. */
export interface VerifiedPeer {
  readonly presence: PresenceState;
  readonly operatorKey: Uint8Array;
  readonly nodeKey: Uint8Array;
  readonly nodeFingerprint: string;
  readonly lastHeard: number;
}

export interface RoomDeskOptions {
  /** The room id (signed into everything) and the name people gave it. */
  readonly room: string;
  readonly name: string;
  readonly authority: RoomAuthority | undefined;
  readonly store: EntityStore;
  readonly credentials: NodeCredentials;
  /** What this node says of itself in an open room. */
  readonly claimedRole: () => 'operator' | 'viewer';
  readonly selfName: () => string;
  /** The invitation this node opened, or why the one it opened cannot be used. */
  readonly invitation?: Invitation | undefined;
  readonly invitationProblem?: string | undefined;
  readonly peers: () => readonly VerifiedPeer[];
  readonly now: () => number;
  /** Something changed that the status shows. */
  readonly changed: () => void;
}

const DAY_S = 24 * 3600;
const MAX_REFUSED_PROOFS = 256;
/** A membership is renewed once less than this is left of the chain it rests on. */
export const RENEW_BEFORE_S = 14 * DAY_S;

export class RoomDesk implements RoomControl {
  private readonly inFlight = new Set<string>();
  /** Join proofs this node would not honour, by the member's key: counted, with the last reason. */
  private readonly refusedJoins = new Map<string, string>();
  /**
   * Join proofs (by member key and proof) `checkJoin` refused: every reason it gives holds for
   * good (a bad signature, an expiry passed), so a proof that stays in a peer's presence is not
   * verified again every second (its ML-DSA half costs milliseconds). Bounded: the oldest goes.
   */
  private readonly refusedProofs = new Set<string>();

  constructor(private readonly o: RoomDeskOptions) {}

  info(): RoomInfo {
    const authority = this.o.authority;
    if (!authority) {
      const role = this.o.claimedRole();
      return { name: this.o.name, open: true, ownerFingerprint: undefined, ownerKey: undefined, standing: role, mayInvite: false, mayRevoke: false, joining: false, problem: undefined };
    }
    const standing = authority.standing();
    const revoked = authority.isRevokedKey(this.o.credentials.operator.publicKey);
    return {
      name: this.o.name,
      open: false,
      ownerFingerprint: fingerprint(authority.owner),
      ownerKey: formatOwner({ key: authority.owner, pq: authority.ownerPq }),
      standing: standing?.role ?? 'guest',
      mayInvite: standing?.mayInvite ?? false,
      mayRevoke: this.ownsRoom(),
      joining: !standing && this.o.invitation !== undefined && !revoked && this.o.invitationProblem === undefined,
      problem: revoked ? 'The owner revoked your membership of this room: you can read, not write.' : this.o.invitationProblem,
    };
  }

  /** What this node's presence carries: its chain, or its join proof while it waits. */
  presenceFields(): { chain?: string; join?: string } {
    const authority = this.o.authority;
    if (!authority) return {};
    const chain = authority.chain();
    if (authority.standing()) return chain.length > 0 ? { chain: chainText(chain) } : {};
    if (this.o.invitation && this.o.invitationProblem === undefined) return { join: joinProof(this.o.room, this.o.invitation, this.o.credentials.operator.publicKey, this.o.credentials.pq.id) };
    return {};
  }

  async invite(options: InviteOptions): Promise<string> {
    const authority = this.o.authority;
    if (!authority) throw new ValidationError('invite', 'An open room has no invitations: anyone who reaches it may write.');
    const standing = authority.standing();
    if (!standing?.mayInvite) throw new ValidationError('invite', 'Only the owner, and operators the owner allows, invite.');
    if (!['owner', 'operator', 'viewer'].includes(options.role)) throw new ValidationError('invite.role', 'An invitation is for an owner, an operator or a viewer.');
    if (standing.role !== 'owner' && (options.role === 'owner' || options.mayInvite)) throw new ValidationError('invite', 'An operator invites operators and viewers, who may not invite in turn.');
    const lifetime = options.expiresInS ?? DAY_S;
    if (!Number.isFinite(lifetime) || lifetime < 60 || lifetime > MAX_INVITATION_S) throw new ValidationError('invite.expiresInS', `An invitation lasts from a minute to ${MAX_INVITATION_S / DAY_S} days.`);
    const nowMs = this.o.now();
    const invitation = await createInvitation(this.o.room, this.issuer(), { role: options.role, mayInvite: options.mayInvite ?? false, expiresAtS: Math.floor(nowMs / 1000 + lifetime), nowMs });
    return encodeInvitation(invitation);
  }

  revoke(who: string, note = ''): void {
    const authority = this.o.authority;
    if (!authority || !this.ownsRoom()) throw new ValidationError('revoke', 'Only the room owner revokes.');
    const subjects = this.keysNamed(who);
    if (subjects.length === 0) throw new ValidationError('revoke', `No member or node with key ${who} is known in this room.`);
    if (subjects.some((k) => sameKey(k, authority.owner))) throw new ValidationError('revoke', 'The owner key cannot be revoked; open a new room instead.');
    const text = note.slice(0, 120);
    // Both halves: the batch's seal (Ed25519) and the owner's ML-DSA attestation of each entry.
    const atMs = this.o.store.wallNow();
    const entries = subjects.map((key) => {
      const subject = base64url(key);
      return { kind: 'revoke' as const, subject, note: text, pq: attest(this.o.credentials.pq, atMs, (at) => revocationMessage(this.o.room, subject, text, at)) };
    });
    this.o.store.transact(() => {
      this.ensureRoomEntity();
      for (const entry of entries) this.o.store.record(ROOM_ENTITY_ID, entry);
    });
  }

  members(): MemberInfo[] {
    const authority = this.o.authority;
    const self = this.o.credentials.operator.publicKey;
    const byKey = new Map<string, { key: Uint8Array; names: Set<string>; nodes: Map<string, { nodeId: string; name: string; fingerprint: string }>; lastSeen?: number; chain?: readonly Uint8Array[] }>();
    const entry = (key: Uint8Array) => {
      const k = base64url(key);
      let e = byKey.get(k);
      if (!e) byKey.set(k, (e = { key, names: new Set(), nodes: new Map() }));
      return e;
    };
    const me = entry(self);
    me.names.add(this.o.selfName());
    me.nodes.set(this.o.credentials.nodeId, { nodeId: this.o.credentials.nodeId, name: this.o.selfName(), fingerprint: this.o.credentials.fingerprint });
    me.lastSeen = this.o.now();
    if (authority) me.chain = authority.chain();
    for (const peer of this.o.peers()) {
      const e = entry(peer.operatorKey);
      e.names.add(peer.presence.name);
      e.nodes.set(peer.presence.nodeId, { nodeId: peer.presence.nodeId, name: peer.presence.name, fingerprint: peer.nodeFingerprint });
      e.lastSeen = Math.max(e.lastSeen ?? 0, peer.lastHeard);
      if (peer.presence.chain) {
        try {
          e.chain = decodeChain(fromBase64(peer.presence.chain));
        } catch {
          // unreadable: its admission (below) still tells
        }
      }
    }
    if (authority) {
      entry(authority.owner);
      for (const a of authority.memberships()) {
        const e = entry(a.member);
        e.chain ??= a.chain;
      }
    }
    const nowS = this.o.now() / 1000;
    const out: MemberInfo[] = [];
    for (const e of byKey.values()) {
      let standing: RoomStanding;
      let mayInvite = false;
      let issuedBy: string | undefined;
      let expiresAt: number | undefined;
      if (!authority) {
        standing = e.key === self ? this.o.claimedRole() : (this.o.peers().find((p) => sameKey(p.operatorKey, e.key))?.presence.role ?? 'operator');
      } else {
        const s = standingOf(this.o.room, authority.owner, e.chain ?? [], e.key, nowS);
        standing = typeof s === 'string' ? 'guest' : s.role;
        mayInvite = typeof s !== 'string' && s.mayInvite;
        const admission = [...authority.memberships()].reverse().find((a) => sameKey(a.member, e.key));
        issuedBy = admission?.issuedBy;
        expiresAt = admission?.expiresAt;
      }
      out.push({
        fingerprint: fingerprint(e.key),
        names: [...e.names].filter((n) => n !== ''),
        standing,
        mayInvite,
        nodes: [...e.nodes.values()],
        lastSeen: e.lastSeen,
        issuedBy,
        expiresAt,
        revoked: authority?.isRevokedKey(e.key) ?? false,
        self: sameKey(e.key, self),
      });
    }
    const rank: Record<RoomStanding, number> = { owner: 0, operator: 1, viewer: 2, guest: 3 };
    return out.sort((a, b) => Number(b.self) - Number(a.self) || rank[a.standing] - rank[b.standing] || a.fingerprint.localeCompare(b.fingerprint));
  }

  /** Join proofs refused here (by member fingerprint → reason). */
  refusals(): ReadonlyMap<string, string> {
    return this.refusedJoins;
  }

  /** Admits the peers whose join proofs this node may honour (called as presence changes). */
  admitJoiners(): void {
    const authority = this.o.authority;
    if (!authority) return;
    const standing = authority.standing();
    if (!standing?.mayInvite) return;
    for (const peer of this.o.peers()) {
      const proof = peer.presence.join;
      if (proof === undefined) continue;
      // Only the issuer's nodes admit (they are the ones whose clock and word the grant names):
      // the others neither check the proof nor say anything of it.
      const issuer = joinIssuer(proof);
      if (!issuer || !sameKey(issuer, this.o.credentials.operator.publicKey)) continue;
      const key = base64url(peer.operatorKey);
      if (this.inFlight.has(key) || authority.isRevokedKey(peer.operatorKey)) continue;
      const proofKey = `${key} ${proof}`;
      if (this.refusedProofs.has(proofKey)) continue;
      const join = checkJoin(this.o.room, proof, peer.operatorKey, this.o.now(), this.o.credentials.pq.publicKey);
      if (typeof join === 'string') {
        if (this.refusedProofs.size >= MAX_REFUSED_PROOFS) this.refusedProofs.delete(this.refusedProofs.values().next().value!);
        this.refusedProofs.add(proofKey);
        this.refuseJoin(peer, join);
        continue;
      }
      const { grant, memberPq } = join;
      if (standing.role !== 'owner' && (grant.role === 'owner' || grant.mayInvite)) {
        this.refuseJoin(peer, 'an invitation beyond what its issuer may give');
        continue;
      }
      if (authority.memberships().some((a) => sameKey(a.member, peer.operatorKey) && a.role === grant.role && a.expiresAt > this.o.now() / 1000 + DAY_S)) continue;
      this.issue(peer.operatorKey, { role: grant.role, mayInvite: grant.mayInvite, memberPq, invitation: grant.invitationKey });
    }
  }

  /**
   * Renews the memberships this node's operator key issued whose chains run out within
   * `RENEW_BEFORE_S`, for members in the room now and not revoked (called with `admitJoiners`).
   */
  renewMemberships(): void {
    const authority = this.o.authority;
    if (!authority) return;
    const standing = authority.standing();
    if (!standing?.mayInvite) return;
    const self = this.o.credentials.operator.publicKey;
    const nowS = this.o.now() / 1000;
    const present = new Set(this.o.peers().map((p) => base64url(p.operatorKey)));
    // The newest admission of each member this node's key issued.
    const newest = new Map<string, Admission>();
    for (const a of authority.memberships()) {
      const k = base64url(a.member);
      const known = newest.get(k);
      if (!known || a.issuedAt > known.issuedAt) newest.set(k, a);
    }
    for (const [k, a] of newest) {
      if (!present.has(k) || this.inFlight.has(k) || authority.isRevokedKey(a.member)) continue;
      const last = parseMembership(a.chain[a.chain.length - 1]!);
      if (!sameKey(last.issuer, self)) continue;
      const held = standingOf(this.o.room, authority.owner, a.chain, a.member, nowS);
      if (typeof held !== 'string' && held.expiresAt - nowS > RENEW_BEFORE_S) continue;
      // An operator renews no further than its own chain lets it give (an owner's has no end).
      if (standing.role !== 'owner' && (last.role === 'owner' || last.mayInvite)) continue;
      this.issue(a.member, { role: last.role, mayInvite: last.mayInvite, memberPq: last.memberPq });
    }
  }

  /** Issues a membership to `member` and publishes it, with both halves, in the room's journal. */
  private issue(member: Uint8Array, terms: { role: RoomRole; mayInvite: boolean; memberPq: Uint8Array; invitation?: Uint8Array }): void {
    const authority = this.o.authority!;
    const key = base64url(member);
    this.inFlight.add(key);
    void issueMembership(this.o.room, this.issuer(), { ...terms, member, nowMs: this.o.now() })
      .then((cert) => {
        const chain = chainText([...authority.chain(), cert.bytes]);
        const pq = encodeChainPq([...decodeChainPq(authority.chainPq()), cert.pq]);
        this.o.store.transact(() => {
          this.ensureRoomEntity();
          this.o.store.record(ROOM_ENTITY_ID, { kind: 'admit', chain, pq });
        });
      })
      .catch((error: unknown) => console.error('lattice: a membership could not be issued', error))
      .finally(() => {
        // Kept a while: the newcomer's presence still shows its proof until it reads the admission.
        setTimeout(() => this.inFlight.delete(key), 10_000);
      });
  }

  private refuseJoin(peer: VerifiedPeer, why: string): void {
    const fp = fingerprint(peer.operatorKey);
    if (this.refusedJoins.get(fp) === why) return;
    this.refusedJoins.set(fp, why);
    console.warn(`lattice: did not admit ${peer.presence.name} (${fp}): ${why}`);
    this.o.changed();
  }

  private ownsRoom(): boolean {
    return this.o.authority !== undefined && sameKey(this.o.credentials.operator.publicKey, this.o.authority.owner);
  }

  private issuer(): Signer {
    return cryptoSigner(this.o.credentials.operator, this.o.credentials.pq);
  }

  private ensureRoomEntity(): void {
    if (!this.o.store.has(ROOM_ENTITY_ID)) this.o.store.create(ROOM_ENTITY_ID, 'room');
  }

  /** The operator keys (or node keys) whose fingerprint is `who`. */
  private keysNamed(who: string): Uint8Array[] {
    const wanted = who.trim().toUpperCase();
    const keys = new Map<string, Uint8Array>();
    const consider = (key: Uint8Array) => {
      if (fingerprint(key) === wanted) keys.set(base64url(key), key);
    };
    for (const a of this.o.authority?.memberships() ?? []) consider(a.member);
    for (const p of this.o.peers()) {
      consider(p.operatorKey);
      consider(p.nodeKey);
    }
    return [...keys.values()];
  }
}

