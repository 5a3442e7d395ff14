/**
 * The per-peer protocol's message types and limits. The first var-uint of every message says
 * what it is; 0, 1 and 3 are y-protocols' sync, awareness and awareness query, as y-webrtc
 * sends them, so the Yjs part of the protocol is the one every Yjs provider speaks.
 */
export const MSG = {
  sync: 0,
  awareness: 1,
  queryAwareness: 3,
  /** One part of a message larger than the link or the uplink takes at once. */
  part: 5,
  /** Who is at the other end: node id and name (management). */
  hello: 6,
  /** WebRTC signaling relayed through the mesh (data). */
  signal: 7,
  /** Anti-entropy: digest of the resolved mesh state and the Yjs state vector. */
  digest: 8,
  /** Anti-entropy: hashes of ranges of entity ids, or the entities of the smallest ranges. */
  ranges: 9,
  /** Anti-entropy: the writes of entities found different, and the ids wanted back. */
  repair: 10,
  /** The mesh's link faults (management). */
  faults: 11,
  ping: 12,
  pong: 13,
  /** Clock probe: the sender's wall clock; answered with it and the receiver's (management). */
  clockProbe: 14,
  clockReply: 15,
  /** The sender's certificate and its signature binding its node key to this link (see `handshake.ts`). */
  proof: 16,
} as const;

/**
 * A clock sample is off by up to half its round trip (the probe may have waited, the answer
 * not, or the reverse): a sample counts with that uncertainty (`PeerSession.clockErrorMs`), and
 * not at all past this round trip. A probe still out is not replaced before this.
 */
export const MAX_CLOCK_RTT_MS = 10_000;

/** Messages a cut link still carries: what keeps the link alive and lets a heal through. */
export function isManagement(type: number): boolean {
  return type === MSG.hello || type === MSG.proof || type === MSG.faults || type === MSG.ping || type === MSG.pong || type === MSG.part || type === MSG.clockProbe || type === MSG.clockReply;
}

/**
 * Messages a link carries before both ends have proven their keys: the handshake and liveness.
 * Everything else waits for the proof (and is refused from a peer that has not sent one).
 */
export function isHandshake(type: number): boolean {
  return type === MSG.hello || type === MSG.proof || type === MSG.ping || type === MSG.pong;
}

/** A peer may not make us buffer more than this for one message (parts reassembled). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Parts are at least this large, so a message has at most MAX_MESSAGE_BYTES / this many. */
export const MIN_PART_BYTES = 128;
/** Room for a part's header (type, total, index as var-uints). */
export const PART_HEADER_BYTES = 12;
/** Structured messages (hello, signal, ranges, repair, faults) are refused above this size. */
export const MAX_CONTROL_BYTES = 4 * 1024 * 1024;
