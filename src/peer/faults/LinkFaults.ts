/**
 * Link faults on command: what the seed design's "controllable proxy" does, in the session
 * layer (Chromium's network emulation does not reach data channels, and this kernel has no
 * netem). A fault is mesh-wide state: it names nodes by id, travels to every node in `FAULTS`
 * messages (the management plane, which a fault never blocks, so a heal always gets through),
 * and each end of an affected link applies it to what it sends and receives.
 *
 * - `cut`: nothing of the data plane (sync, awareness, relayed signaling, repairs) passes
 *   between two nodes, in either direction; what one writes may still reach the other through
 *   a third node. The link itself stays up, so a heal takes effect at once.
 * - `split`: nodes in different groups are cut from each other (nodes in no group are not).
 * - `impair`: latency (fixed + jitter), loss, duplication, reordering and a bandwidth cap, on
 *   the link between two nodes, or on all of one node's links.
 *
 * The table merges like a register per fault: the higher version wins, a heal at an equal
 * version wins, so every node ends with the same table whatever the order it hears of changes.
 */
import { ValidationError } from '../../crdt/index.js';

export interface Impairment {
  /** Fixed one-way delay, ms. */
  readonly latencyMs: number;
  /** Extra random one-way delay, up to this many ms. */
  readonly jitterMs: number;
  /** Probability that a data message is lost (0–1). */
  readonly loss: number;
  /** Probability that a data message arrives twice (0–1). */
  readonly duplicate: number;
  /** Probability that a data message is held back so that later ones overtake it (0–1). */
  readonly reorder: number;
  /** Bytes per second the link carries; 0 is no cap. */
  readonly bandwidthBps: number;
}

export type FaultSpec =
  | { readonly kind: 'cut'; readonly a: string; readonly b: string }
  | { readonly kind: 'split'; readonly groups: readonly (readonly string[])[] }
  | ({ readonly kind: 'impair'; readonly a: string; readonly b?: string | undefined } & Impairment);

export interface Fault {
  /** `issuer:sequence`. */
  readonly id: string;
  readonly spec: FaultSpec;
  /** Node id of who set it (or last changed it). */
  readonly by: string;
  /** When it was set or healed (ms since the epoch, the issuer's clock; for display only). */
  readonly at: number;
  readonly version: number;
  readonly healed: boolean;
}

/** What applies to the link between this node and one peer. */
export interface LinkPolicy extends Impairment {
  readonly cut: boolean;
}

export const NO_IMPAIRMENT: Impairment = { latencyMs: 0, jitterMs: 0, loss: 0, duplicate: 0, reorder: 0, bandwidthBps: 0 };
export const CLEAN_LINK: LinkPolicy = { ...NO_IMPAIRMENT, cut: false };

/** Bounds on what a fault may say (and so on what a peer can make us hold). */
export const FAULT_LIMITS = { faults: 64, groups: 16, groupSize: 256, latencyMs: 60_000, minBandwidthBps: 64, maxBandwidthBps: 1e9 } as const;
/** Healed faults are forgotten after this long (they are kept a while so late nodes hear of the heal). */
const HEALED_TTL_MS = 10 * 60_000;
const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isCleanPolicy(p: LinkPolicy): boolean {
  return !p.cut && p.latencyMs === 0 && p.jitterMs === 0 && p.loss === 0 && p.duplicate === 0 && p.reorder === 0 && p.bandwidthBps === 0;
}

export class FaultTable {
  private readonly faults = new Map<string, Fault>();
  private sequence = 0;

  constructor(private readonly self: string) {}

  list(): Fault[] {
    return [...this.faults.values()].sort((x, y) => x.at - y.at || x.id.localeCompare(y.id));
  }

  active(): Fault[] {
    return this.list().filter((f) => !f.healed);
  }

  /** Adds a fault set here; returns it. Throws `ValidationError` for a bad spec (nothing changes). */
  add(spec: FaultSpec, now = Date.now()): Fault {
    const valid = validateFaultSpec(spec);
    if (this.active().length >= FAULT_LIMITS.faults) throw new ValidationError('fault', `At most ${FAULT_LIMITS.faults} faults may be in force; heal some first.`);
    const fault: Fault = { id: `${this.self}:${++this.sequence}:${now.toString(36)}`, spec: valid, by: this.self, at: now, version: 1, healed: false };
    this.faults.set(fault.id, fault);
    return fault;
  }

