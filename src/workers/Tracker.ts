/**
 * Multi-sensor tracker: fuses scans from every sensor into one track per real object.
 *
 * Per scan: predict every track to the scan time (constant-velocity Kalman filter), keep
 * sensor tracks on the fused track they already feed while they stay inside its gate (and
 * de-correlate them when they leave it twice running), gate the remaining observations by
 * Mahalanobis distance, assign them globally (or by plain nearest neighbour, the baseline),
 * update, start tentative tracks from what is left, confirm tentative tracks after enough hits,
 * delete tracks that coast too long, and merge confirmed tracks that describe the same object.
 *
 * Track ids are a prefix (`fus.` and the run's tag) + a hash of the run and of the source that
 * started the track (a sensor track number, or a plot id `sensor@scan#i`), so two nodes fusing
 * the same sources produce the same ids.
 */
import { fnv1a64 } from '../crdt/index.js';
import { assignGlobal, assignNearest, GATE_CHI2_2DOF, PairList } from './association.js';
import { LocalFrame } from './geo.js';
import { diagCov, innovationInto, mahalanobis2, newInnovationScratch, newState, predict, update, type Innovation, type Mat4, type Vec4 } from './kalman.js';
import type { Observation, Sensor } from './sensors.js';

export const TRACK_STATUSES = ['tentative', 'confirmed'] as const;
export type TrackStatus = (typeof TRACK_STATUSES)[number];

export const ASSOCIATION_MODES = ['global', 'nearest'] as const;
export type AssociationMode = (typeof ASSOCIATION_MODES)[number];

/** One source feeding a track: a sensor track number, or a plotting sensor's id. */
export interface SourceLink {
  lastSeen: number;
  /** Consecutive scans in which this sensor track fell outside the fused track's gate. */
  divergences: number;
}

export interface Track {
  readonly id: string;
  /** State [x, y, vx, vy] in the tracker's frame, at `time`. */
  readonly x: Vec4;
  readonly P: Mat4;
  time: number;
  status: TrackStatus;
  hits: number;
  /** Consecutive scans of a sensor covering the track that did not update it. */
  misses: number;
  lastUpdate: number;
  /** Exponential average of hit (1) and covered miss (0). */
  quality: number;
  /** Exponential average of normalised innovation squared: above `manoeuvreNis` the track is turning. */
  nis: number;
  readonly sources: Map<string, SourceLink>;
  /**
   * Serial number of the last scan that updated the track: the tracker's bookkeeping (a mark
   * on the track is cheaper than a set of updated tracks built on every scan).
   */
  updatedInScan: number;
}

export interface TrackerOptions {
  readonly association: AssociationMode;
  /** White-noise acceleration intensity q for straight flight, m²/s³. */
  readonly processNoise: number;
  /** q while a manoeuvre is detected: 3°/s at 250 m/s is 13 m/s², which 60 m²/s³ follows. */
  readonly manoeuvreNoise: number;
  /** Averaged normalised innovation squared (2 dof, mean 2 when the model fits) that signals a manoeuvre. */
  readonly manoeuvreNis: number;
  readonly gate: number;
  /** Hits that confirm a tentative track (two for sources that track by themselves). */
  readonly confirmHits: number;
  /** A confirmed track not updated for this long is deleted, s. */
  readonly maxCoastS: number;
  /** A tentative track is deleted after this many covered misses. */
  readonly tentativeMisses: number;
  /** Velocity variance of a track started from a position-only plot, (m/s)². */
  readonly initialVelocityVar: number;
  /**
   * Mixed into every track id: the run, so that two runs (whose plots are numbered alike) never
   * reuse an id, while every node fusing the same run still agrees.
   */
  readonly idSalt: string;
  /** Starts every track id: `fus.` and, in a pipeline, the run's tag (`runIds.ts`). */
  readonly idPrefix: string;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  association: 'global',
  processNoise: 3,
  manoeuvreNoise: 60,
  manoeuvreNis: 4,
  gate: GATE_CHI2_2DOF,
  confirmHits: 3,
  maxCoastS: 10,
  tentativeMisses: 2,
  initialVelocityVar: 200 ** 2,
  idSalt: '',
  idPrefix: 'fus.',
};

