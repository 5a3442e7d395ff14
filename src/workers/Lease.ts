/**
 * A lease kept in the document: who computes a derived result for the whole mesh.
 *
 * The lease is one entry of the document's `lattice.leases` map: holder, and expiry as an HLC
 * timestamp. A node computes only while it holds an unexpired lease; it renews at half-life;
 * any node may take a lease whose expiry has passed on its HLC, which is how work moves when
 * its holder is gone (closed tab, crashed worker, lost link). During a partition each side may
 * take the lease, so both compute; on heal Yjs resolves the map entry to one holder on every
 * replica, the other side sees a live lease it does not hold and stands down, and what both
 * computed merges because derived entities have the same ids on both sides (see `Tracker`).
 */
import * as Y from 'yjs';
import { LEASES_MAP as LEASES_ROOT, decodeHlc, DEFAULT_MAX_OFFSET_MS, encodeHlc, isValidNodeId, ValidationError, type Hlc } from '../crdt/index.js';
import { isRecord } from '../crdt/validate.js';

/** The document's map of leases (its layout, and what peers may put in it, is `crdt/docLayout.ts`). */
export const LEASES_MAP = LEASES_ROOT;

export interface LeaseRecord {
  readonly holder: string;
  readonly expires: Hlc;
}

export class Lease {
  private readonly map: Y.Map<unknown>;

  constructor(
    private readonly doc: Y.Doc,
    readonly name: string,
    readonly holder: string,
    readonly ttlMs: number,
    /** The mesh's maximum clock offset: an honest expiry is never further ahead than ttl + this. */
    readonly maxOffsetMs: number = DEFAULT_MAX_OFFSET_MS,
    /** Holders whose leases count as vacant (signed under a revoked key: `peer/trust/LeaseVacancy.ts`). */
    private readonly vacant: (holder: string) => boolean = () => false,
  ) {
    this.map = doc.getMap(LEASES_MAP);
  }

  /** The lease as the document holds it; a malformed entry (from a peer) reads as no lease. */
  current(): LeaseRecord | undefined {
    const raw = this.map.get(this.name);
    if (!isRecord(raw) || !isValidNodeId(raw.holder) || typeof raw.expires !== 'string') return undefined;
    try {
      return { holder: raw.holder, expires: decodeHlc(raw.expires) };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return undefined;
    }
  }

  /**
   * The lease as it counts at `now`. An expiry further ahead than ttl + the maximum clock offset
   * no honest holder wrote (renewing sets now + ttl, and clocks agree within the offset): it is
   * a peer's lie or a wrong clock, and reads as no lease, so a lease "until the year 3000"
   * cannot stop the run. (The mesh's nodes share one ttl.) A lease of a vacant holder (revoked)
   * reads as no lease too.
   */
  valid(now: Hlc): LeaseRecord | undefined {
    const lease = this.current();
    return lease && lease.expires.wall - now.wall <= this.ttlMs + this.maxOffsetMs && !this.vacant(lease.holder) ? lease : undefined;
  }

  /** Whether this node holds the lease at `now`, without changing anything. */
  heldAt(now: Hlc): boolean {
    const lease = this.valid(now);
    return lease !== undefined && lease.holder === this.holder && lease.expires.wall > now.wall;
  }

  /**
   * Takes the lease if it is free or expired, renews it if we hold it and it is past half-life.
   * Returns whether we hold it now.
   */
  hold(now: Hlc): boolean {
    const lease = this.valid(now);
    const ours = lease?.holder === this.holder;
    if (lease && !ours && lease.expires.wall > now.wall) return false;
    if (!lease || !ours || lease.expires.wall - now.wall < this.ttlMs / 2) {
      const expires = encodeHlc({ wall: now.wall + this.ttlMs, counter: 0, node: this.holder });
      this.doc.transact(() => this.map.set(this.name, { holder: this.holder, expires }), this);
    }
    return true;
  }

  /** Gives the lease up at once (a clean stop), so another node need not wait for expiry. */
  release(): void {
    if (this.current()?.holder === this.holder) this.doc.transact(() => this.map.delete(this.name), this);
  }
}
