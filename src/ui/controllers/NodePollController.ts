/**
 * The skeleton of controllers that keep a view of the node current by reading it every
 * `periodMs` while the host is connected (values that change without an event: traffic,
 * message counters), and, when `onStatus` is set, also on every `status` event. A new node is
 * read at once, not a period later. Subclasses say what to read in `read`.
 */
import type { ReactiveControllerHost } from 'lit';
import type { LatticeNode } from '../../peer/LatticeNode.js';
import { SourceFollower } from './SourceFollower.js';

export abstract class NodePollController {
  private node: LatticeNode | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    getNode: () => LatticeNode | undefined,
    periodMs = 1000,
    onStatus = false,
  ) {
    new SourceFollower(host, getNode, (node, previous) => {
      if (onStatus) previous?.off('status', this.refresh);
      this.node = node;
      if (onStatus) node?.on('status', this.refresh);
      this.read(node);
    });
    host.addController({
      hostConnected: () => (this.timer = setInterval(() => this.refresh(), periodMs)),
      hostDisconnected: () => clearInterval(this.timer),
    });
  }

  /** Reads the node now and asks the host to render (e.g. right after a command). */
  readonly refresh = (): void => {
    this.read(this.node);
    this.host.requestUpdate();
  };

  /** Reads what this controller shows from `node` (undefined: there is none). */
  protected abstract read(node: LatticeNode | undefined): void;
}
