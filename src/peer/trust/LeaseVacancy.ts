/**
 * Which pipeline lease holders count as absent: those whose lease value is signed under a key
 * the owner revoked before it was signed. Admission lets such a value in (it judges values from
 * their bytes alone, as it does batches); this is the counting half, as `RoomAuthority.counts`
 * is for batches: every node that knows the revocation treats that lease as vacant, so a revoked
 * member's node cannot keep the run by renewing its lease, and another node takes over.
 *
 * The pipeline reads the set (`PipelineHost.setVacantLeaseHolders`). A holder stays listed: a
 * revoked key is revoked for good.
 */
import type * as Y from 'yjs';
import { LEASES_MAP } from '../../crdt/index.js';
import { mapValueSigner } from './mapSeal.js';
import type { RoomAuthority } from './RoomAuthority.js';

const LEASE_KEY = 'pipeline';

export class LeaseVacancy {
  private readonly holders = new Set<string>();
  private readonly map: Y.Map<unknown>;

  constructor(
    doc: Y.Doc,
    private readonly authority: RoomAuthority,
    private readonly changed: () => void,
  ) {
    this.map = doc.getMap(LEASES_MAP);
    this.map.observe(this.check);
    authority.on('change', this.check);
    this.check();
  }

  /** Holder ids whose leases count as vacant. */
  list(): readonly string[] {
    return [...this.holders];
  }

  destroy(): void {
    this.map.unobserve(this.check);
    this.authority.off('change', this.check);
  }

  private readonly check = (): void => {
    const value = this.map.get(LEASE_KEY) as { holder?: unknown } | undefined;
    if (typeof value?.holder !== 'string' || this.holders.has(value.holder)) return;
    const signer = mapValueSigner(value);
    if (!signer || !this.authority.revokedBefore(signer.keys, signer.at)) return;
    this.holders.add(value.holder);
    this.changed();
  };
}
