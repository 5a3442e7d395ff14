/**
 * Presence: what each node publishes about itself in awareness, and how a node reads what
 * others published. Awareness states come from peers and are untrusted; a state that does not
 * match `PresenceState` is ignored and counted.
 */
import { isValidNodeId } from '../crdt/index.js';
import type { NodeRole } from './LatticeNode.js';
import { isNodeRole } from './meshConfig.js';

/** The awareness field that holds a node's presence. */
export const PRESENCE_FIELD = 'lattice';

export interface PresenceState {
  readonly v: 1;
  readonly nodeId: string;
  readonly name: string;
  readonly role: NodeRole;
  /** The node's transport peer id, so others can tell which of their links leads to it. */
  readonly peerId: string;
  /** When the node joined the mesh (ms since the epoch). */
  readonly since: number;
  /** The node's `store.digest()`. */
  readonly digest: string;
  /** Peer ids of the nodes it links to directly (the topology, and routes for relayed signaling). */
  readonly links?: readonly string[];
  /** In an owned room: its operator's membership chain (base64), so others see its role. */
  readonly chain?: string;
  /** In an owned room, before it is admitted: its proof that it holds an invitation (`trust/invitation.ts`). */
  readonly join?: string;
  /** Its signature (`trust/presenceSeal.ts`): peers admit only signed presence. */
  readonly at?: number;
  readonly cert?: string;
  readonly salt?: string;
  readonly sig?: string;
}

/** A node lists at most this many links in its presence. */
export const MAX_PRESENCE_LINKS = 64;

const MAX_TEXT = 80;
/** Base64 of a chain of three memberships (610 bytes), and of a join proof (2,651 bytes). */
const MAX_CHAIN_CHARS = 820;
const MAX_JOIN_CHARS = 3536;

function text(value: unknown, max = MAX_TEXT): value is string {
  return typeof value === 'string' && value.length <= max;
}

/** Reads a presence from an awareness state; `undefined` if it is missing or malformed. */
export function readPresence(state: unknown): PresenceState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const p = (state as Record<string, unknown>)[PRESENCE_FIELD];
  if (typeof p !== 'object' || p === null) return undefined;
  const r = p as Record<string, unknown>;
  if (r.v !== 1) return undefined;
  if (!isValidNodeId(r.nodeId) || !text(r.name, 40) || !isNodeRole(r.role) || !text(r.peerId) || !text(r.digest)) return undefined;
  if (typeof r.since !== 'number' || !Number.isFinite(r.since)) return undefined;
  let links: string[] | undefined;
  if (r.links !== undefined) {
    if (!Array.isArray(r.links) || r.links.length > MAX_PRESENCE_LINKS || !r.links.every((l) => text(l))) return undefined;
    links = r.links as string[];
  }
  const extra: { chain?: string; join?: string } = {};
  if (r.chain !== undefined) {
    if (!text(r.chain, MAX_CHAIN_CHARS)) return undefined;
    extra.chain = r.chain;
  }
  if (r.join !== undefined) {
    if (!text(r.join, MAX_JOIN_CHARS)) return undefined;
    extra.join = r.join;
  }
  const signature = typeof r.at === 'number' && text(r.cert, 400) && text(r.salt, 24) && text(r.sig, 100) ? { at: r.at, cert: r.cert, salt: r.salt, sig: r.sig } : {};
  return { v: 1, nodeId: r.nodeId, name: r.name, role: r.role, peerId: r.peerId, since: r.since, digest: r.digest, ...(links ? { links } : {}), ...extra, ...signature };
}

/** Whether an awareness state claims to be a presence (so a malformed one counts as rejected). */
export function hasPresenceField(state: unknown): boolean {
  return typeof state === 'object' && state !== null && PRESENCE_FIELD in state;
}
