/** Starts the node a page's URL describes: room, signaling, password, name, role. */
import { MeshNode } from './MeshNode.js';
import { WebrtcTransport } from './WebrtcTransport.js';
import { readMeshConfig } from './meshConfig.js';
import { loadNodeIdentity } from './nodeIdentity.js';

export function startNodeFromUrl(url: URL, storage: Storage): MeshNode {
  const config = readMeshConfig(url);
  const identity = loadNodeIdentity(storage, { name: config.name, role: config.role });
  return new MeshNode({
    identity,
    room: config.room,
    configProblems: config.problems,
    transport: (doc, awareness) =>
      new WebrtcTransport(doc, awareness, {
        room: config.room,
        signaling: config.signaling,
        password: config.password,
        iceServers: config.iceServers,
        watchdog: config.watchdog,
      }),
  });
}
