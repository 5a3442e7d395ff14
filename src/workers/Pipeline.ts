/**
 * The pipeline of one node: sensors → fusion → classification, written to the entity store.
 *
 * It runs wherever it is given a store (the worker's replica in production, a plain replica in
 * tests and the bench) and computes only while this node holds the mesh's `pipeline` lease.
 * Each `tick` reads the run from the document, takes or renews the lease, steps the run to the
 * current HLC time, fuses the scans, and writes everything in one store transaction (one HLC
 * stamp, one Yjs update).
 *
 * What it writes:
 * - the scenario's friendly assets: `scn.<id>`, type `asset`, position + affiliation friend (the
 *   prefix marks them as the run's, so unloading it never touches an operator's own assets);
 * - each EO sensor track: `eo.<run tag>.<its track number>` (`eo.1f0c9a2e.eo-1.T…`), position +
 *   velocity + source eo;
 * - each confirmed fused track: `fus.<run tag>.<hash of the run and its first source>`, position,
 *   velocity, fusion, classification, threat (held against flapping: `threatHysteresis.ts`) and
 *   source fused.
 * The run's tag in the ids tells every node which run a track belongs to, whatever is left of
 * it; tracks of a run that is no longer the mesh's are removed (`GhostSweeper`, `runIds.ts`).
 * Radar plots are not written: they are many, short-lived, and fully described by the fused
 * tracks they feed (their sensor is listed in `fusion.sourceIds`).
 *
 * Tasking follows on the same node, after fusion: approval requests for high threats, intercept
 * tasks once approved, and the simulated interceptors (`tasking/`).
 */
import { ApprovalDesk, ClockFencedError, TaskBoard, type Components, type EntityStore, type EntityView } from '../crdt/index.js';
import { TaskingPolicy } from './tasking/TaskingPolicy.js';
import { InterceptExecutor } from './tasking/InterceptExecutor.js';
import { classificationFor } from './classify.js';
import { headingOf, LocalFrame } from './geo.js';
import { gospa, GospaAverage } from './gospa.js';
import { errorEllipse } from './kalman.js';
import { GhostSweeper } from './GhostSweeper.js';
import { Lease } from './Lease.js';
import { RunReader, type RunConfig } from './RunConfig.js';
import { eoTrackId, FUSED_PREFIX, fusedIdPrefix, isRunTrack, runSensorType, runTag, runTagOf } from './runIds.js';
import { ScenarioRun } from './ScenarioRun.js';
import { SetAside, type SetAsideEntity } from './SetAside.js';
import { DEFAULT_THREAT_HYSTERESIS, holdThreat, type HeldThreat, type ThreatHysteresis } from './threatHysteresis.js';
import { changedOnly, type SlowParts } from './slowParts.js';
import { Tracker } from './Tracker.js';
import type { AssociationMode, Track } from './track.js';

export const PIPELINE_ROLES = ['idle', 'computing', 'standby', 'finished', 'fenced'] as const;
/**
 * - `idle`: no run loaded in the document (or the one there is invalid or set aside: see `problem`);
 * - `computing`: this node holds the lease and runs the pipeline;
 * - `standby`: another node holds the lease; this one is ready to take over;
 * - `finished`: the run reached its duration;
 * - `fenced`: this node's clock disagrees with the mesh, so it computes nothing (see `problem`).
 */
export type PipelineRole = (typeof PIPELINE_ROLES)[number];

export interface PipelineScore {
  /** Mean GOSPA (c = 1 km, p = 2, α = 2), sampled every 5 s since this node started computing the run, m. */
  readonly gospa: number;
  readonly localisationM: number;
  readonly missed: number;
  readonly false: number;
  readonly steps: number;
}

/** Where the last step's time went, for diagnostics and the bench. */
export interface StepTiming {
  /** Sensors, fusion, classification and scoring, ms. */
  readonly fuseMs: number;
  /** The store transaction that publishes the result, ms. */
  readonly writeMs: number;
  /** Observations the step fused. */
  readonly plots: number;
}

