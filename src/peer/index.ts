/** Public surface of the mesh layer. */
export * from './LatticeNode.js';
export * from './MeshTransport.js';
export { MeshNode, type MeshNodeOptions } from './MeshNode.js';
export { WebrtcTransport, type WebrtcTransportOptions } from './WebrtcTransport.js';
export { MemoryNetwork, MemoryTransport, memoryTransport } from './MemoryTransport.js';
export { LinkWatchdog, type WatchedLink, type WatchedLinks, type LinkWatchdogOptions } from './LinkWatchdog.js';
export { readMeshConfig, isNodeRole, DEFAULT_ROOM, DEFAULT_SIGNALING_PORT, type MeshConfig } from './meshConfig.js';
export { claimNodeIdentity, loadNodeIdentity, newNodeId, type KeyValueStorage } from './nodeIdentity.js';
export { readPresence, PRESENCE_FIELD, type PresenceState } from './presence.js';
export { createScriptingApi, ViewerCannotWriteError, type LatticeScriptingApi } from './scriptingApi.js';
export { startNodeFromUrl } from './startNode.js';
export { registerServiceWorker } from './serviceWorker.js';
