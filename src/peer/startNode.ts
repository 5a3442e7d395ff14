/** Starts the node a page's URL describes: room, signaling, password (or one entered in the app), name, role. */
import { MeshNode } from './MeshNode.js';
import { webrtcLinks } from './webrtcLinks.js';
import { readMeshConfig } from './meshConfig.js';
import { claimNodeIdentity } from './nodeIdentity.js';
import { roomPassword } from './roomPassword.js';

export async function startNodeFromUrl(url: URL, storage: Storage): Promise<MeshNode> {
  const config = readMeshConfig(url);
  const { password } = roomPassword(url, config.room, storage);
  const identity = await claimNodeIdentity(storage, { name: config.name, role: config.role });
  // The room key is derived with WebCrypto, which browsers offer only on https and localhost.
  // Joining without the key would put the node in the open room, so it stays out.
  const keyless = password !== undefined && (typeof crypto === 'undefined' || crypto.subtle === undefined);
  const problems = keyless
    ? ['A room password needs a secure page (https:// or localhost); this page is plain http, so the node stays out of the mesh. Open the app over https, or from localhost.', ...config.problems]
    : config.problems;
  return new MeshNode({
    identity,
    room: config.room,
    configProblems: problems,
    autoConnect: !keyless,
    budget: config.budget,
    transport: webrtcLinks({
      room: config.room,
      signaling: config.signaling,
      password: keyless ? undefined : password,
      iceServers: config.iceServers,
    }),
    mesh: { silenceMs: config.watchdog ? 4000 : 0, maxLinks: config.maxLinks },
  });
}