export interface ScanInput {
  readonly sensor: Pick<Sensor, 'id' | 'covers'>;
  readonly time: number;
  readonly observations: readonly Observation[];
}

export interface ScanResult {
  readonly created: readonly string[];
  readonly deleted: readonly string[];
}

/** A track state handed over from elsewhere (a node's document) to continue from. */
export interface TrackSeed {
  readonly id: string;
  readonly time: number;
  readonly x: number;
  readonly y: number;
  readonly vx: number;
  readonly vy: number;
  readonly positionVar: number;
  readonly velocityVar: number;
  readonly sources: readonly string[];
}

const GRID_M = 4_000;
/** Scans two confirmed tracks must look like one object before they are merged. */
const MERGE_SCANS = 3;

export class Tracker {
  readonly options: TrackerOptions;
  private readonly live = new Map<string, Track>();
  /** Which track each sensor track number feeds. */
  private readonly bySource = new Map<string, string>();
  private readonly mergeCounts = new Map<string, number>();
  private lastMerge = -Infinity;
  /** Serial number of the scan being processed (see `Track.updatedInScan`). */
  private scanSerial = 0;
  // Scratch space of `processScan`, reused from scan to scan: at 1,000 tracks a scan gates
  // thousands of pairs and keeps few, and per-scan garbage was a large part of the tick.
  /** Each observation of the current scan in the tracker's frame, east and north, m. */
  private localX = new Float64Array(64);
  private localY = new Float64Array(64);
  private used = new Uint8Array(64);
  private missCost = new Float64Array(64);
  /** Tracks the current scan's gating considers (emptied after each scan). */
  private readonly candidates: Track[] = [];
  /** The current scan's gated track–observation pairs. */
  private readonly pairs = new PairList();
  /** The current scan's pooled observations by grid cell. */
  private readonly obsGrid = new CellIndex();
  /** Confirmed tracks by grid cell, for merging. */
  private readonly trackGrid = new CellIndex();
  /** Position innovations under test (gating, keeping a sensor track) or being applied. */
  private readonly gateScratch = newInnovationScratch();
  /** Velocity innovation of an update. */
  private readonly velocityScratch = newInnovationScratch();
  /** Covariance of the other track in a merge test. */
  private readonly mergeCov = { ee: 0, en: 0, nn: 0 };