export interface PipelineStatus {
  readonly role: PipelineRole;
  readonly runId: string | undefined;
  readonly scenario: string | undefined;
  /** Run time reached, s. */
  readonly runTimeS: number;
  readonly confirmedTracks: number;
  readonly leaseHolder: string | undefined;
  /** HLC wall time (ms) at which the lease lapses unless renewed. */
  readonly leaseExpires: number | undefined;
  /** Live score against the ground truth, while computing. */
  readonly score: PipelineScore | undefined;
  /** Something a person should know, e.g. an invalid run in the document. */
  readonly problem: string | undefined;
  /** Entities a step could not process: skipped since, while the rest goes on (the first few). */
  readonly setAside: readonly SetAsideEntity[];
  /** The last step that did work, while computing. */
  readonly timing: StepTiming | undefined;
}

export interface PipelineOptions {
  /** Who computes: the lease holder id, also the prefix of nothing else. */
  readonly holder: string;
  readonly leaseTtlMs?: number;
  /** Deadline of the approval requests tasking opens, ms (default 30 s). */
  readonly approvalTimeoutMs?: number;
  /** After a long gap (takeover, a sleeping tab) only this much run time is replayed, s. */
  readonly maxCatchUpS?: number;
  readonly association?: AssociationMode;
  /** Where set-aside entities are reported. Default `console.warn`. */
  readonly log?: (message: string) => void;
  /** Runs not to compute (they crashed the worker twice, see `PipelineHost`): read as idle. */
  readonly setAsideRuns?: readonly string[];
  /** How threat levels resist flapping (default `DEFAULT_THREAT_HYSTERESIS`; the bench's baseline passes `NO_THREAT_HYSTERESIS`). */
  readonly threatHysteresis?: ThreatHysteresis;
  /** How long a track must stay below high before its pending request is withdrawn, ms (default the hysteresis dwell). */
  readonly withdrawAfterMs?: number;
  /** How long a track must stay high before a request is opened for it, ms (default the hysteresis dwell). */
  readonly requestAfterMs?: number;
  /** How long a track of a run this node never saw must go unwritten before it is removed as a ghost, ms (`GhostSweeper`). */
  readonly ghostQuietMs?: number;
}

export const PIPELINE_LEASE = 'pipeline';
const FUSION_SENSOR = 'fusion';
/** Id prefix of the assets a scenario brings. */
const ASSET_PREFIX = 'scn.';
/** The live score is a GOSPA sample every this many seconds of run time: cheap at 1,000 tracks. */
const SCORE_EVERY_S = 5;
/** EO sensor-track entities not refreshed for this long are removed, s. */
const EO_STALE_S = 5;

interface RunState {
  readonly config: RunConfig;
  /** The run's tag in the ids of what it writes (`runIds.ts`). */
  readonly tag: string;
  /** Ids of the scenario's assets. */
  readonly assetIds: ReadonlySet<string>;
  readonly run: ScenarioRun;
  readonly tracker: Tracker;
  readonly frame: LocalFrame;
  readonly assets: readonly { x: number; y: number }[];
  /** EO sensor track id → last run time seen. */
  readonly eoSeen: Map<string, number>;
  /** Fused ids this state has written, with the slow-changing components last written (undefined: adopted, not yet written). */
  readonly written: Map<string, SlowParts | undefined>;
  /**
   * Fused ids whose entity lost components this state wrote (deleted on one side of a partition
   * and updated on the other: only what was written after the delete survives the merge), so
   * their next write carries every component, the source too.
   */
  readonly rewrite: Set<string>;
  /** Each fused track's held threat level (seeded from the document on adoption), see `threatHysteresis.ts`. */
  readonly threats: Map<string, HeldThreat>;
  readonly score: GospaAverage;
  lastScored: number;
  timing: StepTiming | undefined;
}

