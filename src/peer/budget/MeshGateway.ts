/**
 * Between a node's own document and the mesh document: what lets a node spend a narrow uplink
 * on what matters first.
 *
 * Yjs applies one client's updates in order, so changes cannot be reordered once they are in a
 * shared document. So a node keeps two: its local document (the page, the pipeline worker and
 * IndexedDB write there, and the UI reads it) and the mesh document that the transport shares.
 * - Outbound: every batch that enters the local log (except what came from the mesh) is split
 *   into its writes, which wait in the `Outbox` (one per entity component, newest wins) and are
 *   released into the mesh document in priority order, as the pacer's budget allows. A released
 *   write keeps its original HLC stamp, so every node resolves it as if it had left at once;
 *   writes the mesh already has (or that a newer write or a tombstone there makes moot) are
 *   skipped. Without a budget and with nothing waiting, a batch passes through whole.
 * - Inbound: every batch a peer puts into the mesh document is added to the local one at once
 *   (receiving costs our uplink nothing).
 * Without links nothing is released: what changes offline waits, coalesced, and leaves in order
 * once a link is up (the resync of what the mesh document holds is paced like everything else).
 */
import type { DecodedBatch, EntityStore, RawBatch, RawWrite } from '../../crdt/index.js';
import { THREAT_LEVELS } from '../../crdt/index.js';
import { CHANGE_CLASSES, type ChangeClass } from '../LatticeNode.js';
import { changeKey, classifyChange } from './changeClass.js';
import { Outbox, type OutboxEntry } from './Outbox.js';
import type { Pacer } from './Pacer.js';
import { trafficOrigin } from './trafficOrigin.js';

export interface MeshGatewayOptions {
  /** The node's own store (local document). */
  readonly local: EntityStore;
  /** The store over the mesh document (made with `rewriteOwn: false`). */
  readonly mesh: EntityStore;
  readonly pacer: Pacer;
  /** How many copies one message costs: one per WebRTC link, one for all same-browser tabs. */
  readonly fanOut: () => number;
  /** ms clock for waiting times. */
  readonly now?: () => number;
  /** Signs the node's batches before they enter the mesh document (none: they enter as they are). */
  readonly sealer?: Sealer;
}

/** Signs batches for the mesh, delivering them in the order given (see `trust/batchSeal.ts`). */
export interface Sealer {
  seal(raws: readonly RawBatch[], deliver: (sealed: RawBatch[]) => void): void;
  /** What a seal adds to a batch on the wire. */
  readonly bytesPerBatch: number;
}

const unsigned: Sealer = { seal: (raws, deliver) => deliver([...raws]), bytesPerBatch: 0 };

/** Bytes a write costs in an update beyond its JSON text (array framing, its share of the stamp). */
const WRITE_OVERHEAD = 4;
/** Bytes one released update costs beyond its writes (update header, batch stamps, delete set). */
const UPDATE_OVERHEAD = 48;
/** A release waits until this much can leave: fewer, fuller updates; bounded by the burst. */
const MIN_RELEASE_BYTES = 256;
const MAX_RELEASE_BYTES = 8 * 1024;

export class MeshGateway {
  readonly outbox = new Outbox();
  private readonly local: EntityStore;
  private readonly mesh: EntityStore;
  private readonly pacer: Pacer;
  private readonly fanOut: () => number;
  private readonly now: () => number;
  private readonly sealer: Sealer;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private queued = false;
  private destroyed = false;

  constructor(options: MeshGatewayOptions) {
    this.local = options.local;
    this.mesh = options.mesh;
    this.pacer = options.pacer;
    this.fanOut = options.fanOut;
    this.now = options.now ?? (() => performance.now());
    this.sealer = options.sealer ?? unsigned;
    this.local.on('appended', this.onLocal);
    this.mesh.on('appended', this.onMesh);
    this.pacer.on('idle', this.kick);
    this.pacer.relayReserve = () => (this.outbox.size > 0 ? this.releaseTarget() * this.copies() : 0);
    const existing = this.local.batches();
    if (existing.length > 0) this.onLocal(existing, 'document');
  }

