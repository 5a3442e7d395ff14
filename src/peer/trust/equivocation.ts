/**
 * Evidence of equivocation (issue 14 §3): one key that signed two different writes to the same
 * place of an entity under one stamp. An honest node never does (its clock stamps each batch
 * once, and one place once per batch), so the two signed batches prove a faulty or hostile
 * writer; they are kept, bounded, and shown. Two different keys claiming one node id at one
 * stamp are kept too: node ids are labels, and that one is in dispute.
 *
 * Resolution does not wait for this: every replica breaks the tie by content alike.
 */
import { decodeBatch, type RawBatch, type StampConflict } from '../../crdt/index.js';
import { sealSigner } from './batchSeal.js';
import { fingerprint } from './fingerprint.js';

/** Evidence entries kept; past it the oldest is dropped (the count goes on). */
const MAX_EVIDENCE = 32;

export interface Equivocation {
  /** `equivocation`: one key signed both; `shared-node-id`: two keys stamp as one node id. */
  readonly kind: 'equivocation' | 'shared-node-id';
  readonly nodeId: string;
  /** Fingerprints of the node keys that signed the two batches (equal for an equivocation). */
  readonly keys: readonly [string, string];
  readonly entity: string;
  readonly stamp: string;
  /** The two signed batches, as received: anyone can check them again. */
  readonly batches: readonly [RawBatch, RawBatch];
}

export class EquivocationLog {
  private readonly kept: Equivocation[] = [];
  private readonly seen = new Set<string>();
  /** Conflicts observed, equivocations among them (both since creation). */
  conflicts = 0;
  equivocations = 0;

  /** A store's `conflict` event: keeps the evidence once per pair of batches. */
  readonly observe = (conflict: StampConflict): void => {
    const [a, b] = conflict.batches;
    const key = `${conflict.stamp}|${conflict.id}|${[JSON.stringify(a), JSON.stringify(b)].sort().join('|')}`;
    if (this.seen.has(key)) return;
    if (this.seen.size > 4 * MAX_EVIDENCE) this.seen.clear();
    this.seen.add(key);
    this.conflicts++;
    const [sa, sb] = [sealSigner(decodeBatch(a)), sealSigner(decodeBatch(b))];
    // Unsigned batches (a node's own document) prove nothing about a key.
    if (!sa || !sb) return;
    const keys: [string, string] = [fingerprint(sa.nodePublicKey), fingerprint(sb.nodePublicKey)];
    const kind = keys[0] === keys[1] ? 'equivocation' : 'shared-node-id';
    if (kind === 'equivocation') this.equivocations++;
    this.kept.push({ kind, nodeId: sa.nodeId, keys, entity: conflict.id, stamp: conflict.stamp, batches: [a, b] });
    if (this.kept.length > MAX_EVIDENCE) this.kept.shift();
  };

  /** The evidence kept, oldest first. */
  list(): readonly Equivocation[] {
    return [...this.kept];
  }

  /** One line for a person, about the latest evidence, or undefined when there is none. */
  summary(): string | undefined {
    const last = this.kept[this.kept.length - 1];
    if (!last) return undefined;
    return last.kind === 'equivocation'
      ? `Node ${last.nodeId} (key ${last.keys[0]}) signed two different writes to ${last.entity} under one stamp: it is faulty or hostile (evidence kept: lattice.evidence()).`
      : `Two keys (${last.keys[0]}, ${last.keys[1]}) write as node ${last.nodeId}: one of them is not who it says (evidence kept: lattice.evidence()).`;
  }
}
