/**
 * A node's presence in awareness: what it publishes about itself (signed, `trust/presenceSeal.ts`)
 * and what it reads of the others' (admitted only when signed: `check`), as the peer list, the
 * verified peers an owned room's desk works from, and the topology.
 */
import type { Awareness } from 'y-protocols/awareness';
import type { LinkKind, NodeIdentity, PeerInfo, Topology } from './LatticeNode.js';
import { MAX_PRESENCE_LINKS, PRESENCE_FIELD, hasPresenceField, readPresence, type PresenceState } from './presence.js';
import type { VerifiedPeer } from './RoomDesk.js';
import { topologyOf } from './topology.js';
import type { LinkCredentials } from './trust/credentials.js';
import { PresenceVerifier, signPresence } from './trust/presenceSeal.js';
import { STALE_STATE } from './session/awarenessAdmission.js';

/** What presence needs of the mesh: its links, and which node ids proved which keys on them. */
export interface PresenceMesh {
  readonly connected: boolean;
  readonly peerId: string;
  links(): ReadonlyArray<{ readonly peerId: string; readonly kind: LinkKind; readonly since: number; readonly lastHeard?: number | undefined }>;
  sessionInfo(): ReadonlyArray<{ readonly verified: boolean; readonly nodeId: string | undefined; readonly fingerprint: string | undefined }>;
}

export interface MeshPresenceOptions {
  readonly awareness: Awareness;
  readonly room: string;
  readonly credentials: LinkCredentials;
  readonly physicalNow: () => number;
  readonly mesh: () => PresenceMesh;
  /** Who this node is now, when it joined, and its digest. */
  readonly identity: () => NodeIdentity;
  readonly joinedAt: () => number;
  readonly digest: () => string;
  /** What an owned room adds (the membership chain, or a join proof). */
  readonly extra: () => { chain?: string; join?: string };
  /** A peer asks to join (its presence carries a join proof). */
  readonly onJoinRequest: () => void;
  readonly changed: () => void;
}

export class MeshPresence {
  private readonly verifier: PresenceVerifier;
  /** Publications started; only the latest one's signature is put in awareness. */
  private seq = 0;
  private at = 0;
  private readonly firstSeen = new Map<string, number>();
  private destroyed = false;
  /** Malformed presence states from peers (ignored when read). */
  rejected = 0;

  constructor(private readonly o: MeshPresenceOptions) {
    this.verifier = new PresenceVerifier(o.room);
    o.awareness.on('change', this.onChange);
  }

  destroy(): void {
    this.destroyed = true;
    this.o.awareness.off('change', this.onChange);
  }

  /**
   * Admits a peer's presence state only with a valid signature by the node it names. One older
   * than a state already seen from that client is left out, blaming nobody: relays bring late
   * copies, and one forgotten here (its node unreachable) comes back through them.
   */
  readonly check = (clientId: number, state: unknown): string | typeof STALE_STATE | undefined => {
    if (!hasPresenceField(state)) return undefined;
    const presence = readPresence(state);
    // Malformed presence is ignored when read (and counted there), not refused here.
    if (!presence) return undefined;
    if (this.verifier.isOlder(clientId, presence.at)) return STALE_STATE;
    return this.verifier.refusal(clientId, presence, this.o.physicalNow());
  };

  /** Signs and publishes this node's presence (the latest call wins). */
  publish(): void {
    const mesh = this.o.mesh();
    if (this.destroyed || !mesh.connected) return;
    const identity = this.o.identity();
    const presence: PresenceState = {
      v: 1,
      nodeId: identity.nodeId,
      name: identity.name,
      role: identity.role,
      peerId: mesh.peerId,
      since: this.o.joinedAt(),
      digest: this.o.digest(),
      links: mesh.links().slice(0, MAX_PRESENCE_LINKS).map((l) => l.peerId),
      ...this.o.extra(),
    };
    const seq = ++this.seq;
    // Peers refuse a presence older than one they have seen: our signed time never goes back,
    // even when our clock does (a clock corrected after being fast).
    this.at = Math.max(this.o.physicalNow(), this.at + 1);
    const awareness = this.o.awareness;
    signPresence(presence, awareness.clientID, this.o.room, this.o.credentials, this.at)
      .then((signed) => {
        if (seq !== this.seq || this.destroyed || !this.o.mesh().connected) return;
        // Not setLocalStateField: it does nothing once the state was cleared on disconnect.
        awareness.setLocalState({ ...(awareness.getLocalState() ?? {}), [PRESENCE_FIELD]: signed });
      })
      .catch((error: unknown) => console.error('lattice: presence could not be signed', error));
  }

  /** Whether the published presence lists other links than the mesh has now. */
  linksChanged(): boolean {
    const published = readPresence(this.o.awareness.getLocalState());
    return published !== undefined && (published.links ?? []).join(',') !== this.o.mesh().links().map((l) => l.peerId).join(',');
  }

  /**
   * A node out of the mesh hears nobody: forget the others' presence (awareness would keep it
   * for 30 s). Not with removeAwarenessStates: it bumps each peer's clock here, and on reconnect
   * their current states (older clocks) would be refused until they next renew, up to 15 s with
   * no peer shown. Dropping state and meta accepts whatever they send next.
   */
  forgetOthers(): void {
    const awareness = this.o.awareness;
    const others = [...awareness.getStates().keys()].filter((id) => id !== awareness.clientID);
    for (const id of others) {
      awareness.states.delete(id);
      awareness.meta.delete(id);
    }
    if (others.length > 0) awareness.emit('change', [{ added: [], updated: [], removed: others }, 'disconnect']);
  }

