/**
 * Keeps a component's view of the node's mesh status current: subscribes to the node's
 * `status` event while the host is connected and asks the host to render on each change.
 */
import type { ReactiveControllerHost } from 'lit';
import type { LatticeNode, MeshStatus } from '../../peer/LatticeNode.js';
import { SourceFollower } from './SourceFollower.js';

export class MeshStatusController {
  /** The latest status, or undefined while there is no node. */
  status: MeshStatus | undefined;
  /** When each peer was last reported converged with us (see `SYNC_GRACE_MS`). */
  readonly convergedAt = new Map<string, number>();

  constructor(
    private readonly host: ReactiveControllerHost,
    getNode: () => LatticeNode | undefined,
  ) {
    new SourceFollower(host, getNode, (node, previous) => {
      previous?.off('status', this.onStatus);
      this.convergedAt.clear();
      this.status = node?.status();
      if (this.status) this.noteConverged(this.status);
      node?.on('status', this.onStatus);
    });
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
