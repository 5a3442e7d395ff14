/**
 * Tasking follows threat. Run once per tick by the node that holds the pipeline lease:
 *
 *   none   → idle (empty task catalog)
 *   low    → investigate: monitor, identify
 *   medium → track: monitor, identify, track
 *   high   → intercept: also `intercept`, which waits for a human's approval
 *
 * A rise to high opens an approval request once the track has stayed high for `requestAfterMs`
 * (a fresh track's first speed estimate is often too high by tens of knots; asking a person
 * about it only to withdraw the request seconds later is the churn issue 15 describes); a fall
 * below high while it is pending withdraws it once the track has stayed below high for
 * `withdrawAfterMs` (read from the stamp of its
 * threat in the document, so any node that takes over judges the same); a later rise opens a
 * new one. A dip shorter than that leaves the request pending: the operator does not see a
 * request vanish and come back for a track that merely wavered at the band edge (issue 15). An approved request becomes an intercept task for the
 * nearest available friendly asset, and only then does `intercept` enter the catalog.
 *
 * A step looks only at the tracks that can need something: those whose threat, catalog,
 * journal or existence changed since the last step (from this node or a peer), and those at
 * high threat (a pending request may be decided, an approved one may be waiting for a free
 * asset). Any other track's desired catalog is what it was and is already in the document, so
 * looking at it would change nothing; at 1,000 tracks that was most of the step's work.
 */
import {
  ApprovalDesk,
  DEFAULT_APPROVAL_TIMEOUT_MS,
  ENTITY_ID_PATTERN,
  TaskBoard,
  taskIdFor,
  ValidationError,
  type ApprovalOutcome,
  type ChangedPart,
  type EntityStore,
  type ThreatLevel,
} from '../../crdt/index.js';
import { PartCache } from './PartCache.js';
import { SetAside } from '../SetAside.js';

/** The parts of an entity whose change can change what tasking wants for it. */
function mattersToTasking(part: ChangedPart): boolean {
  return part === 'threat' || part === 'taskCatalog' || part === 'journal';
}

export const CATALOG_BY_THREAT: Readonly<Record<ThreatLevel, readonly string[]>> = {
  none: [],
  low: ['identify', 'monitor'],
  medium: ['identify', 'monitor', 'track'],
  high: ['identify', 'monitor', 'track'],
};

/** The catalog for a level with `intercept` added (once approved): sorted, as the store keeps it. */
const CATALOG_WITH_INTERCEPT: Readonly<Record<ThreatLevel, readonly string[]>> = {
  none: ['intercept'],
  low: [...CATALOG_BY_THREAT.low, 'intercept'].sort(),
  medium: [...CATALOG_BY_THREAT.medium, 'intercept'].sort(),
  high: [...CATALOG_BY_THREAT.high, 'intercept'].sort(),
};

export interface TaskingOptions {
  readonly approvalTimeoutMs?: number;
  /** Tracks whose step threw are set aside here, and the step goes on with the rest. */
  readonly setAside?: SetAside;
  /** How long a track must have been below high before its pending request is withdrawn, ms (default 0: at once). */
  readonly withdrawAfterMs?: number;
  /** How long a track must have been high before a request is opened for it, ms (default 0: at once). */
  readonly requestAfterMs?: number;
  /**
   * Tracks tasking leaves alone: in a pipeline, another run's tracks, which are about to be
   * removed (`GhostSweeper`); asking a person about one would only show a request that vanishes.
   */
  readonly ignore?: (id: string) => boolean;
}

export interface TaskingReport {
  readonly requested: string[];
  readonly withdrawn: string[];
  readonly tasked: string[];
  /** Approved intercepts waiting for a free asset. */
  readonly unassigned: string[];
}

export class TaskingPolicy {
  /** The threat level each track had when last seen, to tell a rise from a steady state. */
  private readonly lastLevel = new Map<string, ThreatLevel>();
  private readonly timeoutMs: number;
  private readonly withdrawAfterMs: number;
  /** Tracks below high whose pending request waits out `withdrawAfterMs`: looked at on every step until settled. */
  private readonly dipping = new Set<string>();
  private readonly requestAfterMs: number;
  /** Tracks that rose to high and are owed a request once `requestAfterMs` has passed: looked at on every step. */
  private readonly rising = new Set<string>();
  private readonly setAside: SetAside;
  private readonly ignore: (id: string) => boolean;
  /** Tracks changed since the last step (any entity: only tracks are looked at). */
  private readonly changed = new Set<string>();
  /** Whether a step has run: the first looks at every track. */
  private started = false;
  private readonly unwatch: () => void;
  /** The desired catalog each track was last seen to have in the document. */
  private readonly catalogs: PartCache<readonly string[]>;
  /** Approval outcome per track, as of its journal (a pending one is re-judged after its deadline). */
  private readonly outcomes: PartCache<{ readonly outcome: ApprovalOutcome | undefined }>;

  constructor(
    private readonly store: EntityStore,
    private readonly desk: ApprovalDesk,
    private readonly board: TaskBoard,
    options: TaskingOptions = {},
  ) {
    this.timeoutMs = options.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
    this.withdrawAfterMs = options.withdrawAfterMs ?? 0;
    this.requestAfterMs = options.requestAfterMs ?? 0;
    this.setAside = options.setAside ?? new SetAside();
    this.ignore = options.ignore ?? (() => false);
    this.catalogs = new PartCache(store, 'taskCatalog');
    this.outcomes = new PartCache(store, 'journal');
    this.unwatch = store.watch((events) => {
      for (const e of events) if (e.kind !== 'updated' || e.components.some(mattersToTasking)) this.changed.add(e.id);
    });
  }

  destroy(): void {
    this.unwatch();
    this.changed.clear();
    this.dipping.clear();
    this.rising.clear();
    this.catalogs.destroy();
    this.outcomes.destroy();
  }

