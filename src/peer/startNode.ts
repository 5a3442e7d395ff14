/** Starts the node a page's URL describes: room, signaling, password (or one entered in the app), name, role. */
import { MeshNode } from './MeshNode.js';
import { webrtcLinks } from './webrtcLinks.js';
import { readMeshConfig } from './meshConfig.js';
import { claimNodeIdentity } from './nodeIdentity.js';
import { roomPassword } from './roomPassword.js';
import { ephemeralCredentials, loadCredentials, storedNodeKey, type NodeCredentials } from './trust/credentials.js';
import { IndexedDbKeyStore } from './trust/KeyStore.js';

/**
 * The profile's operator key and this tab's node key, from IndexedDB. A browser that refuses
 * IndexedDB (some private windows) gets keys in memory, new on every reload, and is told so.
 */
async function tabCredentials(nodeId: string): Promise<{ credentials: NodeCredentials; problem?: string }> {
  if (typeof crypto === 'undefined' || crypto.subtle === undefined) {
    throw new Error('This page is not a secure context (https:// or localhost): a node needs WebCrypto to prove its key to its peers. Open the app over https, or from localhost.');
  }
  const store = new IndexedDbKeyStore();
  try {
    return { credentials: await loadCredentials(store, nodeId) };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    console.warn(`lattice: keys not kept (${why})`);
    return { credentials: await ephemeralCredentials(nodeId), problem: `This browser refused to keep this node's keys (${why}); they are new on every reload.` };
  } finally {
    await store.close();
  }
}

export async function startNodeFromUrl(url: URL, storage: Storage): Promise<MeshNode> {
  const config = readMeshConfig(url);
  const { password } = roomPassword(url, config.room, storage);
  const identity = await claimNodeIdentity(storage, { name: config.name, role: config.role });
  const { credentials, problem: keyProblem } = await tabCredentials(identity.nodeId);
  // A room password's key is derived with WebCrypto too, which `tabCredentials` made sure of.
  const problems = keyProblem ? [...config.problems, keyProblem] : config.problems;
  return new MeshNode({
    identity,
    credentials,
    room: config.room,
    configProblems: problems,
    budget: config.budget,
    transport: webrtcLinks({
      room: config.room,
      signaling: config.signaling,
      password,
      iceServers: config.iceServers,
    }),
    mesh: { silenceMs: config.watchdog ? 4000 : 0, maxLinks: config.maxLinks },
    profileKeys: keyProblem ? undefined : profileKey,
  });
}

/** Another node id's key kept by this profile (see `storedNodeKey`). */
async function profileKey(nodeId: string): Promise<Pick<NodeCredentials, 'key' | 'certificate'> | undefined> {
  const store = new IndexedDbKeyStore();
  try {
    return await storedNodeKey(store, nodeId);
  } finally {
    await store.close();
  }
}
