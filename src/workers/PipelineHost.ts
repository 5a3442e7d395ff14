/**
 * Main-thread entry of the pipeline: runs the pipeline in a module worker on its own replica of
 * the node's document, and keeps it running.
 *
 * - The worker's replica is linked to `doc` by Yjs updates over `postMessage`, so the worker
 *   reads and writes entities through the same store API as the page; the page never waits on
 *   it (every call here returns at once; results arrive as document changes and events).
 * - A worker that throws, fails to load, sends garbage or stops answering is reported (a `fault`
 *   event and the log), terminated and started again after a back-off. Nothing is lost: what it
 *   wrote is already in `doc`, and the new worker continues from `doc`.
 * - Which node computes is decided in the document (the `pipeline` lease, see `Lease.ts`), so
 *   starting a host on every tab is right: one computes, the others stand by and take over.
 *
 * @example
 * const host = new PipelineHost({ doc: node.doc, node: node.identity.nodeId });
 * host.on('status', (s) => render(s));
 * host.on('fault', (f) => toast(f.message));
 * host.start();
 * await host.loadBuiltinScenario('hard');
 */
import type * as Y from 'yjs';
import { ObservableV2 } from 'lib0/observable';
import { assertNodeId, pipelineNodeId } from '../crdt/index.js';
import { fetchBuiltinScenario, type BuiltinScenarioName } from './builtinScenarios.js';
import { DocLink } from './DocLink.js';
import { Lease } from './Lease.js';
import { PIPELINE_LEASE, type PipelineStatus } from './Pipeline.js';
import { isWorkerMessage, type FaultKind, type HostMessage } from './protocol.js';
import { clearRun, currentRunId, writeRun } from './RunConfig.js';
import { DEFAULT_RUN_PUT_BACK_MS, RunKeeper } from './RunKeeper.js';
import { parseScenario, type Scenario } from './scenario.js';
import { WorkerPort, type PipelinePort } from './transport.js';

export const HOST_STATES = ['stopped', 'starting', 'running', 'restarting'] as const;
/**
 * - `stopped`: no worker (before `start`, after `stop`);
 * - `starting`: a worker was spawned and has not reported yet;
 * - `running`: the worker reports; see `pipeline.role` for what it is doing;
 * - `restarting`: the worker failed and a new one starts after `restartInMs`.
 */
export type HostState = (typeof HOST_STATES)[number];

/** One failure of the worker, as reported to the UI and the log. */
export interface PipelineFault {
  readonly message: string;
  readonly stack: string | undefined;
  /** ms since the epoch. */
  readonly at: number;
  /** When the replacement worker will start. */
  readonly restartInMs: number;
}

/** A run set aside because the worker failed twice while it was loaded. */
export interface SetAsideRun {
  readonly runId: string;
  /** The last failure's message. */
  readonly error: string;
  /** ms since the epoch. */
  readonly at: number;
  /** What the operator reads, in plain words. */
  readonly message: string;
}

export interface PipelineHostStatus {
  readonly state: HostState;
  /** The worker's last report; undefined before its first. */
  readonly pipeline: PipelineStatus | undefined;
  /** Workers started to replace a failed one since `start`. */
  readonly restarts: number;
  readonly lastFault: PipelineFault | undefined;
  /** The run in the document, if this node set it aside (the worker then stays idle until another is loaded). */
  readonly setAsideRun: SetAsideRun | undefined;
}

export interface PipelineHostEvents {
  status: (status: PipelineHostStatus) => void;
  fault: (fault: PipelineFault) => void;
}

