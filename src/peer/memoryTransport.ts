/** Links for nodes in one page, for tests: a `MemoryNetwork` introduces them and carries their messages. */
import type { TransportFactory } from './MeshTransport.js';
import type { MemoryNetwork } from './link/MemoryLink.js';

export { MemoryNetwork } from './link/MemoryLink.js';

/** A `TransportFactory` for nodes on `network`. */
export function memoryTransport(network: MemoryNetwork): TransportFactory {
  return (peerId) => ({ connectors: [network.connector()], dialer: network.dialer(peerId) });
}
