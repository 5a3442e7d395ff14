/**
 * Local changes waiting for the uplink, in the order they should leave: by class (deletes,
 * creates, priority, routine, positions), then by threat (high first), then oldest first.
 *
 * One entry per entity component (per key): a newer change to the same component replaces the
 * waiting one in place (`coalesced`), so the queue is bounded by the number of distinct entity
 * components, however long the link stays narrow. Entries keep their original HLC stamp: the
 * mesh resolves them exactly as if they had left at once.
 */
import { CHANGE_CLASSES, type ChangeClass } from '../LatticeNode.js';
import type { RawWrite } from '../../crdt/index.js';

export interface OutboxEntry {
  /** What it replaces: `entityId|component` (or a unique key for set elements and journal entries). */
  readonly key: string;
  readonly write: RawWrite;
  readonly stamp: string;
  readonly cls: ChangeClass;
  /** 0 (none) … 3 (high). */
  readonly threat: number;
  /** Estimated bytes on the wire. */
  readonly bytes: number;
  /** When the key started waiting (ms); kept when a newer change replaces the entry. */
  readonly since: number;
}

const THREAT_RANKS = 4;

export class Outbox {
  /** buckets[class * THREAT_RANKS + (3 - threat)]: insertion order is waiting order. */
  private readonly buckets: Array<Map<string, OutboxEntry>> = Array.from({ length: CHANGE_CLASSES.length * THREAT_RANKS }, () => new Map());
  private readonly where = new Map<string, number>();
  private replaced = 0;

  get size(): number {
    return this.where.size;
  }

  /** Changes replaced by a newer one before they left. */
  get coalesced(): number {
    return this.replaced;
  }

  /** Queues a change; a waiting change to the same key with an older stamp is replaced. */
  put(entry: Omit<OutboxEntry, 'since'>, now: number): void {
    const at = this.where.get(entry.key);
    let since = now;
    if (at !== undefined) {
      const old = this.buckets[at]!.get(entry.key)!;
      if (old.stamp >= entry.stamp) return; // a rewrite or repeat of what waits already
      since = old.since;
      this.replaced++;
      const target = bucketOf(entry);
      if (target === at) {
        this.buckets[at]!.set(entry.key, { ...entry, since });
        return;
      }
      this.buckets[at]!.delete(entry.key);
    }
    const target = bucketOf(entry);
    this.buckets[target]!.set(entry.key, { ...entry, since });
    this.where.set(entry.key, target);
  }

  /**
   * Takes waiting changes in order, as many as fit in `maxBytes` (always at least one, so a
   * change larger than any allowance still leaves). Changes `obsolete` says are no longer
   * needed are dropped on the way and cost nothing.
   */
  take(maxBytes: number, obsolete: (entry: OutboxEntry) => boolean = () => false): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    let bytes = 0;
    for (const bucket of this.buckets) {
      for (const entry of bucket.values()) {
        if (obsolete(entry)) {
          this.remove(bucket, entry.key);
          continue;
        }
        if (out.length > 0 && bytes + entry.bytes > maxBytes) return out;
        this.remove(bucket, entry.key);
        out.push(entry);
        bytes += entry.bytes;
      }
    }
    return out;
  }

  /** Waiting changes per class. */
  counts(): Record<ChangeClass, number> {
    const counts = Object.fromEntries(CHANGE_CLASSES.map((c) => [c, 0])) as Record<ChangeClass, number>;
    this.buckets.forEach((bucket, i) => {
      counts[CHANGE_CLASSES[Math.floor(i / THREAT_RANKS)]!] += bucket.size;
    });
    return counts;
  }

  /** When the longest-waiting change started waiting, or undefined when none waits. */
  oldestSince(): number | undefined {
    let oldest: number | undefined;
    for (const bucket of this.buckets) {
      // Within a bucket, the first entry is the oldest (replacements keep their place).
      const first = bucket.values().next();
      if (!first.done && (oldest === undefined || first.value.since < oldest)) oldest = first.value.since;
    }
    return oldest;
  }

  private remove(bucket: Map<string, OutboxEntry>, key: string): void {
    bucket.delete(key);
    this.where.delete(key);
  }
}

function bucketOf(entry: Pick<OutboxEntry, 'cls' | 'threat'>): number {
  const threat = Math.max(0, Math.min(THREAT_RANKS - 1, entry.threat));
  return CHANGE_CLASSES.indexOf(entry.cls) * THREAT_RANKS + (THREAT_RANKS - 1 - threat);
}
