/**
 * Keeps a component's view of the node's uplink traffic current. The node raises no event for
 * traffic (it changes with every message sent), so this polls `node.traffic()` every `periodMs`
 * while the host is connected and stops when the host leaves the page.
 */
import type { ReactiveControllerHost } from 'lit';
import type { LatticeNode, TrafficReport } from '../../peer/LatticeNode.js';
import { NodePollController } from './NodePollController.js';

export class TrafficController extends NodePollController {
  /** The latest report, or undefined while there is no node. */
  report: TrafficReport | undefined;

  constructor(host: ReactiveControllerHost, getNode: () => LatticeNode | undefined, periodMs = 1000) {
    super(host, getNode, periodMs);
  }

  protected read(node: LatticeNode | undefined): void {
    this.report = node?.traffic();
  }
}