  /** Something changed (links, budget): see whether changes can leave now. */
  readonly kick = (): void => {
    if (this.queued || this.destroyed) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.pump();
    });
  };

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.timer);
    this.local.off('appended', this.onLocal);
    this.mesh.off('appended', this.onMesh);
    this.pacer.off('idle', this.kick);
  }

  private readonly onLocal = (batches: readonly DecodedBatch[], source: string): void => {
    if (source === 'import' || this.destroyed) return;
    const at = this.now();
    for (const batch of batches) {
      if (!this.pacer.limited && this.outbox.size === 0 && this.fanOut() > 0) {
        // Nothing waits and nothing limits: the batch leaves whole, as it was written.
        this.publish([batch.raw], this.topClass(batch));
        continue;
      }
      for (const write of batch.writes) this.enqueue(write.raw, batch.stamp, at);
    }
    if (this.outbox.size > 0) this.kick();
  };

  private readonly onMesh = (batches: readonly DecodedBatch[], source: string): void => {
    // Peers' batches (and the mesh document's own replay on reconnect) go to the local side.
    if (source !== 'document' || this.destroyed) return;
    this.local.importBatches(
      batches.map((b) => b.raw),
      false,
    );
  };

  private enqueue(write: RawWrite, stamp: string, at: number): void {
    const { cls, threat } = classifyChange(write, this.threatOf);
    this.outbox.put({ key: changeKey(write, stamp), write, stamp, cls, threat, bytes: JSON.stringify(write).length + WRITE_OVERHEAD }, at);
  }

  private readonly threatOf = (id: string): number => {
    const threat = this.local.component(id, 'threat');
    return threat ? THREAT_LEVELS.indexOf(threat.level) : 0;
  };

  private topClass(batch: DecodedBatch): ChangeClass {
    let best = CHANGE_CLASSES.length - 1;
    for (const write of batch.writes) {
      const cls = CHANGE_CLASSES.indexOf(classifyChange(write.raw, this.threatOf).cls);
      if (cls < best) best = cls;
      if (best === 0) break;
    }
    return CHANGE_CLASSES[best]!;
  }

  private copies(): number {
    return Math.max(1, this.fanOut());
  }

  /** Bytes per copy a limited release waits for. */
  private releaseTarget(): number {
    const { bytesPerSecond, burstBytes } = this.pacer.budget;
    // A release is worth its seal: it waits for room for at least MIN_RELEASE_BYTES of writes.
    const quarterSecond = Math.min(MAX_RELEASE_BYTES, Math.max(MIN_RELEASE_BYTES + this.sealer.bytesPerBatch, Math.round(bytesPerSecond / 4)));
    return Math.max(1, Math.min(quarterSecond, Math.floor(burstBytes / this.copies())));
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.destroyed || this.outbox.size === 0 || this.fanOut() === 0) return;
    if (!this.pacer.limited) {
      this.release(Infinity);
      return;
    }
    if (!this.pacer.idle) return; // the pacer's `idle` brings us back
    const copies = this.copies();
    const target = this.releaseTarget();
    const wait = this.pacer.msUntil(target * copies);
    if (wait > 0) {
      this.timer = setTimeout(() => this.pump(), wait);
      return;
    }
    this.release(Math.max(target, this.pacer.available() / copies));
    // Whatever the release sent left at once; come back for the rest when tokens allow.
    this.kick();
  }

  /** Releases waiting changes worth about `bytes` (per copy) into the mesh document. */
  private release(bytes: number): void {
    // Most releases hold writes of one stamp, so one batch: one seal.
    const entries = this.outbox.take(bytes - UPDATE_OVERHEAD - this.sealer.bytesPerBatch, (e) => this.mesh.covers(e.write, e.stamp));
    const byClass = new Map<ChangeClass, OutboxEntry[]>();
    for (const entry of entries) {
      const list = byClass.get(entry.cls);
      if (list) list.push(entry);
      else byClass.set(entry.cls, [entry]);
    }
    // One update per class (so its bytes are counted under it), in class order.
    for (const [cls, list] of byClass) {
      const byStamp = new Map<string, RawWrite[]>();
      for (const entry of list) {
        const writes = byStamp.get(entry.stamp);
        if (writes) writes.push(entry.write);
        else byStamp.set(entry.stamp, [entry.write]);
      }
      this.publish([...byStamp].map(([stamp, writes]) => [stamp, ...writes] as RawBatch), cls);
    }
  }

  /** Into the mesh document, signed, as traffic of class `cls`. */
  private publish(raws: readonly RawBatch[], cls: ChangeClass): void {
    this.sealer.seal(raws, (sealed) => {
      if (!this.destroyed) this.mesh.importBatches(sealed, false, trafficOrigin(cls));
    });
  }
}
