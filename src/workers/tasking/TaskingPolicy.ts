/**
 * Tasking follows threat. Run once per tick by the node that holds the pipeline lease:
 *
 *   none   → idle (empty task catalog)
 *   low    → investigate: monitor, identify
 *   medium → track: monitor, identify, track
 *   high   → intercept: also `intercept`, which waits for a human's approval
 *
 * A rise to high opens an approval request; a fall below high while it is pending withdraws
 * it; a later rise opens a new one. An approved request becomes an intercept task for the
 * nearest available friendly asset, and only then does `intercept` enter the catalog.
 */
import {
  ApprovalDesk,
  DEFAULT_APPROVAL_TIMEOUT_MS,
  TaskBoard,
  type EntityStore,
  type EntityView,
  type ThreatLevel,
} from '../../crdt/index.js';

export const CATALOG_BY_THREAT: Readonly<Record<ThreatLevel, readonly string[]>> = {
  none: [],
  low: ['identify', 'monitor'],
  medium: ['identify', 'monitor', 'track'],
  high: ['identify', 'monitor', 'track'],
};

export interface TaskingOptions {
  readonly approvalTimeoutMs?: number;
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

  constructor(
    private readonly store: EntityStore,
    private readonly desk: ApprovalDesk,
    private readonly board: TaskBoard,
    options: TaskingOptions = {},
  ) {
    this.timeoutMs = options.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  }

  /** Assets given a task in the current step: reads inside a batch do not see its own writes yet. */
  private readonly assignedThisStep = new Set<string>();

  step(): TaskingReport {
    const report: TaskingReport = { requested: [], withdrawn: [], tasked: [], unassigned: [] };
    this.assignedThisStep.clear();
    const tracks = this.store.list('track').filter((t) => t.components.threat);
    this.store.transact(() => {
      for (const track of tracks) this.stepTrack(track, report);
    });
    for (const id of [...this.lastLevel.keys()]) if (!this.store.has(id)) this.lastLevel.delete(id);
    return report;
  }

  private stepTrack(track: EntityView, report: TaskingReport): void {
    const level = track.components.threat!.level;
    const previous = this.lastLevel.get(track.id);
    this.lastLevel.set(track.id, level);
    const outcome = this.desk.outcome(track.id);
    const catalog = new Set(CATALOG_BY_THREAT[level]);

    if (level === 'high') {
      const rose = previous !== undefined && previous !== 'high';
      const open = outcome && (outcome.state === 'pending' || outcome.state === 'approved');
      // A new request on a fresh rise, or when this track never had one (e.g. after a takeover).
      if ((rose && !open) || !outcome) {
        this.desk.request(track.id, ['intercept'], { timeoutMs: this.timeoutMs });
        report.requested.push(track.id);
      } else if (outcome.state === 'approved') {
        catalog.add('intercept');
        this.ensureIntercept(track, outcome.request.requestId, report);
      }
    } else if (outcome?.state === 'pending') {
      this.desk.withdraw(track.id, `threat fell to ${level}`);
      report.withdrawn.push(track.id);
    }

    const current = track.components.taskCatalog ?? [];
    const desired = [...catalog].sort();
    if (current.length !== desired.length || current.some((t, i) => t !== desired[i])) {
      this.store.update(track.id, { taskCatalog: desired });
    }
  }

  private ensureIntercept(track: EntityView, requestId: string, report: TaskingReport): void {
    if (this.board.get(`task.${requestId}`)) return;
    const position = track.components.position;
    const asset = position ? this.board.nearestAvailableAsset(position, this.assignedThisStep) : undefined;
    if (!asset) {
      report.unassigned.push(track.id);
      return;
    }
    this.board.create('intercept', track.id, asset.id, requestId);
    this.assignedThisStep.add(asset.id);
    report.tasked.push(track.id);
  }
}
