/**
 * Keeps a component's view of the node's mesh status current: subscribes to the node's
 * `status` event while the host is connected and asks the host to render on each change.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LatticeNode, MeshStatus } from '../../peer/LatticeNode.js';

export class MeshStatusController implements ReactiveController {
  /** The latest status, or undefined while there is no node. */
  status: MeshStatus | undefined;
  /** When each peer was last reported converged with us (see `SYNC_GRACE_MS`). */
  readonly convergedAt = new Map<string, number>();
  private node: LatticeNode | undefined;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getNode: () => LatticeNode | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    this.attach(this.getNode());
  }

  hostUpdate(): void {
    if (this.connected && this.getNode() !== this.node) this.attach(this.getNode());
  }

  hostDisconnected(): void {
    this.connected = false;
    this.attach(undefined);
  }

  private attach(node: LatticeNode | undefined): void {
    this.node?.off('status', this.onStatus);
    this.node = node;
    this.convergedAt.clear();
    this.status = node?.status();
    if (this.status) this.noteConverged(this.status);
    node?.on('status', this.onStatus);
  }

  private noteConverged(status: MeshStatus): void {
    const now = Date.now();
    for (const peer of status.peers) if (peer.converged) this.convergedAt.set(peer.nodeId, now);
  }

  private readonly onStatus = (status: MeshStatus): void => {
    this.status = status;
    this.noteConverged(status);
    this.host.requestUpdate();
  };
}
