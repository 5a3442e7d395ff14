/**
 * What a node reads from its URL: the room, signaling servers, room password and options.
 * The URL is untrusted input: every value is checked, and a bad one becomes a `problem` a person
 * can read while the node falls back to a safe default.
 */
import { ValidationError } from '../crdt/index.js';
import { NODE_ROLES, type NodeRole, type UplinkBudget } from './LatticeNode.js';
import { UNLIMITED, validateBudget } from './budget/uplinkBudget.js';
import { DEFAULT_MAX_LINKS } from './session/PeerMesh.js';
import { formatOwner, parseOwner, type RoomOwner } from './trust/invitation.js';

export interface MeshConfig {
  /** The room's name as people give it (`?room=`). */
  readonly room: string;
  /** `?owner=KEY.PQID`: the owner of an owned room; absent for a room this node creates or an open one. */
  readonly owner: RoomOwner | undefined;
  /** `?open=1`: an open room (no owner: anyone who reaches it writes), chosen by a person. */
  readonly open: boolean;
  /** WebSocket URLs of y-webrtc signaling servers; empty = BroadcastChannel only. */
  readonly signaling: readonly string[];
  readonly password: string | undefined;
  /** ICE servers (STUN/TURN URLs); none by default, field networks rarely reach one. */
  readonly iceServers: readonly string[];
  /** From `?name=` / `?role=`, if given. */
  readonly name: string | undefined;
  readonly role: NodeRole | undefined;
  /** Replace links that stay silent (on unless `?watchdog=0`, for diagnosis). */
  readonly watchdog: boolean;
  /** At most this many direct links (`?links=`, 1–64); beyond, the mesh is partial and relays. */
  readonly maxLinks: number;
  /** The uplink budget from `?budget=BYTES_PER_SECOND[&burst=BYTES]` (unlimited when absent). */
  readonly budget: UplinkBudget;
  /** Problems found in the URL, for a person to read. */
  readonly problems: readonly string[];
}

export const DEFAULT_ROOM = 'lattice';
/** Port of the signaling server `npm start` runs. */
export const DEFAULT_SIGNALING_PORT = 4444;
const ROOM = /^[A-Za-z0-9_.:-]{1,64}$/;
const NAME_MAX = 40;

