/**
 * Keeps the screen's summary of the local store current: its digest (which peers compare to
 * tell they have converged), its health and its entity count. A digest costs a pass over every
 * entity, so it is read about once a second rather than on every change.
 */
import type { ReactiveControllerHost } from 'lit';
import type { StoreHealth } from '../../crdt/index.js';
import type { LatticeNode } from '../../peer/LatticeNode.js';
import { NodePollController } from './NodePollController.js';

export class SummaryController extends NodePollController {
  digest: string | undefined;
  health: StoreHealth | undefined;
  entityCount = 0;

  constructor(host: ReactiveControllerHost, getNode: () => LatticeNode | undefined, periodMs = 1000) {
    super(host, getNode, periodMs);
  }

  protected read(node: LatticeNode | undefined): void {
    const store = node?.store;
    this.digest = store?.digest();
    this.health = store?.health();
    this.entityCount = this.health?.entities ?? 0;
  }
}
