/**
 * The skeleton of controllers that keep a view of the node current by reading it every
 * `periodMs` while the host is connected (values that change without an event: traffic,
 * message counters), and, when `onStatus` is set, also on every `status` event. A new node is
 * read at once, not a period later. Subclasses say what to read in `read`.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LatticeNode } from '../../peer/LatticeNode.js';

export abstract class NodePollController implements ReactiveController {
  private node: LatticeNode | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getNode: () => LatticeNode | undefined,
    private readonly periodMs = 1000,
    private readonly onStatus = false,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.attach(this.getNode());
    this.timer = setInterval(() => this.refresh(), this.periodMs);
  }

  hostUpdate(): void {
    if (this.timer !== undefined && this.getNode() !== this.node) this.attach(this.getNode());
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.attach(undefined);
  }

  /** Reads the node now and asks the host to render (e.g. right after a command). */
  readonly refresh = (): void => {
    this.read(this.node);
    this.host.requestUpdate();
  };

  /** Reads what this controller shows from `node` (undefined: there is none). */
  protected abstract read(node: LatticeNode | undefined): void;

  private attach(node: LatticeNode | undefined): void {
    if (this.onStatus) this.node?.off('status', this.refresh);
    this.node = node;
    if (this.onStatus) node?.on('status', this.refresh);
    this.read(node);
  }
}