  /** Heals one fault (by id) or, with no id, every fault in force. Returns those healed. */
  heal(id?: string, now = Date.now()): Fault[] {
    const targets = id === undefined ? this.active() : [this.faults.get(id)].filter((f): f is Fault => f !== undefined && !f.healed);
    if (id !== undefined && targets.length === 0 && !this.faults.has(id)) throw new ValidationError('fault', `There is no fault "${id}".`);
    const healed = targets.map((f) => ({ ...f, by: this.self, at: now, version: f.version + 1, healed: true }));
    for (const f of healed) this.faults.set(f.id, f);
    return healed;
  }

  /**
   * Merges faults heard from a peer (already validated). Returns whether anything changed.
   * Old healed faults are forgotten here too.
   */
  merge(incoming: readonly Fault[], now = Date.now()): boolean {
    let changed = false;
    for (const f of incoming) {
      const mine = this.faults.get(f.id);
      if (!mine || f.version > mine.version || (f.version === mine.version && f.healed && !mine.healed)) {
        if (!mine && this.faults.size >= FAULT_LIMITS.faults * 2) continue;
        this.faults.set(f.id, f);
        changed = true;
      }
    }
    for (const [id, f] of this.faults) if (f.healed && now - f.at > HEALED_TTL_MS) this.faults.delete(id);
    return changed;
  }

  /** What applies between this node and `peer` (node ids). */
  policy(peer: string): LinkPolicy {
    return linkPolicy(this.active(), this.self, peer);
  }

  /** Whether any fault in force names this node. */
  affects(node: string): boolean {
    return this.active().some((f) => faultNames(f.spec).includes(node));
  }
}

/** The policy the given faults put on the link between `x` and `y`. */
export function linkPolicy(faults: readonly Fault[], x: string, y: string): LinkPolicy {
  let cut = false;
  let latencyMs = 0;
  let jitterMs = 0;
  let keep = 1;
  let duplicate = 0;
  let reorder = 0;
  let bandwidthBps = 0;
  for (const { spec } of faults) {
    if (spec.kind === 'cut') {
      if ((spec.a === x && spec.b === y) || (spec.a === y && spec.b === x)) cut = true;
    } else if (spec.kind === 'split') {
      const gx = spec.groups.findIndex((g) => g.includes(x));
      const gy = spec.groups.findIndex((g) => g.includes(y));
      if (gx >= 0 && gy >= 0 && gx !== gy) cut = true;
    } else {
      const applies = spec.b === undefined ? spec.a === x || spec.a === y : (spec.a === x && spec.b === y) || (spec.a === y && spec.b === x);
      if (!applies) continue;
      latencyMs += spec.latencyMs;
      jitterMs += spec.jitterMs;
      keep *= 1 - spec.loss;
      duplicate = Math.max(duplicate, spec.duplicate);
      reorder = Math.max(reorder, spec.reorder);
      if (spec.bandwidthBps > 0) bandwidthBps = bandwidthBps === 0 ? spec.bandwidthBps : Math.min(bandwidthBps, spec.bandwidthBps);
    }
  }
  return { cut, latencyMs, jitterMs, loss: 1 - keep, duplicate, reorder, bandwidthBps };
}

/** The node ids a fault names. */
export function faultNames(spec: FaultSpec): string[] {
  if (spec.kind === 'split') return spec.groups.flat();
  return spec.kind === 'cut' ? [spec.a, spec.b] : spec.b === undefined ? [spec.a] : [spec.a, spec.b];
}

function nodeId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !NODE_ID.test(value)) throw new ValidationError('fault', `${what} must be a node id (1–64 of A-Z a-z 0-9 _ -), not ${JSON.stringify(value)?.slice(0, 40)}.`);
  return value;
}

function fraction(value: unknown, what: string): number {
  const v = value ?? 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw new ValidationError('fault', `${what} must be a probability from 0 to 1.`);
  return v;
}

function ms(value: unknown, what: string): number {
  const v = value ?? 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > FAULT_LIMITS.latencyMs) throw new ValidationError('fault', `${what} must be 0–${FAULT_LIMITS.latencyMs} ms.`);
  return v;
}