/** Reads a mesh configuration from a page URL. Never throws. */
export function readMeshConfig(url: URL): MeshConfig {
  const params = url.searchParams;
  const problems: string[] = [];

  let room = params.get('room') ?? DEFAULT_ROOM;
  if (!ROOM.test(room)) {
    problems.push(`The room "${room.slice(0, 80)}" is not valid (1–64 letters, digits, '.', ':', '_' or '-'); using "${DEFAULT_ROOM}".`);
    room = DEFAULT_ROOM;
  }

  let owner: RoomOwner | undefined;
  const rawOwner = params.get('owner');
  if (rawOwner !== null) {
    try {
      owner = parseOwner(rawOwner);
    } catch (error) {
      problems.push(`The owner "${rawOwner.slice(0, 90)}" in this link cannot be read (${error instanceof Error ? error.message : String(error)}); this node opened a room of its own instead. Ask for the link again (links from before post-quantum keys name the owner by one key only).`);
    }
  }
  const rawOpen = params.get('open');
  const open = owner === undefined && rawOpen !== null && rawOpen !== '0' && rawOpen !== 'false';
  if (owner !== undefined && rawOpen !== null && rawOpen !== '0') problems.push('A room with an owner is not open; "open" was ignored.');

  const signalingParams = params.getAll('signaling').flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  let signaling: string[];
  if (signalingParams.length === 0) {
    const scheme = url.protocol === 'https:' ? 'wss' : 'ws';
    signaling = url.hostname ? [`${scheme}://${url.hostname}:${DEFAULT_SIGNALING_PORT}`] : [];
  } else if (signalingParams.length === 1 && signalingParams[0] === 'none') {
    signaling = [];
  } else {
    signaling = [];
    for (const candidate of signalingParams) {
      if (isWebSocketUrl(candidate)) signaling.push(candidate);
      else problems.push(`The signaling server "${candidate.slice(0, 120)}" is not a ws:// or wss:// URL; it was ignored.`);
    }
  }

  const password = params.get('password') ?? undefined;

  const iceServers: string[] = [];
  for (const candidate of params.getAll('ice').flatMap((v) => v.split(','))) {
    const value = candidate.trim();
    if (value === '') continue;
    if (/^(stun|stuns|turn|turns):[^\s]+$/.test(value)) iceServers.push(value);
    else problems.push(`The ICE server "${value.slice(0, 120)}" is not a stun: or turn: URL; it was ignored.`);
  }

  const rawName = params.get('name');
  let name: string | undefined;
  if (rawName !== null) {
    const trimmed = rawName.trim();
    if (trimmed.length > 0 && trimmed.length <= NAME_MAX) name = trimmed;
    else problems.push(`The name must have 1–${NAME_MAX} characters; "${rawName.slice(0, 80)}" was ignored.`);
  }

  const rawRole = params.get('role');
  let role: NodeRole | undefined;
  if (rawRole !== null) {
    if (isNodeRole(rawRole)) role = rawRole;
    else problems.push(`The role "${rawRole.slice(0, 40)}" is not one of ${NODE_ROLES.join(', ')}; it was ignored.`);
  }

  const watchdog = params.get('watchdog') !== '0';

  let maxLinks = DEFAULT_MAX_LINKS;
  const rawLinks = params.get('links');
  if (rawLinks !== null) {
    if (/^\d{1,2}$/.test(rawLinks) && Number(rawLinks) >= 1 && Number(rawLinks) <= 64) maxLinks = Number(rawLinks);
    else problems.push(`The link cap "${rawLinks.slice(0, 40)}" is not a whole number from 1 to 64; the default of ${DEFAULT_MAX_LINKS} is used.`);
  }

  let budget = UNLIMITED;
  const rawBudget = params.get('budget');
  if (rawBudget !== null) {
    const rawBurst = params.get('burst');
    try {
      budget = validateBudget({ bytesPerSecond: Number(rawBudget), ...(rawBurst === null ? {} : { burstBytes: Number(rawBurst) }) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(`The budget "${rawBudget.slice(0, 40)}"${rawBurst === null ? '' : ` with burst "${rawBurst.slice(0, 40)}"`} was ignored: ${error.message}`);
    }
  }
  return { room, owner, open, signaling, password, iceServers, name, role, watchdog, maxLinks, budget, problems };
}

/**
 * The room's id, signed into every batch and presence and used to find peers: an owned room's
 * carries its owner's keys (Ed25519, and the ML-DSA key id), so two rooms of one name with
 * different owners never meet or mix.
 */
export function roomId(name: string, owner: RoomOwner | undefined): string {
  return owner ? `${name}@${formatOwner(owner)}` : name;
}

/**
 * A link into an owned room from `page` (keeping its signaling and ICE options): with an
 * invitation (`#invite=`), or without one (it opens as a guest).
 */
export function roomLink(page: URL, name: string, owner: RoomOwner, invitation?: string): string {
  const link = new URL(page.origin + page.pathname);
  link.searchParams.set('room', name);
  link.searchParams.set('owner', formatOwner(owner));
  for (const key of ['signaling', 'ice']) for (const value of page.searchParams.getAll(key)) link.searchParams.append(key, value);
  if (invitation) link.hash = `invite=${invitation}`;
  return link.toString();
}

export function isNodeRole(value: unknown): value is NodeRole {
  return typeof value === 'string' && (NODE_ROLES as readonly string[]).includes(value);
}

function isWebSocketUrl(value: string): boolean {
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'ws:' || parsed.protocol === 'wss:';
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  }
}