export class Pipeline {
  readonly store: EntityStore;
  readonly lease: Lease;
  /** Entities whose processing threw: skipped, reported, and the rest goes on. */
  readonly setAside: SetAside;
  /** False on a node whose role writes nothing (a viewer, a guest): it never takes the lease. */
  mayCompute = true;
  private readonly reader = new RunReader();
  private readonly scratch = { x: new Float64Array(4), P: new Float64Array(16) };
  /** Ids of the simulated sensors of every run seen, so their tracks can be cleared later. */
  private readonly simulatedSensors = new Set<string>();
  private readonly maxCatchUpS: number;
  private readonly association: AssociationMode;
  private readonly setAsideRuns: ReadonlySet<string>;
  private readonly hysteresis: ThreatHysteresis;
  private state: RunState | undefined;
  private last: PipelineStatus;
  /** Fused entities written by other nodes since the last tick (a partition healing). */
  private readonly remoteFused = new Set<string>();
  /** Scenario assets written or deleted by other nodes since the last tick (another run's, perhaps). */
  private readonly remoteAssets = new Set<string>();
  /** Removes the tracks of runs that are no longer the mesh's. */
  readonly ghosts: GhostSweeper;
  private readonly unwatch: () => void;
  private readonly tasking: TaskingPolicy;
  private readonly intercepts: InterceptExecutor;
  /** HLC wall time of the last tasking step, for the interceptors' time step. */
  private lastTaskingWall: number | undefined;

  constructor(store: EntityStore, options: PipelineOptions) {
    this.store = store;
    this.setAside = new SetAside(options.log);
    // Tasking acts for the mesh, not for a person: it never decides or cancels.
    const system = () => ({ role: 'operator' as const, name: 'pipeline' });
    const board = new TaskBoard(store, system);
    const setAside = this.setAside;
    this.hysteresis = options.threatHysteresis ?? DEFAULT_THREAT_HYSTERESIS;
    const withdrawAfterMs = options.withdrawAfterMs ?? this.hysteresis.dwellS * 1000;
    const requestAfterMs = options.requestAfterMs ?? this.hysteresis.dwellS * 1000;
    const approvalTimeout = options.approvalTimeoutMs === undefined ? {} : { approvalTimeoutMs: options.approvalTimeoutMs };
    // Another run's tracks are ghosts on their way out: no requests about them.
    const ignore = (id: string): boolean => {
      const tag = runTagOf(id);
      return tag !== undefined && tag !== this.state?.tag;
    };
    this.tasking = new TaskingPolicy(store, new ApprovalDesk(store, system), board, { ...approvalTimeout, setAside, withdrawAfterMs, requestAfterMs, ignore });
    this.intercepts = new InterceptExecutor(store, board, { setAside });
    this.ghosts = new GhostSweeper(store, options.ghostQuietMs === undefined ? {} : { quietMs: options.ghostQuietMs });
    this.unwatch = store.watch((events) => {
      for (const e of events) {
        if (e.origin !== 'remote') continue;
        // Deleted too: the other side of a partition may have removed this run's assets when it
        // began a run of its own there.
        if (e.id.startsWith(ASSET_PREFIX)) this.remoteAssets.add(e.id);
        if (e.kind === 'deleted') continue;
        if (e.id.startsWith(FUSED_PREFIX)) this.remoteFused.add(e.id);
        this.ghosts.noteChanged(e.id);
      }
    });
    this.lease = new Lease(store.doc, PIPELINE_LEASE, options.holder, options.leaseTtlMs ?? 6_000, store.clock.maxOffsetMs);
    this.maxCatchUpS = options.maxCatchUpS ?? 30;
    this.association = options.association ?? 'global';
    this.setAsideRuns = new Set(options.setAsideRuns ?? []);
    this.last = this.describe('idle', undefined, undefined);
  }

  status(): PipelineStatus {
    return this.last;
  }

