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
 *
 * This class is the run control (the lease, the run's life, the step); writing the document is
 * `RunWriter`'s, what a fused track is written as is `fusedTrack.ts`'s, and the live score is
 * `scoreLive`'s (`score.ts`).
 */
import { ApprovalDesk, ClockFencedError, TaskBoard, type Components, type EntityStore } from '../crdt/index.js';
import { TaskingPolicy } from './tasking/TaskingPolicy.js';
import { InterceptExecutor } from './tasking/InterceptExecutor.js';
import { fusedComponents } from './fusedTrack.js';
import { headingOf } from './geo.js';
import { GhostSweeper } from './GhostSweeper.js';
import { Lease } from './Lease.js';
import { RunReader, type RunConfig } from './RunConfig.js';
import { eoTrackId, runTag, runTagOf } from './runIds.js';
import { newRunState, type RunState, type StepTiming } from './runState.js';
import { RunWriter } from './RunWriter.js';
import { scoreLive } from './score.js';
import { SetAside, type SetAsideEntity } from './SetAside.js';
import { DEFAULT_THREAT_HYSTERESIS, type ThreatHysteresis } from './threatHysteresis.js';
import type { AssociationMode, Track } from './track.js';

export type { StepTiming } from './runState.js';

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
export class Pipeline {
  readonly store: EntityStore;
  readonly lease: Lease;
  /** Entities whose processing threw: skipped, reported, and the rest goes on. */
  readonly setAside: SetAside;
  /** False on a node whose role writes nothing (a viewer, a guest): it never takes the lease. */
  mayCompute = true;
  /** Lease holders whose leases count as vacant here (signed under a key the room's owner revoked). */
  vacantHolders: ReadonlySet<string> = new Set();
  private readonly reader = new RunReader();
  private readonly scratch = { x: new Float64Array(4), P: new Float64Array(16) };
  private readonly writer: RunWriter;
  private readonly maxCatchUpS: number;
  private readonly association: AssociationMode;
  private readonly setAsideRuns: ReadonlySet<string>;
  private readonly hysteresis: ThreatHysteresis;
  private state: RunState | undefined;
  private last: PipelineStatus;
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
    this.writer = new RunWriter(store, setAside);
    this.unwatch = store.watch((events) => {
      for (const e of events) {
        if (e.origin !== 'remote') continue;
        this.writer.noteRemote(e);
        if (e.kind !== 'deleted') this.ghosts.noteChanged(e.id);
      }
    });
    this.lease = new Lease(store.doc, PIPELINE_LEASE, options.holder, options.leaseTtlMs ?? 6_000, store.clock.maxOffsetMs, (holder) => this.vacantHolders.has(holder));
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
    this.writer.noteSensors(config);
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
      if (this.lease.heldAt(this.store.clock.now())) this.writer.clearDerived();
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
      this.writer.forgetRemote();
      this.ghosts.standBy();
      return (this.last = this.describe('standby', config, undefined));
    }
    if (this.state?.config.runId !== config.runId) this.state = this.begin(config, runTime);
    this.step(this.state, Math.max(0, runTime));
    this.writer.keepScenarioAssets(this.state);
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
    this.writer.forgetRemote();
    this.ghosts.standBy();
    this.lease.release();
  }

  /** Removes the tracks of other runs that are due (`GhostSweeper`). */
  private sweepGhosts(): void {
    this.store.transact(() => {
      this.ghosts.sweep(this.store.wallNow(), (id) => this.setAside.attempt('fusion', id, () => this.store.delete(id)));
    });
  }

  destroy(): void {
    this.unwatch();
    this.tasking.destroy();
    this.state = undefined;
  }

  private begin(config: RunConfig, runTime: number): RunState {
    const state = newRunState(config, this.association);
    this.writer.forgetRemote();
    this.setAside.clear();
    const latest = this.writer.adopt(state, runTime);
    // Replaying from 0 keeps the truth exact. Observations are fused from where the adopted
    // tracks stand (older scans would pull them backwards), or over the last stretch if none.
    const from = latest > -Infinity ? Math.min(Math.max(latest, 0), runTime) : Math.max(0, runTime - this.maxCatchUpS);
    state.run.advanceTo(from, false);
    return state;
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
    for (const track of state.tracker.confirmedTracks()) outputs.push({ track, components: fusedComponents(state, track, t, this.scratch, this.hysteresis) });
    scoreLive(state, scans, outputs, t);
    const fused = performance.now();
    this.writer.publish(state, { eoLatest, outputs, deleted }, t);
    state.timing = { fuseMs: fused - started, writeMs: performance.now() - fused, plots };
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