  constructor(
    readonly frame: LocalFrame,
    options: Partial<TrackerOptions> = {},
  ) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
  }

  tracks(): Track[] {
    return [...this.live.values()];
  }

  /** The confirmed tracks, in `tracks()` order. */
  confirmedTracks(): Track[] {
    const out: Track[] = [];
    for (const track of this.live.values()) if (track.status === 'confirmed') out.push(track);
    return out;
  }

  get(id: string): Track | undefined {
    return this.live.get(id);
  }

  get size(): number {
    return this.live.size;
  }

  /** Continues a track from elsewhere as confirmed (it was confirmed where it came from). */
  adopt(seed: TrackSeed): void {
    if (this.live.has(seed.id)) return;
    const P = diagCov(Math.max(seed.positionVar, 1), Math.max(seed.velocityVar, 1));
    const track: Track = {
      id: seed.id,
      x: newState(seed.x, seed.y, seed.vx, seed.vy),
      P,
      time: seed.time,
      status: 'confirmed',
      hits: this.options.confirmHits,
      misses: 0,
      lastUpdate: seed.time,
      quality: 0.8,
      nis: 2,
      sources: new Map(),
      updatedInScan: -1,
    };
    for (const s of seed.sources) this.link(track, s, seed.time);
    this.live.set(track.id, track);
  }

  /**
   * Position and velocity of a track predicted to `t` without changing it; written into `out`
   * when given (no allocation: the pipeline asks this for every track on every step).
   */
  stateAt(track: Track, t: number, out: { x: Vec4; P: Mat4 } = { x: new Float64Array(4), P: new Float64Array(16) }): { x: Vec4; P: Mat4 } {
    out.x.set(track.x);
    out.P.set(track.P);
    predict(out.x, out.P, t - track.time, this.noiseOf(track));
    return out;
  }

  processScan(scan: ScanInput): ScanResult {
    const t = scan.time;
    const o = this.options;
    for (const track of this.live.values()) {
      if (t > track.time) {
        predict(track.x, track.P, t - track.time, this.noiseOf(track));
        track.time = t;
      }
    }
    const obs = scan.observations;
    this.toLocal(obs);
    const lx = this.localX;
    const ly = this.localY;
    const used = this.usedScratch(obs.length);
    const scanNo = ++this.scanSerial;

    // 1. Sensor tracks stay with the fused track they feed while they agree with it. What this
    // leaves unused (used[i] still 0) is the pool that step 2 gates.
    for (let i = 0; i < obs.length; i++) {
      const ob = obs[i]!;
      const trackId = ob.sourceRef === undefined ? undefined : this.bySource.get(ob.sourceRef);
      const track = trackId === undefined ? undefined : this.live.get(trackId);
      if (!track || track.updatedInScan === scanNo) continue;
      const v = innovationInto(this.gateScratch, track.x, track.P, lx[i]!, ly[i]!, ob.positionCov);
      const link = track.sources.get(ob.sourceRef!)!;
      if (mahalanobis2(v) <= o.gate) {
        link.divergences = 0;
        this.apply(track, ob, v, t);
        track.updatedInScan = scanNo;
        used[i] = 1;
      } else if (++link.divergences >= 2) {
        // De-correlation: the sensor track and the fused track have parted; let it find its own.
        this.unlink(track, ob.sourceRef!);
      } else {
        used[i] = 1; // one outlier is not yet a divergence; neither use it nor start from it
      }
    }

    // 2. Gate the rest through a grid, then assign.
    const candidates = this.candidates;
    for (const track of this.live.values()) if (track.updatedInScan !== scanNo) candidates.push(track);
    const grid = this.obsGrid;
    grid.clear(obs.length);
    let maxR = 0;
    // Back to front: each cell's chain then lists the pool's observations in order.
    for (let i = obs.length - 1; i >= 0; i--) {
      if (used[i]) continue;
      maxR = Math.max(maxR, obs[i]!.positionCov.ee + obs[i]!.positionCov.nn);
      grid.addFront(cell(lx[i]!, ly[i]!), i);
    }
    const pairs = this.pairs;
    pairs.clear();
    const missCost = this.missCostScratch(candidates.length);
    for (let ti = 0; ti < candidates.length; ti++) this.gate(candidates[ti]!, ti, obs, t, maxR, pairs, missCost);
    const assigned = o.association === 'global' ? assignGlobal(candidates.length, obs.length, pairs, missCost) : assignNearest(candidates.length, pairs);
    for (let ti = 0; ti < assigned.length; ti++) {
      const i = assigned[ti]!;
      if (i < 0) continue;
      const track = candidates[ti]!;
      const ob = obs[i]!;
      // The innovation is computed again rather than kept from gating: the same numbers, since
      // a track takes at most one observation and so is unchanged until its own update.
      this.apply(track, ob, innovationInto(this.gateScratch, track.x, track.P, lx[i]!, ly[i]!, ob.positionCov), t);
      track.updatedInScan = scanNo;
      used[i] = 1;
    }
    candidates.length = 0;

    // 3. Misses, deletion and confirmation. (Deleting the entry being visited is safe in a Map
    // iteration, and visits the rest in the same order.)
    const deleted: string[] = [];
    for (const track of this.live.values()) {
      if (track.updatedInScan !== scanNo && scan.sensor.covers(this.frame.toGeo(track.x[0]!, track.x[1]!))) {
        track.misses++;
        track.quality *= 0.85;
      }
      const lost =
        track.status === 'tentative'
          ? track.misses >= o.tentativeMisses || t - track.lastUpdate > o.maxCoastS / 2
          : t - track.lastUpdate > o.maxCoastS;
      if (lost) {
        this.remove(track);
        deleted.push(track.id);
      }
    }

    // 4. New tentative tracks from what nobody took.
    const created: string[] = [];
    for (let i = 0; i < obs.length; i++) {
      if (used[i]) continue;
      created.push(this.start(obs[i]!, lx[i]!, ly[i]!, t).id);
    }

    // Merging compares every confirmed track with its neighbours: once per second of run time
    // is enough to see "the same object for three scans" and keeps 1,000-track scans cheap.
    if (Math.floor(t) > this.lastMerge) {
      this.lastMerge = Math.floor(t);
      for (const id of this.mergeDuplicates()) deleted.push(id);
    }
    return { created, deleted };
  }

  /** Whether each observation of the scan was used (updated a track, or was held back), all 0. */
  private usedScratch(n: number): Uint8Array {
    if (this.used.length < n) this.used = new Uint8Array(n * 2);
    return this.used.fill(0, 0, n);
  }

  /** What leaving each candidate track unassigned costs: Infinity until an observation gates. */
  private missCostScratch(n: number): Float64Array {
    if (this.missCost.length < n) this.missCost = new Float64Array(n * 2);
    return this.missCost.fill(Infinity, 0, n);
  }

  /** Fills `localX`/`localY` with the observations' positions in the tracker's frame. */
  private toLocal(obs: readonly Observation[]): void {
    if (this.localX.length < obs.length) {
      this.localX = new Float64Array(obs.length * 2);
      this.localY = new Float64Array(obs.length * 2);
    }
    for (let i = 0; i < obs.length; i++) {
      this.localX[i] = this.frame.eastOf(obs[i]!.position);
      this.localY[i] = this.frame.northOf(obs[i]!.position);
    }
  }

  /**
   * Gates one candidate track (index `ti`) against the pooled observations in `obsGrid` near it:
   * every pair inside the gate is priced into `pairs`, and the track's miss cost into `missCost`.
   */
  private gate(track: Track, ti: number, obs: readonly Observation[], t: number, maxR: number, pairs: PairList, missCost: Float64Array): void {
    const o = this.options;
    const grid = this.obsGrid;
    // Farthest a gated observation can be: the gate along the largest possible axis of S.
    const reach = Math.sqrt(o.gate * (track.P[0]! + track.P[5]! + maxR));
    // Capped at 3 cells (12 km): only a track that has coasted for long is that uncertain,
    // and it is better deleted than allowed to grab a plot that far away.
    const cells = Math.min(3, Math.ceil(reach / GRID_M));
    const cx = Math.floor(track.x[0]! / GRID_M);
    const cy = Math.floor(track.x[1]! / GRID_M);
    for (let gx = cx - cells; gx <= cx + cells; gx++) {
      for (let gy = cy - cells; gy <= cy + cells; gy++) {
        for (let i = grid.first(cellKey(gx, gy)); i >= 0; i = grid.next(i)) {
          const ob = obs[i]!;
          if (ob.sourceRef !== undefined && this.feedsOther(track, ob, t)) continue;
          const v = innovationInto(this.gateScratch, track.x, track.P, this.localX[i]!, this.localY[i]!, ob.positionCov);
          const d2 = mahalanobis2(v);
          if (!(d2 <= o.gate)) continue;
          const logDet = Math.log(v.see * v.snn - v.sen * v.sen);
          // GNN prices a pair at its negative log likelihood; NN at its distance alone.
          pairs.push(ti, i, o.association === 'global' ? d2 + logDet : d2);
          missCost[ti] = Math.min(missCost[ti]!, o.gate + logDet);
        }
      }
    }
  }

  /**
   * Adjustable-level process noise (Bar-Shalom et al. 2001, §11.2): a track whose innovations
   * are persistently larger than the straight-flight model predicts is filtered with the
   * manoeuvre level until they settle; the cheap single-filter cousin of an IMM.
   */
  private noiseOf(track: Track): number {
    return track.nis > this.options.manoeuvreNis ? this.options.manoeuvreNoise : this.options.processNoise;
  }

  private apply(track: Track, ob: Observation, v: Innovation, t: number): void {
    track.nis = track.nis * 0.6 + Math.min(mahalanobis2(v), 50) * 0.4;
    update(track.x, track.P, v, 0);
    if (ob.velocity && ob.velocityCov) {
      update(track.x, track.P, innovationInto(this.velocityScratch, track.x, track.P, ob.velocity.ve, ob.velocity.vn, ob.velocityCov, 2), 2);
    }
    track.hits++;
    track.misses = 0;
    track.lastUpdate = t;
    track.quality = track.quality * 0.85 + 0.15;
    this.link(track, ob.sourceRef ?? ob.sensorId, t);
    if (track.status === 'tentative' && track.hits >= (ob.sourceRef === undefined ? this.options.confirmHits : 2)) track.status = 'confirmed';
  }

  /** Whether a sensor track number would join a track already fed by another track of that sensor. */
  private feedsOther(track: Track, ob: Observation, t: number): boolean {
    for (const [key, link] of track.sources) {
      if (key !== ob.sourceRef && isTrackOf(key, ob.sensorId) && t - link.lastSeen < 5) return true;
    }
    return false;
  }

  private start(ob: Observation, x: number, y: number, t: number): Track {
    const anchor = ob.sourceRef ?? ob.id;
    const { idSalt: salt, idPrefix: prefix } = this.options;
    let id = `${prefix}${fnv1a64(`${salt}|${anchor}`).slice(0, 12)}`;
    for (let n = 1; this.live.has(id); n++) id = `${prefix}${fnv1a64(`${salt}|${anchor}~${n}`).slice(0, 12)}`;
    const P = new Float64Array(16);
    P[0] = ob.positionCov.ee;
    P[1] = P[4] = ob.positionCov.en;
    P[5] = ob.positionCov.nn;
    const vv = ob.velocityCov ? ob.velocityCov.ee : this.options.initialVelocityVar;
    P[10] = P[15] = vv;
    const track: Track = {
      id,
      x: newState(x, y, ob.velocity?.ve ?? 0, ob.velocity?.vn ?? 0),
      P,
      time: t,
      status: 'tentative',
      hits: 1,
      misses: 0,
      lastUpdate: t,
      quality: 0.5,
      nis: 2,
      sources: new Map(),
      updatedInScan: -1,
    };
    this.link(track, anchor === ob.id ? ob.sensorId : anchor, t);
    this.live.set(id, track);
    return track;
  }

  private link(track: Track, key: string, t: number): void {
    const link = track.sources.get(key);
    if (link) link.lastSeen = t;
    else track.sources.set(key, { lastSeen: t, divergences: 0 });
    if (key.includes('.')) {
      const previous = this.bySource.get(key);
      if (previous !== undefined && previous !== track.id) this.live.get(previous)?.sources.delete(key);
      this.bySource.set(key, track.id);
    }
  }

  private unlink(track: Track, key: string): void {
    track.sources.delete(key);
    if (this.bySource.get(key) === track.id) this.bySource.delete(key);
  }

  private remove(track: Track): void {
    this.live.delete(track.id);
    for (const key of track.sources.keys()) if (this.bySource.get(key) === track.id) this.bySource.delete(key);
  }

  /**
   * Two confirmed tracks whose states agree within their uncertainty for several scans describe
   * one object (a late duplicate, or the same object fused on both sides of a partition): the
   * one with the smaller id survives, so every node merges the same way.
   */
  private mergeDuplicates(): string[] {
    const confirmed: Track[] = [];
    for (const t of this.live.values()) if (t.status === 'confirmed') confirmed.push(t);
    const grid = this.trackGrid;
    grid.clear(confirmed.length);
    // Back to front: each cell's chain then lists tracks in `confirmed` order.
    for (let k = confirmed.length - 1; k >= 0; k--) grid.addFront(cell(confirmed[k]!.x[0]!, confirmed[k]!.x[1]!), k);
    const seen = new Set<string>();
    const deleted: string[] = [];
    for (const a of confirmed) {
      if (!this.live.has(a.id)) continue;
      const cx = Math.floor(a.x[0]! / GRID_M);
      const cy = Math.floor(a.x[1]! / GRID_M);
      for (let gx = cx - 1; gx <= cx + 1; gx++) {
        for (let gy = cy - 1; gy <= cy + 1; gy++) {
          for (let k = grid.first(cellKey(gx, gy)); k >= 0; k = grid.next(k)) {
            const b = confirmed[k]!;
            // The cheap velocity test first: it rejects most neighbours (other headings).
            if (!similarVelocity(a, b) || b.id <= a.id || !this.live.has(b.id) || !this.samePosition(a, b)) continue;
            const key = `${a.id}|${b.id}`;
            seen.add(key);
            const n = (this.mergeCounts.get(key) ?? 0) + 1;
            this.mergeCounts.set(key, n);
            if (n < MERGE_SCANS) continue;
            for (const [source, link] of b.sources) if (!a.sources.has(source)) this.link(a, source, link.lastSeen);
            a.hits += b.hits;
            this.remove(b);
            deleted.push(b.id);
          }
        }
      }
    }
    for (const key of this.mergeCounts.keys()) if (!seen.has(key)) this.mergeCounts.delete(key);
    return deleted;
  }

  /** Position difference within 2 sigma of the combined covariance (with `similarVelocity`: one object). */
  private samePosition(a: Track, b: Track): boolean {
    const R = this.mergeCov;
    R.ee = b.P[0]!;
    R.en = b.P[1]!;
    R.nn = b.P[5]!;
    return mahalanobis2(innovationInto(this.gateScratch, a.x, a.P, b.x[0]!, b.x[1]!, R)) <= 4;
  }
}