  /** One step: cheap when there is nothing to do; call it a few times a second. */
  tick(): PipelineStatus {
    const { config, problem } = this.reader.read(this.store.doc);
    for (const sensor of config?.scenario.sensors ?? []) this.simulatedSensors.add(sensor.id);
    // An entry that cannot be read is not a new run: the current one's tracks are not ghosts.
    if (config || problem === undefined) this.ghosts.setCurrent(config ? runTag(config.runId) : undefined);
    const fence = this.store.clockFence;
    if (fence !== undefined) {
      // A fenced store refuses every write; holding the lease would only stop the others.
      this.standDown();
      return (this.last = this.describe('fenced', config, `The pipeline computes nothing here: ${new ClockFencedError(fence, this.store.clock.maxOffsetMs).message}`));
    }
    if (!this.mayCompute) {
      this.standDown();
      return (this.last = this.describe('fenced', config, 'The pipeline computes nothing here: this node is a viewer or not a member of this room, and computing writes tracks and requests.'));
    }
    if (!config && problem !== undefined) {
      // A run entry that cannot be read (a peer's, or a newer version's) ends nothing: the
      // picture stays as it is until a valid run or an unload replaces it, so a peer cannot
      // erase it by writing junk.
      this.standDown();
      return (this.last = this.describe('idle', undefined, problem));
    }
    if (!config) {
      // The node that computed the run (even from a freshly restarted worker) clears what it
      // derived, once: releasing the lease below makes this false from then on.
      if (this.lease.heldAt(this.store.clock.now())) this.clearDerived();
      this.state = undefined;
      this.lease.release();
      // Nobody computes: a run's tracks that arrive now (from a side of a partition that ran it
      // until the heal) are every node's to remove.
      this.sweepGhosts();
      return (this.last = this.describe('idle', undefined, problem));
    }
    if (this.setAsideRuns.has(config.runId)) {
      // This run crashed the worker twice: another node may compute it; this one waits for
      // a different run instead of crashing again.
      this.standDown();
      return (this.last = this.describe('idle', config, `This node set run ${config.runId} (${config.scenario.name}) aside: it crashed the pipeline worker twice. Load another scenario.`));
    }
    const now = this.store.clock.now();
    const runTime = (now.wall - config.startedAt) / 1000;
    if (runTime >= config.scenario.durationS + 1 || (this.state?.config.runId === config.runId && this.state.run.finished)) {
      // The run is over and its picture stays as it was left; nobody needs to hold the lease
      // (a node taking over now would find the tracks stale and delete them). Other runs'
      // tracks are removed by every node, as nobody computes.
      this.sweepGhosts();
      return (this.last = this.describe('finished', config, undefined));
    }
    if (!this.lease.hold(now)) {
      // Another node computes: drop our state, so a later takeover starts from the document.
      this.state = undefined;
      this.remoteFused.clear();
      this.remoteAssets.clear();
      this.ghosts.standBy();
      return (this.last = this.describe('standby', config, undefined));
    }
    if (this.state?.config.runId !== config.runId) this.state = this.begin(config, runTime);
    this.step(this.state, Math.max(0, runTime));
    this.keepScenarioAssets(this.state);
    this.sweepGhosts();
    this.stepTasking(now.wall);
    return (this.last = this.describe(this.state.run.finished ? 'finished' : 'computing', config, undefined));
  }

  /** Tasking follows threat; interceptors fly for the time since the last step (at most 5 s). */
  private stepTasking(wall: number): void {
    const dt = this.lastTaskingWall === undefined ? 0 : Math.min(5, Math.max(0, (wall - this.lastTaskingWall) / 1000));
    this.lastTaskingWall = wall;
    this.tasking.step();
    if (dt > 0) this.intercepts.step(dt);
  }

  /** Drops the run state and the lease without clearing anything: the run goes on elsewhere. */
  private standDown(): void {
    this.state = undefined;
    this.remoteFused.clear();
    this.remoteAssets.clear();
    this.ghosts.standBy();
    this.lease.release();
  }

