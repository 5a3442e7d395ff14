/**
 * Keeps a component's view of the mesh's links current: the link faults in force (mesh-wide),
 * this node's direct links with their counters, who links to whom, and the route to each node
 * with no direct link from here. Read again on every `status` event (the node emits one when
 * links or faults change) and every `periodMs`, since message counters change without one.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Fault } from '../../peer/faults/LinkFaults.js';
import type { LatticeNode, LinkInfo, Topology } from '../../peer/LatticeNode.js';

const EMPTY: Topology = { nodes: [], edges: [] };

export class MeshLinksController implements ReactiveController {
  /** Faults in force, oldest first (healed ones are left out). */
  faults: readonly Fault[] = [];
  links: readonly LinkInfo[] = [];
  topology: Topology = EMPTY;
  /** Node id → the node ids a message takes from here, for nodes with no usable direct link; undefined: unreachable. */
  routes: ReadonlyMap<string, readonly string[] | undefined> = new Map();
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

  /** Reads everything again and asks the host to render (also after a command from the host). */
  readonly refresh = (): void => {
    this.read();
    this.host.requestUpdate();
  };

  private attach(node: LatticeNode | undefined): void {
    this.node?.off('status', this.refresh);
    this.node = node;
    node?.on('status', this.refresh);
    this.read();
  }

  private read(): void {
    const node = this.node;
    if (!node) {
      [this.faults, this.links, this.topology, this.routes] = [[], [], EMPTY, new Map()];
      return;
    }
    this.faults = node.faults.list().filter((f) => !f.healed);
    this.links = node.links();
    this.topology = node.topology();
    const self = node.identity.nodeId;
    // A cut link is up but carries nothing, so the way to its peer is a route too.
    const direct = new Set(this.links.filter((l) => !l.policy.cut).map((l) => l.nodeId));
    const routes = new Map<string, readonly string[] | undefined>();
    for (const n of this.topology.nodes) if (n.nodeId !== self && !direct.has(n.nodeId)) routes.set(n.nodeId, node.route(n.nodeId));
    this.routes = routes;
  }
}
