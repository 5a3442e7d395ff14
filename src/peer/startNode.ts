/**
 * Starts the node a page's URL describes: room (owned or open), signaling, password (or one
 * entered in the app), name, role, and an invitation or owner key in the fragment.
 *
 * Rooms: `?room=NAME&owner=KEY.PQID` is a room owned by the holder of those keys; `?room=NAME&open=1` an open room; a
 * room with neither is created here, owned by this profile's operator key, and the address bar
 * then shows its owner so the link can be shared. The fragment (`#invite=…` from an invitation,
 * `#owner-key=…` from `npm start`'s owner link) is read once and removed from the address bar:
 * it is a secret.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { MeshNode } from './MeshNode.js';
import { webrtcLinks } from './webrtcLinks.js';
import { readMeshConfig, roomId } from './meshConfig.js';
import { claimNodeIdentity } from './nodeIdentity.js';
import { roomPassword } from './roomPassword.js';
import { keepOwnerKey, loadCredentials, storedNodeKey, storedOwnerKey, type NodeCredentials, type OperatorKeys } from './trust/credentials.js';
import { IndexedDbKeyStore, MemoryKeyStore, type KeyStore } from './trust/KeyStore.js';
import { decodeInvitation, formatOwner, fromBase64url, grantSigned, type Invitation, type RoomOwner } from './trust/invitation.js';
import { ownerPqSeed, pqKeyFromSeed } from './trust/pqKey.js';
import { sameKey } from './trust/membership.js';
import { hasWebCryptoKeys } from './trust/signingKey.js';

/** What the URL's fragment carries, read once. */
interface Fragment {
  readonly invite?: string;
  readonly ownerKey?: string;
}

function readFragment(url: URL): Fragment {
  const params = new URLSearchParams(url.hash.replace(/^#/, ''));
  const invite = params.get('invite') ?? undefined;
  const ownerKey = params.get('owner-key') ?? undefined;
  return { ...(invite ? { invite } : {}), ...(ownerKey ? { ownerKey } : {}) };
}

interface RoomKeys {
  readonly credentials: NodeCredentials;
  readonly owner: RoomOwner | undefined;
  readonly problems: readonly string[];
  /** Whether the profile keeps keys (in IndexedDB): then its closed tabs' keys can sign for them. */
  readonly kept: boolean;
}

/**
 * The profile's operator key and this tab's node key, from IndexedDB (a browser that refuses
 * IndexedDB, as some private windows do, gets keys in memory, new on every reload, and is told
 * so), and the room's owner: the URL's, an owner link's, or this profile's for a new room.
 */
async function roomKeys(nodeId: string, name: string, urlOwner: RoomOwner | undefined, open: boolean, fragment: Fragment): Promise<RoomKeys> {
  const problems: string[] = [];
  if (!hasWebCryptoKeys()) {
    problems.push(
      'This page is not a secure context (plain http from another machine): its keys are kept as bytes that script on this page could read, not as WebCrypto keys nobody can read, and a room password cannot be used. Serve the app over https (or open it from localhost) for those.',
    );
  }
  let store: KeyStore = new IndexedDbKeyStore();
  let profile: NodeCredentials;
  try {
    profile = await loadCredentials(store, nodeId);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    console.warn(`lattice: keys not kept (${why})`);
    await (store as IndexedDbKeyStore).close();
    store = new MemoryKeyStore();
    profile = await loadCredentials(store, nodeId);
    problems.push(`This browser refused to keep this node's keys (${why}); they are new on every reload.`);
  }
  try {
    let owner = open ? undefined : urlOwner;
    let ownerKey: OperatorKeys | undefined;
    if (fragment.ownerKey !== undefined && !open) {
      try {
        const secret = fromBase64url(fragment.ownerKey);
        const publicKey = ed25519.getPublicKey(secret);
        const pqKey = pqKeyFromSeed(ownerPqSeed(secret));
        if (owner && !(sameKey(owner.key, publicKey) && sameKey(owner.pq, pqKey.id))) throw new Error('it is not the key of this room’s owner');
        owner = { key: publicKey, pq: pqKey.id };
        ownerKey = await keepOwnerKey(store, roomId(name, owner), secret, publicKey, pqKey);
      } catch (error) {
        problems.push(`The owner key in this link cannot be used (${error instanceof Error ? error.message : String(error)}); this node joins as a guest.`);
      }
    }
    if (!open && owner === undefined) owner = { key: profile.operator.publicKey, pq: profile.pq.id };
    ownerKey ??= owner ? await storedOwnerKey(store, roomId(name, owner)) : undefined;
    const credentials = ownerKey ? await loadCredentials(store, nodeId, Date.now(), ownerKey) : profile;
    return { credentials, owner, problems, kept: store instanceof IndexedDbKeyStore };
  } finally {
    if (store instanceof IndexedDbKeyStore) await store.close();
  }
}

/** The invitation the fragment carries, or why it cannot be used here. */
function readInvitation(token: string | undefined, room: string, owner: RoomOwner | undefined): { invitation?: Invitation; problem?: string } {
  if (token === undefined) return {};
  if (!owner) return { problem: 'This link carries an invitation, but the room is open: anyone who reaches it writes, and the invitation is not needed.' };
  try {
    const invitation = decodeInvitation(token);
    if (!grantSigned(room, invitation.grant)) return { problem: 'The invitation in this link is not for this room, or was altered; ask for the link again.' };
    if (invitation.grant.expiresAt <= Date.now() / 1000) return { problem: `The invitation in this link expired ${new Date(invitation.grant.expiresAt * 1000).toLocaleString()}; ask for a new one.` };
    return { invitation };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

export async function startNodeFromUrl(url: URL, storage: Storage): Promise<MeshNode> {
  const config = readMeshConfig(url);
  const fragment = readFragment(url);
  const identity = await claimNodeIdentity(storage, { name: config.name, role: config.role });
  const keys = await roomKeys(identity.nodeId, config.room, config.owner, config.open, fragment);
  const room = roomId(config.room, keys.owner);
  const { password } = roomPassword(url, room, storage);
  const { invitation, problem: invitationProblem } = readInvitation(fragment.invite, room, keys.owner);
  showCanonicalUrl(url, keys.owner);
  const problems = [...config.problems, ...keys.problems, ...(invitationProblem ? [invitationProblem] : [])];
  return new MeshNode({
    identity,
    credentials: keys.credentials,
    room,
    roomName: config.room,
    owner: keys.owner,
    invitation,
    invitationProblem,
    configProblems: problems,
    budget: config.budget,
    transport: webrtcLinks({
      room,
      signaling: config.signaling,
      password,
      iceServers: config.iceServers,
    }),
    mesh: { silenceMs: config.watchdog ? 4000 : 0, maxLinks: config.maxLinks },
    profileKeys: keys.kept ? profileKey : undefined,
  });
}

/** The address bar shows the room's owner (so the link can be shared) and no secret fragment. */
function showCanonicalUrl(url: URL, owner: RoomOwner | undefined): void {
  if (typeof history === 'undefined' || typeof location === 'undefined' || location.href !== url.href) return;
  const shown = new URL(url.href);
  if (owner) shown.searchParams.set('owner', formatOwner(owner));
  shown.hash = '';
  if (shown.href !== url.href) history.replaceState(history.state, '', shown.href);
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
