/**
 * Keeps a component's view of the mesh's links current: the link faults in force (mesh-wide),
 * this node's direct links with their counters, who links to whom, and the route to each node
 * with no direct link from here. Read again on every `status` event (the node emits one when
 * links or faults change) and every `periodMs`, since message counters change without one.
 */
import type { ReactiveControllerHost } from 'lit';
import type { Fault } from '../../peer/faults/LinkFaults.js';
import type { LatticeNode, LinkInfo, Topology } from '../../peer/LatticeNode.js';
import { NodePollController } from './NodePollController.js';

const EMPTY: Topology = { nodes: [], edges: [] };

export class MeshLinksController extends NodePollController {
  /** Faults in force, oldest first (healed ones are left out). */
  faults: readonly Fault[] = [];
  links: readonly LinkInfo[] = [];
  topology: Topology = EMPTY;
  /** Node id → the node ids a message takes from here, for nodes with no usable direct link; undefined: unreachable. */
  routes: ReadonlyMap<string, readonly string[] | undefined> = new Map();

  constructor(host: ReactiveControllerHost, getNode: () => LatticeNode | undefined, periodMs = 1000) {
    super(host, getNode, periodMs, true);
  }

  protected read(node: LatticeNode | undefined): void {
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
