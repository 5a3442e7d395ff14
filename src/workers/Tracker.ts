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
import { assignGlobal, assignNearest, PairList } from './association.js';
import { LocalFrame } from './geo.js';
import { diagCov, innovationInto, mahalanobis2, newInnovationScratch, newState, predict, update, type Innovation, type Mat4, type Vec4 } from './kalman.js';
import type { Observation } from './sensors.js';
import { CellIndex, cell, cellKey, GRID_M } from './CellIndex.js';
import { DuplicateMerger } from './DuplicateMerger.js';
import { DEFAULT_TRACKER_OPTIONS, type ScanInput, type ScanResult, type Track, type TrackerOptions, type TrackSeed } from './track.js';


export class Tracker {
  readonly options: TrackerOptions;
  private readonly live = new Map<string, Track>();
  /** Which track each sensor track number feeds. */
  private readonly bySource = new Map<string, string>();
  private readonly merger = new DuplicateMerger();
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
  /** Position innovations under test (gating, keeping a sensor track) or being applied. */
  private readonly gateScratch = newInnovationScratch();
  /** Velocity innovation of an update. */
  private readonly velocityScratch = newInnovationScratch();

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

  /**
   * Fuses one scan: predicts every track to its time, then the four steps below, and (once per
   * second of run time) merges duplicates. Returns the tracks started and deleted.
   */
  processScan(scan: ScanInput): ScanResult {
    const t = scan.time;
    for (const track of this.live.values()) {
      if (t > track.time) {
        predict(track.x, track.P, t - track.time, this.noiseOf(track));
        track.time = t;
      }
    }
    const obs = scan.observations;
    this.toLocal(obs);
    const used = this.usedScratch(obs.length);
    const scanNo = ++this.scanSerial;
    this.keepSensorTracks(obs, used, scanNo, t);
    this.associate(obs, used, scanNo, t);
    const deleted = this.missesAndLosses(scan, scanNo, t);
    const created = this.startTracks(obs, used, t);
    // Merging compares every confirmed track with its neighbours: once per second of run time
    // is enough to see "the same object for three scans" and keeps 1,000-track scans cheap.
    if (Math.floor(t) > this.lastMerge) {
      this.lastMerge = Math.floor(t);
      for (const id of this.mergeDuplicates()) deleted.push(id);
    }
    return { created, deleted };
  }

  /**
   * Step 1: sensor tracks stay with the fused track they feed while they agree with it. What
   * this leaves unused (`used[i]` still 0) is the pool that step 2 gates.
   */
  private keepSensorTracks(obs: readonly Observation[], used: Uint8Array, scanNo: number, t: number): void {
    const lx = this.localX;
    const ly = this.localY;
    for (let i = 0; i < obs.length; i++) {
      const ob = obs[i]!;
      const trackId = ob.sourceRef === undefined ? undefined : this.bySource.get(ob.sourceRef);
      const track = trackId === undefined ? undefined : this.live.get(trackId);
      if (!track || track.updatedInScan === scanNo) continue;
      const v = innovationInto(this.gateScratch, track.x, track.P, lx[i]!, ly[i]!, ob.positionCov);
      const link = track.sources.get(ob.sourceRef!)!;
      if (mahalanobis2(v) <= this.options.gate) {
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
  }

  /** Step 2: gates the rest of the tracks and observations through a grid, then assigns. */
  private associate(obs: readonly Observation[], used: Uint8Array, scanNo: number, t: number): void {
    const lx = this.localX;
    const ly = this.localY;
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
    const assigned = this.options.association === 'global' ? assignGlobal(candidates.length, obs.length, pairs, missCost) : assignNearest(candidates.length, pairs);
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
  }

  /**
   * Step 3: misses, deletion and confirmation; returns the ids deleted. (Deleting the entry
   * being visited is safe in a Map iteration, and visits the rest in the same order.)
   */
  private missesAndLosses(scan: ScanInput, scanNo: number, t: number): string[] {
    const o = this.options;
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
    return deleted;
  }

  /** Step 4: new tentative tracks from what nobody took; returns their ids. */
  private startTracks(obs: readonly Observation[], used: Uint8Array, t: number): string[] {
    const created: string[] = [];
    for (let i = 0; i < obs.length; i++) {
      if (used[i]) continue;
      created.push(this.start(obs[i]!, this.localX[i]!, this.localY[i]!, t).id);
    }
    return created;
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

  /** Merges the duplicates `DuplicateMerger` finds into the track that survives; returns their ids. */
  private mergeDuplicates(): string[] {
    return this.merger.run(this.live, (a, b) => {
      for (const [source, link] of b.sources) if (!a.sources.has(source)) this.link(a, source, link.lastSeen);
      a.hits += b.hits;
      this.remove(b);
    });
  }
}

/** Whether a source key is a track number of `sensorId` (`sensorId.…`), without building the prefix. */
function isTrackOf(key: string, sensorId: string): boolean {
  return key.length > sensorId.length && key.charCodeAt(sensorId.length) === 0x2e && key.startsWith(sensorId);
}
