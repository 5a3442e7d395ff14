/**
 * Keeps a component's view of the node's uplink traffic current. The node raises no event for
 * traffic (it changes with every message sent), so this polls `node.traffic()` every `periodMs`
 * while the host is connected and stops when the host leaves the page.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LatticeNode, TrafficReport } from '../../peer/LatticeNode.js';

export class TrafficController implements ReactiveController {
  /** The latest report, or undefined while there is no node. */
  report: TrafficReport | undefined;
  private node: LatticeNode | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getNode: () => LatticeNode | undefined,
    private readonly periodMs = 1000,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.read();
    this.timer = setInterval(() => this.refresh(), this.periodMs);
  }

  /** A new node is read at once, not a period later. */
  hostUpdate(): void {
    if (this.timer !== undefined && this.getNode() !== this.node) this.read();
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the report now and re-renders the host (e.g. right after the budget changed). */
  refresh(): void {
    this.read();
    this.host.requestUpdate();
  }

  private read(): void {
    this.node = this.getNode();
    this.report = this.node?.traffic();
  }
}