/** Checks a fault spec from a person, a script or a peer; returns a clean copy or throws `ValidationError`. */
export function validateFaultSpec(input: unknown): FaultSpec {
  if (typeof input !== 'object' || input === null) throw new ValidationError('fault', 'A fault must be an object with a kind: cut, split or impair.');
  const r = input as Record<string, unknown>;
  switch (r.kind) {
    case 'cut': {
      const a = nodeId(r.a, 'A cut\'s first node');
      const b = nodeId(r.b, 'A cut\'s second node');
      if (a === b) throw new ValidationError('fault', 'A cut needs two different nodes.');
      return { kind: 'cut', a, b };
    }
    case 'split': {
      if (!Array.isArray(r.groups) || r.groups.length < 2 || r.groups.length > FAULT_LIMITS.groups) throw new ValidationError('fault', `A split needs 2–${FAULT_LIMITS.groups} groups of nodes.`);
      const seen = new Set<string>();
      const groups = r.groups.map((g, i) => {
        if (!Array.isArray(g) || g.length === 0 || g.length > FAULT_LIMITS.groupSize) throw new ValidationError('fault', `Group ${i + 1} of a split must list 1–${FAULT_LIMITS.groupSize} nodes.`);
        return g.map((n) => {
          const id = nodeId(n, `A node of group ${i + 1}`);
          if (seen.has(id)) throw new ValidationError('fault', `Node ${id} is in two groups of the split.`);
          seen.add(id);
          return id;
        });
      });
      return { kind: 'split', groups };
    }
    case 'impair': {
      const a = nodeId(r.a, 'An impairment\'s node');
      const b = r.b === undefined ? undefined : nodeId(r.b, 'An impairment\'s second node');
      if (a === b) throw new ValidationError('fault', 'An impaired link needs two different nodes.');
      const bandwidth = r.bandwidthBps ?? 0;
      if (typeof bandwidth !== 'number' || !Number.isFinite(bandwidth) || (bandwidth !== 0 && (bandwidth < FAULT_LIMITS.minBandwidthBps || bandwidth > FAULT_LIMITS.maxBandwidthBps))) {
        throw new ValidationError('fault', `A bandwidth cap must be 0 (none) or ${FAULT_LIMITS.minBandwidthBps}–${FAULT_LIMITS.maxBandwidthBps} bytes per second.`);
      }
      const spec = {
        kind: 'impair' as const,
        a,
        ...(b === undefined ? {} : { b }),
        latencyMs: ms(r.latencyMs, 'Latency'),
        jitterMs: ms(r.jitterMs, 'Jitter'),
        loss: fraction(r.loss, 'Loss'),
        duplicate: fraction(r.duplicate, 'Duplication'),
        reorder: fraction(r.reorder, 'Reordering'),
        bandwidthBps: bandwidth,
      };
      if (spec.loss === 1) throw new ValidationError('fault', 'Loss of 1 is a cut: use a cut.');
      return spec;
    }
    default:
      throw new ValidationError('fault', `Unknown fault kind ${JSON.stringify(r.kind)?.slice(0, 20)}: use cut, split or impair.`);
  }
}

/** Checks faults a peer sent; returns the valid ones and how many were refused. */
export function readFaults(input: unknown): { faults: Fault[]; refused: number } {
  if (!Array.isArray(input)) return { faults: [], refused: 1 };
  const faults: Fault[] = [];
  let refused = 0;
  for (const item of input.slice(0, FAULT_LIMITS.faults * 2)) {
    try {
      if (typeof item !== 'object' || item === null) throw new ValidationError('fault', 'not an object');
      const r = item as Record<string, unknown>;
      if (typeof r.id !== 'string' || r.id.length > 120) throw new ValidationError('fault', 'bad id');
      const by = nodeId(r.by, 'by');
      if (typeof r.at !== 'number' || !Number.isFinite(r.at)) throw new ValidationError('fault', 'bad time');
      if (typeof r.version !== 'number' || !Number.isSafeInteger(r.version) || r.version < 1) throw new ValidationError('fault', 'bad version');
      if (typeof r.healed !== 'boolean') throw new ValidationError('fault', 'bad heal flag');
      faults.push({ id: r.id, spec: validateFaultSpec(r.spec), by, at: r.at, version: r.version, healed: r.healed });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      refused++;
    }
  }
  refused += Math.max(0, input.length - FAULT_LIMITS.faults * 2);
  return { faults, refused };
}