/**
 * Items 0..n−1 bucketed by grid cell for neighbour searches, rebuilt on every scan without
 * garbage: a hash table in typed arrays (open addressing, linear probing) from cell key to the
 * cell's first item, and a chain through the rest. A Map and an array per cell, rebuilt each
 * scan, cost a fresh table and ≈ 1,000 arrays a scan, and a hashed lookup per cell visited.
 */
class CellIndex {
  /** Cell key per slot, valid where `heads` is not −1. */
  private keys = new Int32Array(0);
  /** First item of the slot's cell, −1 for an empty slot. */
  private heads = new Int32Array(0);
  /** 32 − log2(slots): a key's home slot is the top bits of its multiplicative hash. */
  private shift = 32;
  private nextOf = new Int32Array(0);

  /** Empties the index for items below n. */
  clear(n: number): void {
    // At most half full, so probes stay short.
    let slots = 16;
    while (slots < 2 * n) slots *= 2;
    if (slots > this.heads.length) {
      this.keys = new Int32Array(slots);
      this.heads = new Int32Array(slots);
      this.shift = 32 - Math.log2(slots);
    }
    this.heads.fill(-1);
    if (this.nextOf.length < n) this.nextOf = new Int32Array(n * 2);
  }

  /** Puts item i first in its cell's chain (so add items back to front to list them in order). */
  addFront(key: number, i: number): void {
    const s = this.slot(key);
    this.nextOf[i] = this.heads[s]!;
    this.keys[s] = key;
    this.heads[s] = i;
  }