  /** Assets given a task in the current step: reads inside a batch do not see its own writes yet. */
  private readonly assignedThisStep = new Set<string>();

  step(): TaskingReport {
    const report: TaskingReport = { requested: [], withdrawn: [], tasked: [], unassigned: [] };
    this.assignedThisStep.clear();
    const ids = this.started ? this.candidates() : this.store.ids('track');
    this.started = true;
    this.changed.clear();
    this.store.transact(() => {
      for (const id of ids) {
        if (this.store.typeOf(id) !== 'track') {
          this.lastLevel.delete(id);
          this.dipping.delete(id);
          this.rising.delete(id);
          continue;
        }
        if (this.ignore(id)) continue;
        const threat = this.store.component(id, 'threat');
        // A peer's track the step cannot handle (e.g. a request id too long to name a task)
        // is set aside; the others are still tasked.
        if (threat) this.setAside.attempt('tasking', id, () => this.stepTrack(id, threat.level, report));
      }
    });
    return report;
  }

  /** The tracks a step looks at: changed ones, then those at high threat or dipping below it, each once. */
  private candidates(): Set<string> {
    const ids = new Set(this.changed);
    for (const [id, level] of this.lastLevel) if (level === 'high') ids.add(id);
    for (const id of this.dipping) ids.add(id);
    for (const id of this.rising) ids.add(id);
    return ids;
  }

  private stepTrack(id: string, level: ThreatLevel, report: TaskingReport): void {
    const previous = this.lastLevel.get(id);
    this.lastLevel.set(id, level);
    // Only a track that is high, or was high a moment ago, can have a request to act on; for
    // the rest (most of a busy picture) the catalog is all there is, and reading the journal
    // of every track each tick would cost more than fusion itself.
    const mayHaveRequest = level === 'high' || previous === 'high' || previous === undefined || this.dipping.has(id);
    this.dipping.delete(id);
    this.rising.delete(id);
    const outcome = mayHaveRequest ? this.outcome(id) : undefined;
    let intercept = false;

    if (level === 'high') {
      const rose = previous !== undefined && previous !== 'high';
      const open = outcome && (outcome.state === 'pending' || outcome.state === 'approved');
      // A new request on a fresh rise, or when this track never had one (e.g. after a takeover).
      if ((rose && !open) || !outcome) {
        if (this.settledHigh(id)) {
          this.desk.request(id, ['intercept'], { timeoutMs: this.timeoutMs });
          report.requested.push(id);
        } else {
          // Not yet: the next steps still see this as the rise it is.
          if (previous === undefined) this.lastLevel.delete(id);
          else this.lastLevel.set(id, previous);
          this.rising.add(id);
        }
      } else if (outcome.state === 'approved') {
        intercept = true;
        this.ensureIntercept(id, outcome.request.requestId, report);
      }
    } else if (outcome?.state === 'pending') {
      if (this.store.wallNow() - this.levelSince(id) >= this.withdrawAfterMs) {
        this.desk.withdraw(id, `threat fell to ${level}`);
        report.withdrawn.push(id);
      } else {
        this.dipping.add(id);
      }
    }

    const desired = (intercept ? CATALOG_WITH_INTERCEPT : CATALOG_BY_THREAT)[level];
    if (this.catalogs.get(id) === desired) return;
    const current = this.store.component(id, 'taskCatalog') ?? [];
    if (current.length !== desired.length || current.some((t, i) => t !== desired[i])) {
      // Kept only once the document is seen to hold it: this write shows after the commit.
      this.store.update(id, { taskCatalog: [...desired] });
    } else {
      this.catalogs.set(id, desired);
    }
  }

  /**
   * Whether a high track is owed its request now: high for `requestAfterMs`, and its speed
   * estimate more likely in the military band than not (a level held by hysteresis while the
   * estimate has dropped below the edge is not yet a threat to ask a person about).
   */
  private settledHigh(id: string): boolean {
    if (this.store.wallNow() - this.levelSince(id) < this.requestAfterMs) return false;
    return this.requestAfterMs === 0 || (this.store.component(id, 'classification')?.confidence ?? 1) >= 0.5;
  }

  /** HLC wall time since which the track has held its threat level: the stamp of its threat, written only when the level changes. */
  private levelSince(id: string): number {
    return this.store.get(id)?.stamps.threat?.wall ?? -Infinity;
  }

  private outcome(id: string): ApprovalOutcome | undefined {
    const known = this.outcomes.get(id);
    // Time changes an outcome only from pending to timed out, at the deadline.
    if (known && (known.outcome?.state !== 'pending' || this.store.wallNow() <= known.outcome.request.deadline)) return known.outcome;
    const outcome = this.desk.outcome(id);
    this.outcomes.set(id, { outcome });
    return outcome;
  }

  private ensureIntercept(id: string, requestId: string, report: TaskingReport): void {
    const taskId = taskIdFor(requestId);
    if (!ENTITY_ID_PATTERN.test(taskId)) {
      // A journal admits request ids up to 64 characters; a task id adds "task." to one. Only a
      // peer's request can be that long (ours are 15): the track is set aside for tasking.
      throw new ValidationError('requestId', `Approval request "${requestId.slice(0, 16)}…" on "${id}" has an id too long to name its task; no intercept can be tasked for it.`);
    }
    if (this.board.get(taskId)) return;
    const position = this.store.component(id, 'position');
    const asset = position ? this.board.nearestAvailableAsset(position, this.assignedThisStep) : undefined;
    if (!asset) {
      report.unassigned.push(id);
      return;
    }
    this.board.create('intercept', id, asset.id, requestId);
    this.assignedThisStep.add(asset.id);
    report.tasked.push(id);
  }
}