export interface PipelineHostOptions {
  /** The node's document; the worker keeps a replica of it. */
  readonly doc: Y.Doc;
  /** This node's id: the lease holder name, and the base of the worker's HLC node id. */
  readonly node: string;
  /** Opens a link to a fresh worker. Default: the module worker `pipeline.worker.ts`. */
  readonly spawn?: () => PipelinePort;
  /** Pipeline step period in the worker, ms. Default 250. */
  readonly tickMs?: number;
  /** Lease lifetime, ms: how soon another node takes over a vanished one. Default 6,000. */
  readonly leaseTtlMs?: number;
  /** A worker silent this long is declared hung and replaced, ms. Default 10,000. */
  readonly stallTimeoutMs?: number;
  /** First restart delay, doubled per consecutive failure up to `maxRestartDelayMs`. Default 1,000. */
  readonly restartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
  /** Where faults are logged. Default `console.error`. */
  readonly log?: (message: string) => void;
  /** A run a peer removed outright is put back after this long, ms. Default 10,000. */
  readonly runPutBackMs?: number;
  /** Whether a run value counts (in an owned room: not signed under a revoked key). Default: all do. */
  readonly runCounts?: (value: unknown) => boolean;
}

/** A worker that has run this long without failing resets the restart back-off, ms. */
const HEALTHY_AFTER_MS = 30_000;
/** A run during which this many workers failed is set aside (issue 13: not a restart loop). */
export const FAILURES_TO_SET_ASIDE = 2;
/** Runs remembered as set aside (the latest); a run id is never loaded twice. */
const MAX_SET_ASIDE_RUNS = 16;

export function spawnModuleWorker(): PipelinePort {
  return new WorkerPort(new Worker(new URL('./pipeline.worker.ts', import.meta.url), { type: 'module', name: 'lattice-pipeline' }));
}

export class PipelineHost extends ObservableV2<PipelineHostEvents> {
  readonly doc: Y.Doc;
  readonly node: string;
  private readonly options: Required<Omit<PipelineHostOptions, 'doc' | 'node'>>;
  private port: PipelinePort | undefined;
  private link: DocLink | undefined;
  private unsubscribers: (() => void)[] = [];
  private state: HostState = 'stopped';
  private pipeline: PipelineStatus | undefined;
  private restarts = 0;
  private failuresInRow = 0;
  private lastFault: PipelineFault | undefined;
  private lastHeard = 0;
  private spawnedAt = 0;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  /** Worker failures per run id while that run was loaded (fault drills not counted). */
  private readonly failuresByRun = new Map<string, number>();
  private readonly setAsideRuns = new Map<string, SetAsideRun>();
  /** A fault drill was asked for: the failure it causes says nothing about the run. */
  private drilling = false;
  private clockFenceMs: number | undefined;
  private mayCompute = true;
  private vacantHolders: readonly string[] = [];
  private keeper: RunKeeper | undefined;

  constructor(options: PipelineHostOptions) {
    super();
    assertNodeId(options.node);
    // The worker writes as `<node>-pl`, which must be a node id too (at most 64 characters).
    assertNodeId(pipelineNodeId(options.node));
    this.doc = options.doc;
    this.node = options.node;
    this.options = {
      spawn: options.spawn ?? spawnModuleWorker,
      tickMs: options.tickMs ?? 250,
      leaseTtlMs: options.leaseTtlMs ?? 6_000,
      stallTimeoutMs: options.stallTimeoutMs ?? 10_000,
      restartDelayMs: options.restartDelayMs ?? 1_000,
      maxRestartDelayMs: options.maxRestartDelayMs ?? 30_000,
      log: options.log ?? ((message) => console.error(message)),
      runPutBackMs: options.runPutBackMs ?? DEFAULT_RUN_PUT_BACK_MS,
      runCounts: options.runCounts ?? (() => true),
    };
  }

  /** Spawns the worker and keeps one running until `stop`. Returns at once. */
  start(): void {
    if (this.state !== 'stopped') return;
    this.restarts = 0;
    this.failuresInRow = 0;
    // The page keeps the run, not the worker: it lives on while workers come and go.
    this.keeper = new RunKeeper(this.doc, { putBackAfterMs: this.options.runPutBackMs, onPutBack: this.options.log, counts: this.options.runCounts });
    this.spawn();
    this.watchdog = setInterval(this.checkStall, Math.max(50, this.options.stallTimeoutMs / 4));
  }