  /** Removes the tracks of other runs that are due (`GhostSweeper`). */
  private sweepGhosts(): void {
    this.store.transact(() => {
      this.ghosts.sweep(this.store.wallNow(), (id) => this.setAside.attempt('fusion', id, () => this.store.delete(id)));
    });
  }

  /**
   * Scenario assets other nodes wrote or deleted, after a partition: one the current scenario
   * does not have is the previous run's and is removed; one of the current scenario that another
   * side removed (beginning a run of its own there, which lost the merge) is put back.
   */
  private keepScenarioAssets(state: RunState): void {
    if (this.remoteAssets.size === 0) return;
    const ids = [...this.remoteAssets];
    this.remoteAssets.clear();
    this.store.transact(() => {
      for (const id of ids) {
        if (!state.assetIds.has(id)) {
          if (this.store.typeOf(id) === 'asset') this.setAside.attempt('fusion', id, () => this.store.delete(id));
          continue;
        }
        const asset = state.config.scenario.assets.find((a) => `${ASSET_PREFIX}${a.id}` === id);
        if (asset && !this.store.has(id)) this.setAside.attempt('fusion', id, () => this.store.create(id, 'asset', { position: asset.position, affiliation: { value: 'friend' } }));
      }
    });
  }

  destroy(): void {
    this.unwatch();
    this.tasking.destroy();
    this.state = undefined;
  }

  private begin(config: RunConfig, runTime: number): RunState {
    const frame = new LocalFrame(config.scenario.origin);
    const run = new ScenarioRun(config.scenario, config.seed);
    const tag = runTag(config.runId);
    const tracker = new Tracker(frame, { association: this.association, idSalt: config.runId, idPrefix: fusedIdPrefix(tag) });
    const state: RunState = {
      config,
      tag,
      assetIds: new Set(config.scenario.assets.map((a) => `${ASSET_PREFIX}${a.id}`)),
      run,
      tracker,
      frame,
      assets: config.scenario.assets.map((a) => frame.toLocal(a.position)),
      eoSeen: new Map(),
      written: new Map(),
      rewrite: new Set(),
      threats: new Map(),
      score: new GospaAverage(),
      lastScored: -Infinity,
      timing: undefined,
    };
    // Continue the fused tracks already in the document (ours from before a restart, or the
    // previous holder's): nothing computed so far is lost, and ids stay stable. Stale ones
    // (their writer vanished long ago) and leftovers of an earlier run are removed.
    this.remoteFused.clear();
    this.remoteAssets.clear();
    this.setAside.clear();
    let latest = -Infinity;
    // Each entity on its own: one that cannot be handled is set aside, not the whole run.
    const each = (id: string, fn: () => void): boolean => this.setAside.attempt('fusion', id, fn);
    this.store.transact(() => {
      for (const view of this.store.list('track')) {
        const written = ((view.stamps.position?.wall ?? 0) - config.startedAt) / 1000;
        const type = runSensorType(view, tag);
        const runOf = runTagOf(view.id);
        // Another run's tracks are the ghost sweep's (which waits for a run it never saw).
        if (runOf !== undefined && runOf !== tag) continue;
        if ((type !== 'fused' && type !== 'eo') || !this.isDerived(view)) continue;
        each(view.id, () => {
          if (written <= 0) this.store.delete(view.id); // written no later than this run started: an earlier run's
          else if (type === 'eo') state.eoSeen.set(view.id, written);
          else if (runTime - written > tracker.options.maxCoastS) this.store.delete(view.id);
          else if (this.adoptFused(state, view, runTime)) latest = Math.max(latest, written);
        });
      }
      for (const view of this.store.list('asset')) if (view.id.startsWith(ASSET_PREFIX) && !state.assetIds.has(view.id)) each(view.id, () => this.store.delete(view.id));
      for (const a of config.scenario.assets) {
        const id = `${ASSET_PREFIX}${a.id}`;
        if (!this.store.has(id)) each(id, () => this.store.create(id, 'asset', { position: a.position, affiliation: { value: 'friend' } }));
      }
    });
    // Replaying from 0 keeps the truth exact. Observations are fused from where the adopted
    // tracks stand (older scans would pull them backwards), or over the last stretch if none.
    const from = latest > -Infinity ? Math.min(Math.max(latest, 0), runTime) : Math.max(0, runTime - this.maxCatchUpS);
    run.advanceTo(from, false);
    return state;
  }

