/** Runs acceptance scenarios on `MeshNode`s joined by the in-memory transport, in one page. */
import { MemoryNetwork, memoryTransport } from '../../src/peer/memoryTransport.js';
import { MeshNode } from '../../src/peer/MeshNode.js';
import { newNodeId } from '../../src/peer/nodeIdentity.js';
import { createScriptingApi } from '../../src/peer/scriptingApi.js';
import type { MeshHarness, NodeHandle } from './meshAcceptance.js';
import { waitUntil } from './check.js';

export class MemoryHarness implements MeshHarness {
  readonly network = new MemoryNetwork();
  readonly nodes: MeshNode[] = [];
  readonly timeoutMs = 5000;

  async open(label: string): Promise<NodeHandle> {
    const node = await MeshNode.create({
      identity: { nodeId: newNodeId(), name: label, role: 'operator' },
      room: 'memory',
      transport: memoryTransport(this.network),
      persist: false,
    });
    this.nodes.push(node);
    await node.whenReady;
    await waitUntil(() => node.transport.connected, `${label} joined`, 1000);
    return handleFor(label, node);
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.destroy()));
  }
}

export function handleFor(label: string, node: MeshNode): NodeHandle {
  const api = createScriptingApi(node);
  return {
    label,
    create: async (id, type, components) => api.create(id, type, components),
    update: async (id, components) => api.update(id, components),
    delete: async (id) => api.delete(id),
    get: async (id) => api.get(id),
    ids: async () => api.list().map((e) => e.id),
    digest: async () => api.digest(),
    clock: async () => node.store.now(),
    connect: async () => api.connect(),
    disconnect: async () => api.disconnect(),
    peers: async () => api.peers(),
    status: async () => api.status(),
    createMany: async (prefix, count) => {
      for (let i = 0; i < count; i += 500) {
        api.transact(() => {
          for (let j = i; j < Math.min(count, i + 500); j++) {
            api.create(`${prefix}${j}`, 'track', { position: { lat: (j % 180) - 89.5, lon: (j % 360) - 179.5, alt: j }, velocity: { speed: j % 300, heading: j % 360 }, classification: { label: `label-${j % 17}`, confidence: 0.75 } });
          }
        });
      }
    },
    stateBytes: async () => api.documentBytes(),
    inject: async (bytes) => node.transport.injectRaw(Uint8Array.from(bytes)),
  };
}
