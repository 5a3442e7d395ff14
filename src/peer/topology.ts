/**
 * The mesh's shape as one node sees it: every node's presence lists the peers it links to
 * directly, so any node can draw who links to whom and find the route to a node it has no
 * direct link with. Presence is what peers claim; this is a picture, not a proof.
 */
import type { Topology } from './LatticeNode.js';

export interface TopologyInput {
  readonly self: { readonly nodeId: string; readonly name: string; readonly peerId: string; readonly links: readonly string[] };
  readonly others: ReadonlyArray<{ readonly nodeId: string; readonly name: string; readonly peerId: string; readonly links: readonly string[] }>;
}

export function topologyOf(input: TopologyInput): Topology {
  const all = [input.self, ...input.others];
  const byPeer = new Map(all.map((n) => [n.peerId, n.nodeId]));
  const edges = new Map<string, readonly [string, string]>();
  for (const node of all) {
    for (const peer of node.links) {
      const other = byPeer.get(peer);
      if (other === undefined || other === node.nodeId) continue;
      const pair: [string, string] = node.nodeId < other ? [node.nodeId, other] : [other, node.nodeId];
      edges.set(pair.join('|'), pair);
    }
  }
  return {
    nodes: all.map((n) => ({ nodeId: n.nodeId, name: n.name, self: n === input.self })),
    edges: [...edges.values()].sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1])),
  };
}

/** Shortest path of node ids from `from` to `to` over the topology's edges (breadth first). */
export function routeIn(topology: Topology, from: string, to: string): string[] | undefined {
  if (from === to) return [from];
  const next = new Map<string, string[]>();
  for (const [a, b] of topology.edges) {
    (next.get(a) ?? next.set(a, []).get(a)!).push(b);
    (next.get(b) ?? next.set(b, []).get(b)!).push(a);
  }
  const previous = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const n of next.get(at) ?? []) {
      if (previous.has(n)) continue;
      previous.set(n, at);
      if (n === to) {
        const path = [to];
        while (path[0] !== from) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      queue.push(n);
    }
  }
  return undefined;
}