  /** Takes a fused entity from the document into the tracker; returns whether it did. */
  private adoptFused(state: RunState, view: EntityView, runTime: number): boolean {
    const c = view.components;
    if (runSensorType(view, state.tag) !== 'fused' || !c.position || !c.velocity || state.tracker.get(view.id)) return false;
    const stampTime = (view.stamps.position?.wall ?? 0) - state.config.startedAt;
    const age = runTime - stampTime / 1000;
    if (age > state.tracker.options.maxCoastS) return false;
    const { x, y } = state.frame.toLocal(c.position);
    const h = (c.velocity.heading * Math.PI) / 180;
    const major = c.fusion?.errorMajorM ?? 200;
    state.tracker.adopt({
      id: view.id,
      time: Math.max(0, stampTime / 1000),
      x,
      y,
      vx: c.velocity.speed * Math.sin(h),
      vy: c.velocity.speed * Math.cos(h),
      positionVar: major * major,
      velocityVar: 20 * 20,
      sources: (c.fusion?.sourceIds ?? []).filter((s) => s.includes('.')),
    });
    state.written.set(view.id, undefined);
    if (!c.source) state.rewrite.add(view.id);
    // The level the document holds is where hysteresis starts: a takeover does not re-decide it.
    if (c.threat) state.threats.set(view.id, { level: c.threat.level, awaySince: undefined });
    return true;
  }