  /**
   * Terminates the worker and hands this node's lease back, so another node takes over at
   * once instead of after the lease expires. The document keeps everything computed.
   */
  stop(): void {
    if (this.state === 'stopped') return;
    clearInterval(this.watchdog);
    clearTimeout(this.restartTimer);
    this.watchdog = undefined;
    this.restartTimer = undefined;
    this.keeper?.destroy();
    this.keeper = undefined;
    this.teardown();
    new Lease(this.doc, PIPELINE_LEASE, this.node, this.options.leaseTtlMs).release();
    this.setState('stopped');
  }

  override destroy(): void {
    this.stop();
    super.destroy();
  }

  status(): PipelineHostStatus {
    const runId = currentRunId(this.doc);
    return {
      state: this.state,
      pipeline: this.pipeline,
      restarts: this.restarts,
      lastFault: this.lastFault,
      setAsideRun: runId === undefined ? undefined : this.setAsideRuns.get(runId),
    };
  }

  /**
   * The page's clock fence (`EntityStore.setClockFence`): while the page's clock disagrees with
   * the mesh, the worker (same clock) is fenced too and computes nothing. `undefined` lifts it.
   */
  /**
   * Whether this node's role in its room lets it compute (an owner or operator): a viewer or a
   * guest never takes the lease, whose writes every peer would refuse.
   */
  setMayCompute(may: boolean): void {
    if (may === this.mayCompute) return;
    this.mayCompute = may;
    this.post({ type: 'authority', mayCompute: may, vacantHolders: this.vacantHolders });
  }

  /** Lease holders whose leases count as vacant in this room (signed under a revoked key). */
  setVacantLeaseHolders(holders: readonly string[]): void {
    if (holders.length === this.vacantHolders.length && holders.every((h, i) => h === this.vacantHolders[i])) return;
    this.vacantHolders = [...holders];
    // A new vacancy means a new revocation: the run is judged again too.
    this.keeper?.recheck();
    this.post({ type: 'authority', mayCompute: this.mayCompute, vacantHolders: this.vacantHolders });
  }

  setClockFence(offsetMs: number | undefined): void {
    if (offsetMs === this.clockFenceMs) return;
    this.clockFenceMs = offsetMs;
    this.post({ type: 'fence', clockFenceMs: offsetMs ?? null });
  }

  /**
   * Validates a scenario (an object, e.g. parsed from a file the user chose or passed by the
   * scripting API) and makes it the mesh's run, starting now. Throws `ScenarioError` listing
   * every problem, and changes nothing, when it is not valid.
   *
   * @param options.seed reproducible variation of the run; default the scenario's own seed.
   * @returns the validated scenario.
   */
  loadScenario(value: unknown, options: { seed?: number } = {}): Scenario {
    const scenario = parseScenario(value);
    const seed = options.seed ?? scenario.seed;
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new RangeError(`A seed must be an integer in [0, 2^32), got ${seed}.`);
    writeRun(this.doc, scenario, seed, Date.now(), this);
    return scenario;
  }

  /**
   * Loads one of the scenarios shipped with the app (`default`, `hard`). The file is fetched,
   * so this resolves once it is the mesh's run; it rejects if the file cannot be had.
   */
  async loadBuiltinScenario(name: BuiltinScenarioName, options: { seed?: number } = {}): Promise<Scenario> {
    return this.loadScenario(await fetchBuiltinScenario(name), options);
  }

  /** Ends the mesh's run; the computing node removes what the run derived. */
  unloadScenario(): void {
    clearRun(this.doc, this);
  }

  /** Fault drill for the UI's diagnostics and for tests: makes the worker fail on purpose. */
  injectFault(kind: FaultKind): void {
    this.drilling = true;
    this.post({ type: 'fault', kind });
  }

