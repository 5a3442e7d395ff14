/** `lattice.faults`: link faults named the way a person names nodes (by name or node id). */
import { ValidationError } from '../../crdt/index.js';
import type { MeshFaults, Topology } from '../LatticeNode.js';
import type { PeerMesh } from '../session/PeerMesh.js';

/** Resolves a node's name or id to its node id among the nodes this node knows of. */
export function resolveNode(topology: Topology, nameOrId: string, seen: ReadonlySet<string> = new Set()): string {
  if (typeof nameOrId !== 'string') throw new ValidationError('fault', 'Name a node by its name or node id.');
  const byId = topology.nodes.find((n) => n.nodeId === nameOrId);
  if (byId) return byId.nodeId;
  const byName = topology.nodes.filter((n) => n.name === nameOrId);
  if (byName.length === 1) return byName[0]!.nodeId;
  if (byName.length > 1) throw new ValidationError('fault', `${byName.length} nodes are named "${nameOrId}"; name one by its node id (${byName.map((n) => n.nodeId).join(', ')}).`);
  // A node seen before and gone for now (offline, reloading) is still named by its id.
  if (seen.has(nameOrId)) return nameOrId;
  throw new ValidationError('fault', `No node named "${nameOrId}" is known here.`);
}

export function meshFaults(mesh: PeerMesh, topology: () => Topology, seen: () => ReadonlySet<string>): MeshFaults {
  const id = (n: string) => resolveNode(withLinkedPeers(topology(), mesh), n, seen());
  return {
    cut: (a, b) => mesh.addFault({ kind: 'cut', a: id(a), b: id(b) }),
    split: (groups) => {
      if (!Array.isArray(groups)) throw new ValidationError('fault', 'A split takes a list of groups of nodes.');
      return mesh.addFault({ kind: 'split', groups: groups.map((g) => (Array.isArray(g) ? g.map(id) : [])) });
    },
    impair: (o) => {
      if (typeof o !== 'object' || o === null) throw new ValidationError('fault', 'impair takes { node, peer?, latencyMs?, jitterMs?, loss?, duplicate?, reorder?, bandwidthBps? }.');
      return mesh.addFault({
        kind: 'impair',
        a: id(o.node),
        ...(o.peer === undefined ? {} : { b: id(o.peer) }),
        latencyMs: o.latencyMs ?? 0,
        jitterMs: o.jitterMs ?? 0,
        loss: o.loss ?? 0,
        duplicate: o.duplicate ?? 0,
        reorder: o.reorder ?? 0,
        bandwidthBps: o.bandwidthBps ?? 0,
      });
    },
    heal: (faultId) => mesh.healFaults(faultId),
    list: () => mesh.faults.list(),
  };
}

/**
 * The topology plus the peers this node is linked to and has verified, named by their hello:
 * presence arrives a moment after a link is verified, and a person who sees the link listed
 * may name that node at once.
 */
function withLinkedPeers(topology: Topology, mesh: PeerMesh): Topology {
  const extra = mesh
    .sessionInfo()
    .filter((s) => s.verified && s.nodeId !== undefined && s.name !== undefined && !topology.nodes.some((n) => n.nodeId === s.nodeId))
    .map((s) => ({ nodeId: s.nodeId!, name: s.name!, self: false }));
  return extra.length === 0 ? topology : { ...topology, nodes: [...topology.nodes, ...extra] };
}