  private step(state: RunState, runTime: number): void {
    const target = Math.min(runTime, state.config.scenario.durationS);
    if (target <= state.run.now) return;
    // After a long gap (a sleeping tab, a worker that was busy) only the last stretch is fused,
    // as on a takeover: fusing hours of scans in one step would block the worker for good.
    if (target - state.run.now > this.maxCatchUpS) state.run.advanceTo(target - this.maxCatchUpS, false);
    const started = performance.now();
    const deleted = new Set<string>();
    const eoLatest = new Map<string, { components: Components; time: number }>();
    const scans = state.run.advanceTo(target);
    // Between scans nothing new is known: publishing extrapolations at the tick rate would
    // multiply the writes (and every peer's work) for nothing a reader cannot compute itself.
    if (scans.length === 0) return;
    let plots = 0;
    for (const scan of scans) {
      plots += scan.observations.length;
      const result = state.tracker.processScan(scan);
      for (const id of result.deleted) deleted.add(id);
      if (scan.sensor.kind !== 'eo') continue;
      for (const ob of scan.observations) {
        if (!ob.sourceRef || !ob.velocity) continue;
        eoLatest.set(eoTrackId(state.tag, ob.sourceRef), {
          time: ob.time,
          components: {
            position: ob.position,
            velocity: { speed: Math.hypot(ob.velocity.ve, ob.velocity.vn), heading: headingOf(ob.velocity.ve, ob.velocity.vn) },
            source: { sensorId: ob.sensorId, sensorType: 'eo' },
          },
        });
      }
    }
    const t = state.run.now;
    const outputs: { track: Track; components: Components }[] = [];
    for (const track of state.tracker.confirmedTracks()) outputs.push({ track, components: this.fusedComponents(state, track, t) });
    if (Math.floor(t / SCORE_EVERY_S) > Math.floor(state.lastScored / SCORE_EVERY_S)) {
      state.lastScored = t;
      // The last scan's truth when it was taken at t (the same states, already built).
      const last = scans[scans.length - 1]!;
      const truthNow = last.time === t ? last.truth : state.run.truth.states(t);
      const truth: NonNullable<Components['position']>[] = [];
      for (const s of truthNow) {
        for (const sensor of state.run.sensors) {
          if (!sensor.covers(s.position)) continue;
          truth.push(s.position);
          break;
        }
      }
      const estimates: NonNullable<Components['position']>[] = [];
      for (const o of outputs) estimates.push(o.components.position!);
      state.score.add(gospa(truth, estimates));
    }

    const fused = performance.now();
    // Each entity on its own (a peer may have made one unwritable, e.g. by a tombstone stamped
    // ahead): the one that throws is set aside, the rest of the picture is still published.
    const each = (id: string, fn: () => void): boolean => this.setAside.attempt('fusion', id, fn);
    this.store.transact(() => {
      for (const [id, { components, time }] of eoLatest) {
        state.eoSeen.set(id, time);
        // The source never changes: written once, with the create.
        each(id, () => {
          if (!this.store.has(id)) this.store.create(id, 'track', components);
          else if (this.store.component(id, 'source') === undefined) this.store.update(id, components); // lost in a merge
          else this.store.update(id, { position: components.position, velocity: components.velocity });
        });
      }
      for (const [id, seen] of state.eoSeen) {
        if (t - seen <= EO_STALE_S) continue;
        state.eoSeen.delete(id);
        if (this.store.has(id)) each(id, () => this.store.delete(id));
      }
      for (const { track, components } of outputs) {
        each(track.id, () => {
          if (!this.store.has(track.id)) {
            this.store.create(track.id, 'track', components);
            state.written.set(track.id, { fusion: components.fusion!, classification: components.classification!, threat: components.threat! });
            return;
          }
          if (state.rewrite.delete(track.id)) {
            this.store.update(track.id, components);
            state.written.set(track.id, { fusion: components.fusion!, classification: components.classification!, threat: components.threat! });
            return;
          }
          // Only what changed (slowParts.ts): the slow components move little from tick to tick.
          const { write, written } = changedOnly(state.written.get(track.id), components);
          this.store.update(track.id, write);
          state.written.set(track.id, written);
        });
      }
      for (const id of deleted) {
        state.written.delete(id);
        state.threats.delete(id);
        if (this.store.has(id) && this.store.get(id)!.components.source?.sensorType === 'fused') each(id, () => this.store.delete(id));
      }
      this.reconcile(state, t);
    });
    state.timing = { fuseMs: fused - started, writeMs: performance.now() - fused, plots };
  }

  /**
   * Fused entities in the document that this tracker does not know: written by another node
   * while the mesh was partitioned. Recent ones are adopted (and merged by the tracker if they
   * duplicate one of ours); stale ones are deleted, so the picture holds one track per object.
   */
  private reconcile(state: RunState, t: number): void {
    const ids = [...this.remoteFused];
    this.remoteFused.clear();
    for (const id of ids) {
      const view = this.store.get(id);
      if (!view || runSensorType(view, state.tag) !== 'fused') continue;
      // Another run's track is a ghost, not a duplicate to merge (`GhostSweeper`).
      const runOf = runTagOf(id);
      if (runOf !== undefined && runOf !== state.tag) continue;
      if (state.tracker.get(view.id)) {
        // One of ours that came back from a merge without some of what we wrote: write it whole.
        const c = view.components;
        if (!c.source || !c.fusion || !c.classification || !c.threat) state.rewrite.add(view.id);
        continue;
      }
      const stampTime = ((view.stamps.position?.wall ?? 0) - state.config.startedAt) / 1000;
      this.setAside.attempt('fusion', id, () => {
        if (t - stampTime > state.tracker.options.maxCoastS) {
          this.store.delete(view.id);
          state.written.delete(view.id);
          state.threats.delete(view.id);
        } else {
          this.adoptFused(state, view, t);
        }
      });
    }
  }