  private spawn(): void {
    this.setState('starting');
    this.pipeline = undefined;
    let port: PipelinePort;
    try {
      port = this.options.spawn();
    } catch (error) {
      // e.g. workers unavailable: reported and retried like any other failure.
      this.fail(error instanceof Error ? error.message : String(error), error instanceof Error ? error.stack : undefined);
      return;
    }
    this.port = port;
    this.spawnedAt = this.lastHeard = Date.now();
    this.unsubscribers = [port.onMessage(this.onMessage), port.onCrash((message) => this.fail(message, undefined))];
    this.link = new DocLink(this.doc, port, (message) => this.fail(message, undefined));
    this.post({
      type: 'init',
      node: this.node,
      tickMs: this.options.tickMs,
      leaseTtlMs: this.options.leaseTtlMs,
      setAsideRuns: [...this.setAsideRuns.keys()],
      clockFenceMs: this.clockFenceMs ?? null,
      mayCompute: this.mayCompute,
      vacantHolders: this.vacantHolders,
    });
  }

  private post(message: HostMessage): void {
    this.port?.post(message);
  }

  private readonly onMessage = (data: unknown): void => {
    this.lastHeard = Date.now();
    if (!isWorkerMessage(data)) {
      this.fail('The pipeline worker sent a message that is not part of the protocol.', undefined);
      return;
    }
    switch (data.type) {
      case 'update':
        this.link?.receive(data.update);
        return;
      case 'ready':
        return;
      case 'status':
        if (this.lastHeard - this.spawnedAt > HEALTHY_AFTER_MS) this.failuresInRow = 0;
        this.pipeline = data.status;
        this.setState('running');
        return;
      case 'error':
        this.fail(data.message, data.stack);
        return;
    }
  };

  private readonly checkStall = (): void => {
    if (!this.port || Date.now() - this.lastHeard <= this.options.stallTimeoutMs) return;
    this.fail(`The pipeline worker did not answer for ${Math.round((Date.now() - this.lastHeard) / 1000)} s and was replaced.`, undefined);
  };

  private fail(message: string, stack: string | undefined): void {
    if (this.state === 'stopped' || this.state === 'restarting') return;
    this.teardown();
    const delay = Math.min(this.options.restartDelayMs * 2 ** this.failuresInRow, this.options.maxRestartDelayMs);
    this.failuresInRow++;
    const fault: PipelineFault = { message, stack, at: Date.now(), restartInMs: delay };
    this.lastFault = fault;
    this.options.log(`Pipeline worker failed: ${message}${stack ? `\n${stack}` : ''} (restarting in ${delay} ms)`);
    if (this.drilling) this.drilling = false;
    else this.countAgainstRun(message);
    this.setState('restarting');
    this.emit('fault', [fault]);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.restarts++;
      this.spawn();
    }, delay);
  }

  /**
   * Counts a failure against the run loaded now; at the second, sets the run aside so the next
   * worker stays idle instead of crashing again (on every restart, on every node that loads it).
   */
  private countAgainstRun(error: string): void {
    const runId = currentRunId(this.doc);
    if (runId === undefined || this.setAsideRuns.has(runId)) return;
    const failures = (this.failuresByRun.get(runId) ?? 0) + 1;
    this.failuresByRun.set(runId, failures);
    if (failures < FAILURES_TO_SET_ASIDE) return;
    this.failuresByRun.delete(runId);
    const message =
      `The pipeline set run ${runId} aside: it crashed the worker ${failures} times (${error}). ` +
      'This node computes nothing until another scenario is loaded; load another scenario.';
    this.setAsideRuns.set(runId, { runId, error, at: Date.now(), message });
    while (this.setAsideRuns.size > MAX_SET_ASIDE_RUNS) this.setAsideRuns.delete(this.setAsideRuns.keys().next().value!);
    this.options.log(message);
  }

  private teardown(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    this.link?.close();
    this.link = undefined;
    this.port?.close();
    this.port = undefined;
  }

  private setState(state: HostState): void {
    this.state = state;
    this.emit('status', [this.status()]);
  }
}