  /** Node ids this node has heard of since it started. */
  seen(): Set<string> {
    return new Set(this.firstSeen.keys());
  }

  /** Other nodes: who they are, how we hear them, whether we have converged (`ours`: our digest). */
  peers(ours: string): PeerInfo[] {
    const mesh = this.o.mesh();
    const self = this.o.identity().nodeId;
    const links = new Map(mesh.links().map((l) => [l.peerId, l]));
    // A node id is a label anyone may certify under their own key; a node linked here has proven
    // its key for its id, so a presence for that id signed by another key is an impostor's (not
    // refused: an honest node not linked to it may relay it in good faith).
    const provenKey = new Map(mesh.sessionInfo().flatMap((s) => (s.verified && s.nodeId !== undefined && s.fingerprint !== undefined ? [[s.nodeId, s.fingerprint] as const] : [])));
    const out: PeerInfo[] = [];
    for (const [clientId, state] of this.o.awareness.getStates()) {
      if (clientId === this.o.awareness.clientID) continue;
      const presence = readPresence(state);
      if (!presence || presence.nodeId === self) continue;
      const signer = this.signerOf(presence);
      const proven = provenKey.get(presence.nodeId);
      if (proven !== undefined && signer.fingerprint !== proven) continue;
      const link = links.get(presence.peerId);
      const metaHeard = this.o.awareness.meta.get(clientId)?.lastUpdated ?? 0;
      // awareness meta times are local; links report their own
      const seen = this.firstSeen.get(presence.nodeId) ?? Date.now();
      out.push({
        nodeId: presence.nodeId,
        name: presence.name,
        role: presence.role,
        link: link?.kind ?? 'relay',
        connectedSince: link?.since ?? seen,
        lastHeard: Math.max(link?.lastHeard ?? 0, metaHeard),
        digest: presence.digest,
        converged: presence.digest === ours,
        ...signer,
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.nodeId.localeCompare(b.nodeId));
  }

  /** Peers' presence with the keys that signed it (admitted, so verified), the newest per node. */
  verified(): VerifiedPeer[] {
    const self = this.o.identity().nodeId;
    const out = new Map<string, VerifiedPeer>();
    for (const [clientId, state] of this.o.awareness.getStates()) {
      if (clientId === this.o.awareness.clientID) continue;
      const presence = readPresence(state);
      if (!presence || presence.cert === undefined || presence.nodeId === self) continue;
      const signer = this.verifier.signer(presence.cert, this.o.physicalNow());
      if (typeof signer === 'string') continue;
      const lastHeard = this.o.awareness.meta.get(clientId)?.lastUpdated ?? 0;
      const known = out.get(presence.nodeId);
      if (known && known.presence.since > presence.since) continue;
      out.set(presence.nodeId, { presence, operatorKey: signer.cert.operatorPublicKey, nodeKey: signer.cert.nodePublicKey, nodeFingerprint: signer.fingerprint, lastHeard });
    }
    return [...out.values()];
  }

  /** Who links to whom, from every node's presence and this node's own links. */
  topology(): Topology {
    const identity = this.o.identity();
    // A node that reloaded may still have its old presence here for a while: keep its newest.
    const latest = new Map<string, PresenceState>();
    for (const [clientId, state] of this.o.awareness.getStates()) {
      if (clientId === this.o.awareness.clientID) continue;
      const p = readPresence(state);
      if (p && p.nodeId !== identity.nodeId && (latest.get(p.nodeId)?.since ?? -Infinity) <= p.since) latest.set(p.nodeId, p);
    }
    const others = [...latest.values()].map((p) => ({ nodeId: p.nodeId, name: p.name, peerId: p.peerId, links: p.links ?? [] }));
    const mesh = this.o.mesh();
    const self = { nodeId: identity.nodeId, name: identity.name, peerId: mesh.peerId, links: mesh.links().map((l) => l.peerId) };
    return topologyOf({ self, others });
  }

  /** The key fingerprints a peer's (admitted, so verified) presence was signed with. */
  private signerOf(presence: PresenceState): { fingerprint?: string; operatorFingerprint?: string } {
    const signer = presence.cert === undefined ? undefined : this.verifier.signer(presence.cert, this.o.physicalNow());
    return signer === undefined || typeof signer === 'string' ? {} : { fingerprint: signer.fingerprint, operatorFingerprint: signer.operatorFingerprint };
  }

  private readonly onChange = (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    let joining = false;
    if (origin !== 'local') {
      for (const id of [...change.added, ...change.updated]) {
        if (id === this.o.awareness.clientID) continue;
        const state = this.o.awareness.getStates().get(id);
        const presence = readPresence(state);
        if (presence) {
          if (!this.firstSeen.has(presence.nodeId)) this.firstSeen.set(presence.nodeId, Date.now());
          if (presence.join !== undefined) joining = true;
        } else if (hasPresenceField(state)) {
          this.rejected++;
        }
      }
    }
    if (joining) this.o.onJoinRequest();
    this.o.changed();
  };
}
