/**
 * The uplink, one owner for everything a narrow link needs: the mesh document the links share
 * (and its store), the gateway and outbox that release local changes into it in priority order,
 * the mirror of the pipeline's small maps, and the pacer that spends the budget. Traffic classes
 * travel with the data as transaction origins (`trafficOrigin`), so the mesh knows what each
 * update it sends is.
 */
import * as Y from 'yjs';
import { EntityStore, MESH_LAYOUT, batchProblem, mapRootNames, type BatchCheck } from '../../crdt/index.js';
import type { TrafficReport, UplinkBudget } from '../LatticeNode.js';
import { MapMirror, type MapSealer } from './MapMirror.js';
import { MeshGateway, type Sealer } from './MeshGateway.js';
import { Pacer, TRAFFIC_WINDOW_MS } from './Pacer.js';
import { trafficOrigin } from './trafficOrigin.js';
import { validateBudget } from './uplinkBudget.js';

export class Uplink {
  /** The document the links share. */
  readonly doc = new Y.Doc();
  readonly store: EntityStore;
  readonly pacer = new Pacer();
  readonly gateway: MeshGateway;
  private readonly mirror: MapMirror;
  private readonly batchCheck: BatchCheck | undefined;

  constructor(
    private readonly local: EntityStore,
    options: {
      readonly node: string;
      readonly physicalNow?: () => number;
      readonly budget?: { bytesPerSecond: number; burstBytes?: number } | undefined;
      readonly fanOut: () => number;
      /** Signs what this node publishes; every batch in the mesh document is signed. */
      readonly sealer?: Sealer;
      /** Checks a batch a peer sent in a repair, as admission checks the ones in its updates. */
      readonly batchCheck?: BatchCheck;
      /** Signs this node's values of the pipeline's maps on their way to the mesh. */
      readonly mapSealer?: MapSealer;
    },
  ) {
    this.store = new EntityStore(this.doc, { node: options.node, rewriteOwn: false, ...(options.physicalNow ? { physicalNow: options.physicalNow } : {}) });
    if (options.budget) this.pacer.setBudget(validateBudget(options.budget));
    this.batchCheck = options.batchCheck;
    this.gateway = new MeshGateway({ local, mesh: this.store, pacer: this.pacer, fanOut: options.fanOut, ...(options.sealer ? { sealer: options.sealer } : {}) });
    this.mirror = new MapMirror(local.doc, this.doc, mapRootNames(MESH_LAYOUT), trafficOrigin('routine'), options.mapSealer);
  }

  budget(): UplinkBudget {
    return this.pacer.budget;
  }

  setBudget(budget: { bytesPerSecond: number; burstBytes?: number }): UplinkBudget {
    const valid = validateBudget(budget);
    this.pacer.setBudget(valid);
    this.gateway.kick();
    return valid;
  }

  /** Links changed: see whether waiting changes can leave. */
  kick(): void {
    this.gateway.kick();
  }

  /** The links are gone: what waited for them would go nowhere. */
  clear(): void {
    this.pacer.clear();
  }

  /**
   * Batches a peer sent to repair a divergence: those admission would let in go into the mesh
   * document and the node's own; returns why the first of the others was refused.
   */
  repair(batches: readonly unknown[]): string | undefined {
    let refused: string | undefined;
    const admitted = batches.filter((b) => {
      const why = batchProblem(b, this.batchCheck);
      refused ??= why;
      return why === undefined;
    });
    this.store.importBatches(admitted, true, trafficOrigin('sync'));
    this.local.importBatches(admitted, false);
    return refused;
  }

  traffic(): TrafficReport {
    const since = this.gateway.outbox.oldestSince();
    return {
      budget: this.pacer.budget,
      bytesPerSecond: this.pacer.rates(),
      totalBytes: this.pacer.totalBytes(),
      windowMs: TRAFFIC_WINDOW_MS,
      queueDepth: this.gateway.outbox.size,
      queued: this.gateway.outbox.counts(),
      coalesced: this.gateway.outbox.coalesced,
      oldestWaitMs: since === undefined ? 0 : Math.max(0, Math.round(performance.now() - since)),
      pendingBytes: this.pacer.pendingBytes,
    };
  }

  destroy(): void {
    this.gateway.destroy();
    this.mirror.destroy();
    this.pacer.destroy();
    this.store.destroy();
    this.doc.destroy();
  }
}