  /** The first item in a cell, or −1. */
  first(key: number): number {
    return this.heads[this.slot(key)]!;
  }

  /** The item after i in its cell, or −1. */
  next(i: number): number {
    return this.nextOf[i]!;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private slot(key: number): number {
    const mask = this.heads.length - 1;
    let s = Math.imul(key, 0x9e3779b1) >>> this.shift;
    while (this.heads[s] !== -1 && this.keys[s] !== key) s = (s + 1) & mask;
    return s;
  }
}

/**
 * One small integer per cell: V8 keeps integers below 2^30 unboxed, and a Map keyed by boxed
 * numbers hashes and allocates a heap number on every lookup (≈ 9 lookups per track per scan).
 * Indices are clamped to ±16,383 cells (±65,000 km, beyond any local frame): a clamped point
 * only shares an edge cell with far-away ones, which gating then rejects.
 */
function cellKey(gx: number, gy: number): number {
  const clamp = (g: number): number => Math.max(-16_383, Math.min(16_383, g)) + 16_384;
  return clamp(gx) * 32_768 + clamp(gy);
}

/** Whether a source key is a track number of `sensorId` (`sensorId.…`), without building the prefix. */
function isTrackOf(key: string, sensorId: string): boolean {
  return key.length > sensorId.length && key.charCodeAt(sensorId.length) === 0x2e && key.startsWith(sensorId);
}

/** Velocities within 15 m/s (with `samePosition`: one object). */
function similarVelocity(a: Track, b: Track): boolean {
  const dvx = a.x[2]! - b.x[2]!;
  const dvy = a.x[3]! - b.x[3]!;
  return dvx * dvx + dvy * dvy < 15 * 15;
}

function cell(x: number, y: number): number {
  return cellKey(Math.floor(x / GRID_M), Math.floor(y / GRID_M));
}
