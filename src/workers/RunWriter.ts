/**
 * How a computing pipeline's results reach the document: it adopts what is already there when
 * a run begins (fused tracks, EO tracks, the scenario's assets), publishes each step in one
 * store transaction, reconciles with fused tracks other nodes wrote during a partition, keeps
 * the scenario's assets, and clears what the run derived when it is unloaded.
 *
 * Each entity is written on its own (a peer may have made one unwritable, e.g. by a tombstone
 * stamped ahead): the one that throws is set aside, the rest of the picture is still written.
 */
import type { Components, EntityEvent, EntityStore, EntityView } from '../crdt/index.js';
import { FUSION_SENSOR } from './fusedTrack.js';
import type { RunConfig } from './RunConfig.js';
import { FUSED_PREFIX, isRunTrack, runSensorType, runTagOf } from './runIds.js';
import { ASSET_PREFIX, type RunState } from './runState.js';
import type { SetAside } from './SetAside.js';
import { changedOnly } from './slowParts.js';
import type { Track } from './track.js';

/** EO sensor-track entities not refreshed for this long are removed, s. */
const EO_STALE_S = 5;

/** What one step publishes. */
export interface StepOutput {
  /** The latest state of each EO sensor track seen in the step, by entity id. */
  readonly eoLatest: ReadonlyMap<string, { readonly components: Components; readonly time: number }>;
  /** Every confirmed fused track, with the components to write. */
  readonly outputs: readonly { readonly track: Track; readonly components: Components }[];
  /** Fused tracks the tracker deleted. */
  readonly deleted: ReadonlySet<string>;
}

export class RunWriter {
  /** Fused entities written by other nodes since the last step (a partition healing). */
  private readonly remoteFused = new Set<string>();
  /** Scenario assets written or deleted by other nodes since the last step (another run's, perhaps). */
  private readonly remoteAssets = new Set<string>();
  /** Ids of the simulated sensors of every run seen, so their tracks can be cleared later. */
  private readonly simulatedSensors = new Set<string>();

  constructor(
    private readonly store: EntityStore,
    private readonly setAside: SetAside,
  ) {}

  /** Notes a change another node made that the next step must look at. */
  noteRemote(e: EntityEvent): void {
    // Deleted too: the other side of a partition may have removed this run's assets when it
    // began a run of its own there.
    if (e.id.startsWith(ASSET_PREFIX)) this.remoteAssets.add(e.id);
    if (e.kind !== 'deleted' && e.id.startsWith(FUSED_PREFIX)) this.remoteFused.add(e.id);
  }

  /** Forgets what other nodes wrote: this node no longer computes, or starts afresh. */
  forgetRemote(): void {
    this.remoteFused.clear();
    this.remoteAssets.clear();
  }

  /** Remembers a run's simulated sensors, whose tracks are then this pipeline's to clear. */
  noteSensors(config: RunConfig | undefined): void {
    for (const sensor of config?.scenario.sensors ?? []) this.simulatedSensors.add(sensor.id);
  }

  /**
   * Continues the fused tracks already in the document (ours from before a restart, or the
   * previous holder's): nothing computed so far is lost, and ids stay stable. Stale ones (their
   * writer vanished long ago) and leftovers of an earlier run are removed, and the scenario's
   * assets are made whole. Returns the run time of the latest fused track adopted (−Infinity if none).
   */
  adopt(state: RunState, runTime: number): number {
    const { config, tag, tracker } = state;
    let latest = -Infinity;
    this.store.transact(() => {
      for (const view of this.store.list('track')) {
        const written = ((view.stamps.position?.wall ?? 0) - config.startedAt) / 1000;
        const type = runSensorType(view, tag);
        const runOf = runTagOf(view.id);
        // Another run's tracks are the ghost sweep's (which waits for a run it never saw).
        if (runOf !== undefined && runOf !== tag) continue;
        if ((type !== 'fused' && type !== 'eo') || !this.isDerived(view)) continue;
        this.each(view.id, () => {
          if (written <= 0) this.store.delete(view.id); // written no later than this run started: an earlier run's
          else if (type === 'eo') state.eoSeen.set(view.id, written);
          else if (runTime - written > tracker.options.maxCoastS) this.store.delete(view.id);
          else if (this.adoptFused(state, view, runTime)) latest = Math.max(latest, written);
        });
      }
      for (const view of this.store.list('asset')) if (view.id.startsWith(ASSET_PREFIX) && !state.assetIds.has(view.id)) this.each(view.id, () => this.store.delete(view.id));
      for (const a of config.scenario.assets) {
        const id = `${ASSET_PREFIX}${a.id}`;
        if (!this.store.has(id)) this.each(id, () => this.store.create(id, 'asset', { position: a.position, affiliation: { value: 'friend' } }));
      }
    });
    return latest;
  }

  /** Publishes one step at run time `t`, in one transaction (one stamp, one update). */
  publish(state: RunState, step: StepOutput, t: number): void {
    this.store.transact(() => {
      for (const [id, { components, time }] of step.eoLatest) {
        state.eoSeen.set(id, time);
        // The source never changes: written once, with the create.
        this.each(id, () => {
          if (!this.store.has(id)) this.store.create(id, 'track', components);
          else if (this.store.component(id, 'source') === undefined) this.store.update(id, components); // lost in a merge
          else this.store.update(id, { position: components.position, velocity: components.velocity });
        });
      }
      for (const [id, seen] of state.eoSeen) {
        if (t - seen <= EO_STALE_S) continue;
        state.eoSeen.delete(id);
        if (this.store.has(id)) this.each(id, () => this.store.delete(id));
      }
      for (const { track, components } of step.outputs) {
        this.each(track.id, () => {
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
      for (const id of step.deleted) {
        state.written.delete(id);
        state.threats.delete(id);
        if (this.store.has(id) && this.store.get(id)!.components.source?.sensorType === 'fused') this.each(id, () => this.store.delete(id));
      }
      this.reconcile(state, t);
    });
  }

  /**
   * Scenario assets other nodes wrote or deleted, after a partition: one the current scenario
   * does not have is the previous run's and is removed; one of the current scenario that another
   * side removed (beginning a run of its own there, which lost the merge) is put back.
   */
  keepScenarioAssets(state: RunState): void {
    if (this.remoteAssets.size === 0) return;
    const ids = [...this.remoteAssets];
    this.remoteAssets.clear();
    this.store.transact(() => {
      for (const id of ids) {
        if (!state.assetIds.has(id)) {
          if (this.store.typeOf(id) === 'asset') this.each(id, () => this.store.delete(id));
          continue;
        }
        const asset = state.config.scenario.assets.find((a) => `${ASSET_PREFIX}${a.id}` === id);
        if (asset && !this.store.has(id)) this.each(id, () => this.store.create(id, 'asset', { position: asset.position, affiliation: { value: 'friend' } }));
      }
    });
  }

  /** Removes what this pipeline derived, when its run is unloaded. */
  clearDerived(): void {
    this.store.transact(() => {
      for (const view of this.store.list()) if (this.isDerived(view)) this.each(view.id, () => this.store.delete(view.id));
    });
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
      this.each(id, () => {
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

  private each(id: string, fn: () => void): boolean {
    return this.setAside.attempt('fusion', id, fn);
  }
}
