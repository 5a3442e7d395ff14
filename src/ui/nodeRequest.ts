/**
 * How a panel deep in the app finds the node it acts on without every component between it
 * and the app passing the node down: it raises a `lattice-node-request` event (bubbling,
 * composed, synchronous) and whoever mounted the app answers it (the community context
 * protocol's idea, without the dependency). A panel given a `node` property directly uses that.
 */
import type { LatticeNode } from '../peer/LatticeNode.js';

export const NODE_REQUEST = 'lattice-node-request';

export class NodeRequestEvent extends Event {
  /** Set by the provider. */
  node: LatticeNode | undefined;

  constructor() {
    super(NODE_REQUEST, { bubbles: true, composed: true });
  }
}

/** The node for `from`'s place in the page, or undefined when nothing above it provides one. */
export function requestNode(from: EventTarget): LatticeNode | undefined {
  const request = new NodeRequestEvent();
  from.dispatchEvent(request);
  return request.node;
}

const providers = new WeakSet<EventTarget>();

/** Answers requests from inside `host` with `node()`; a second call for the same host does nothing. */
export function provideNode(host: EventTarget, node: () => LatticeNode | undefined): void {
  if (providers.has(host)) return;
  providers.add(host);
  host.addEventListener(NODE_REQUEST, (e) => {
    if (!(e instanceof NodeRequestEvent)) return;
    e.node = node();
    e.stopPropagation();
  });
}