  private fusedComponents(state: RunState, track: Track, t: number): Components {
    const { x, P } = state.tracker.stateAt(track, t, this.scratch);
    const speed = Math.hypot(x[2]!, x[3]!);
    // Variance of the speed along the velocity direction.
    const ux = speed > 0 ? x[2]! / speed : 0;
    const uy = speed > 0 ? x[3]! / speed : 0;
    const speedVar = ux * ux * P[10]! + 2 * ux * uy * P[11]! + uy * uy * P[15]!;
    const ellipse = errorEllipse(P);
    const kinematics = { x: x[0]!, y: x[1]!, vx: x[2]!, vy: x[3]!, speedVar };
    const held = holdThreat(state.threats.get(track.id), kinematics, state.assets, t, this.hysteresis);
    state.threats.set(track.id, held);
    const classification = classificationFor(held.level, kinematics);
    const threat = { level: held.level };
    // Sorted by insertion: this runs for every confirmed track on every tick, and the chained
    // copies and Array.prototype.sort (which allocates its work space even for two ids) were
    // a tenth of the tick's allocations at 1,000 tracks. A track has a handful of sources.
    const sources: string[] = [];
    for (const [id, link] of track.sources) {
      if (t - link.lastSeen > state.tracker.options.maxCoastS) continue;
      let i = sources.length;
      sources.push(id);
      for (; i > 0 && sources[i - 1]! > id; i--) sources[i] = sources[i - 1]!;
      sources[i] = id;
    }
    if (sources.length > 32) sources.length = 32;
    return {
      position: state.frame.toGeo(x[0]!, x[1]!),
      velocity: { speed: Math.min(speed, 3_000), heading: headingOf(x[2]!, x[3]!) },
      fusion: {
        sourceIds: sources.length > 0 ? sources : [FUSION_SENSOR],
        confidence: Math.round(track.quality * 1000) / 1000,
        errorMajorM: Math.min(ellipse.major, 1_000_000),
        errorMinorM: Math.min(ellipse.minor, 1_000_000),
        errorOrientationDeg: ellipse.orientationDeg,
      },
      classification,
      threat,
      source: { sensorId: FUSION_SENSOR, sensorType: 'fused' },
    };
  }

  /** Removes what this pipeline derived when its run is unloaded. */
  private clearDerived(): void {
    this.store.transact(() => {
      for (const view of this.store.list()) if (this.isDerived(view)) this.setAside.attempt('fusion', view.id, () => this.store.delete(view.id));
    });
  }

  /**
   * Whether an entity is one a run writes: tracks whose id names a run, fused tracks, the
   * scenario's assets, and tracks of the simulated EO sensors of the runs this pipeline has seen
   * (not a real EO feed's).
   */
  private isDerived(view: EntityView): boolean {
    if (isRunTrack(view)) return true;
    const source = view.components.source;
    if (source?.sensorType === 'fused' && source.sensorId === FUSION_SENSOR) return true;
    if (source?.sensorType === 'eo') return this.simulatedSensors.has(source.sensorId);
    return view.id.startsWith(ASSET_PREFIX);
  }

  private describe(role: PipelineRole, config: RunConfig | undefined, problem: string | undefined): PipelineStatus {
    const lease = this.lease.valid(this.store.now());
    const state = this.state?.config.runId === config?.runId ? this.state : undefined;
    const mean = state && state.score.steps > 0 ? state.score.mean() : undefined;
    return {
      role,
      runId: config?.runId,
      scenario: config?.scenario.name,
      runTimeS: state?.run.now ?? 0,
      confirmedTracks: state ? state.tracker.tracks().filter((t) => t.status === 'confirmed').length : 0,
      leaseHolder: lease?.holder,
      leaseExpires: lease?.expires.wall,
      score: mean ? { ...mean, steps: state!.score.steps } : undefined,
      problem,
      setAside: this.setAside.list(),
      timing: state?.timing,
    };
  }
}
