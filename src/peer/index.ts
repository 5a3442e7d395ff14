/** Public surface of the mesh layer. */
export * from './LatticeNode.js';
export * from './MeshTransport.js';
export { MeshNode, type MeshNodeOptions } from './MeshNode.js';
export { webrtcLinks, type WebrtcLinksOptions } from './webrtcLinks.js';
export { MemoryNetwork, memoryTransport } from './memoryTransport.js';
export { PeerMesh, DEFAULT_MAX_LINKS, type PeerMeshOptions, type SessionInfo } from './session/PeerMesh.js';
export { FaultTable, validateFaultSpec, type Fault, type FaultSpec, type Impairment, type LinkPolicy } from './faults/LinkFaults.js';
export { readMeshConfig, isNodeRole, DEFAULT_ROOM, DEFAULT_SIGNALING_PORT, type MeshConfig } from './meshConfig.js';
export { claimNodeIdentity, loadNodeIdentity, newNodeId, type KeyValueStorage } from './nodeIdentity.js';
export { readPresence, PRESENCE_FIELD, type PresenceState } from './presence.js';
export { createScriptingApi, ViewerCannotWriteError, type LatticeScriptingApi } from './scriptingApi.js';
export { startNodeFromUrl } from './startNode.js';
export { registerServiceWorker } from './serviceWorker.js';
