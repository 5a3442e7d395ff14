/**
 * Checks, while the node runs, the rules the mesh promises (`rules.ts`), and keeps what it finds:
 * each break counted by rule and kept, with its evidence, in a bounded log (issue 17 §2).
 *
 * - Clocks: every stamp this node issues, as its batches are appended, is checked against the
 *   one before; every peer's stamp it adopts, against its own clock at that moment.
 * - Approvals: an entity whose journal changed is judged again once a second (`outcome`) and
 *   checked against the approval rules; only changed entities, so the cost follows the changes,
 *   not the size of the picture.
 * - The uplink: the bytes sent are read once a second; readings under one budget are checked
 *   over every window between them (a minute of them at most).
 * - Tasks: the tasks the node holds, against their requests, once a second; a break must last
 *   `TASK_GRACE_MS` (a task may arrive before the approve that allowed it) and is kept once.
 * - The store: the live digest against a rebuild from the document (`rebuildDigest`). A rebuild
 *   is one pause that grows with the document (86 ms for 1,000 tracks here), so it is sampled:
 *   at most once every `rebuildEveryMs` (a minute) and, past that, only as often as keeps its
 *   share of the main thread under `REBUILD_SHARE` (a 1 s rebuild runs every 2,000 s), when the
 *   page is idle where the browser says so.
 *
 * What the monitor reads is injected, so a test can break each rule on purpose (a clock that
 * steps back, an outcome that ignores a deny, a sender past its budget) and see it fire.
 */
import { approvalOutcome, type ApprovalOutcome, type DecodedBatch, type EntityStore, type Hlc, type StampedEntry, type Task } from '../../crdt/index.js';
import { adoptedBreak, approvalBreaks, budgetBreak, issuedBreak, rebuildBreak, taskBreaks, type RuleBreak, type RuleId, type SentSample } from './rules.js';
import type { TrafficReport } from '../LatticeNode.js';

/** A break as the node keeps it. */
export interface RuleViolation extends RuleBreak {
  /** ms since the epoch. */
  readonly at: number;
}

export interface MonitorReport {
  /** Breaks seen since the node started, in all. */
  readonly violations: number;
  readonly byRule: Readonly<Partial<Record<RuleId, number>>>;
  /** The latest few, newest last. */
  readonly recent: readonly RuleViolation[];
}

export interface MeshMonitorOptions {
  readonly store: EntityStore;
  readonly physicalNow: () => number;
  /** The uplink's report; none for a node without a budget to keep. */
  readonly traffic?: () => TrafficReport;
  /** How the node judges a request (the fault switch for tests). Default `approvalOutcome`. */
  readonly outcome?: (journal: readonly StampedEntry[], nowWall: number) => ApprovalOutcome | undefined;
  /** Called when a break is recorded. */
  readonly changed?: () => void;
  readonly checkEveryMs?: number;
  /** The digest of the picture rebuilt from the document alone (the store rule); none to skip it. */
  readonly rebuildDigest?: () => string;
  /** The least time between rebuilds, ms. Default 60,000. */
  readonly rebuildEveryMs?: number;
  readonly rebuildConfirmMs?: number;
}

/** The share of the main thread the sampled rebuilds may take, on average. */
export const REBUILD_SHARE = 0.0005;
/** A rebuild that differs is looked at again after this long (past the put-back of erased batches). */
export const REBUILD_CONFIRM_MS = 15_000;

/** A task that breaks a rule for this long is reported (it may have arrived before its approve). */
export const TASK_GRACE_MS = 10_000;

const KEPT = 100;
/** Breaks remembered as reported (so a lasting one is reported once). */
const MAX_REPORTED = 1000;
const SAMPLES = 60;

export class MeshMonitor {
  private readonly log: RuleViolation[] = [];
  private readonly counts: Partial<Record<RuleId, number>> = {};
  private total = 0;
  private lastIssued: Hlc | undefined;
  private readonly dirty = new Set<string>();
  private samples: SentSample[] = [];
  private sampledBudget = '';
  private readonly timer: ReturnType<typeof setInterval>;
  private rebuildTimer: ReturnType<typeof setTimeout> | undefined;
  private confirmTimer: ReturnType<typeof setTimeout> | undefined;
  private destroyed = false;
  private readonly taskIds = new Set<string>();
  /** Task breaks seen and since when (ms). */
  private readonly suspects = new Map<string, number>();
  /** Breaks that last (in a journal, a task) already reported, so each is reported once. */
  private readonly reported = new Set<string>();
  private readonly unwatch: () => void;
  /** Main-thread time spent checking, ms, since the node started (for the bench). */
  busyMs = 0;

  constructor(private readonly o: MeshMonitorOptions) {
    o.store.on('appended', this.onAppended);
    this.unwatch = o.store.watch((events) => {
      for (const e of events) this.dirty.add(e.id);
    });
    this.timer = setInterval(() => this.check(), o.checkEveryMs ?? 1000);
    if (o.rebuildDigest) this.scheduleRebuild(0);
  }

  /**
   * Compares the live picture with a rebuild from the document now (a timer samples this: see
   * `scheduleRebuild`). A difference is looked at again after `REBUILD_CONFIRM_MS` and reported only if it
   * stays: right after a peer erases batches, the picture keeps them until they are put back.
   */
  checkRebuild(confirming = false): void {
    this.rebuildMs(confirming);
  }

  /** The check itself; returns how long it took (ms). */
  private rebuildMs(confirming: boolean): number {
    if (!this.o.rebuildDigest || this.destroyed) return 0;
    const t0 = performance.now();
    const broken = rebuildBreak(this.o.store.digest(), this.o.rebuildDigest());
    const ms = performance.now() - t0;
    this.busyMs += ms;
    if (!broken) return ms;
    if (confirming) this.record(broken);
    else this.confirmTimer = setTimeout(() => this.checkRebuild(true), this.o.rebuildConfirmMs ?? REBUILD_CONFIRM_MS);
    return ms;
  }

  /** The next sampled rebuild, spaced by what the last one cost. */
  private scheduleRebuild(lastMs: number): void {
    if (this.destroyed) return;
    const wait = Math.max(this.o.rebuildEveryMs ?? 60_000, lastMs / REBUILD_SHARE);
    this.rebuildTimer = setTimeout(() => {
      const run = () => this.scheduleRebuild(this.rebuildMs(false));
      if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 10_000 });
      else run();
    }, wait);
  }

  destroy(): void {
    this.destroyed = true;
    clearInterval(this.timer);
    clearTimeout(this.rebuildTimer);
    clearTimeout(this.confirmTimer);
    this.o.store.off('appended', this.onAppended);
    this.unwatch();
  }

  report(): MonitorReport {
    return { violations: this.total, byRule: { ...this.counts }, recent: this.log.slice(-5) };
  }

  /** Every break kept (at most the last 100), oldest first. */
  violations(): readonly RuleViolation[] {
    return this.log;
  }

  /** Runs the periodic checks now (the timer does this once a second). */
  check(): void {
    const t0 = performance.now();
    const now = this.o.store.wallNow();
    const outcome = this.o.outcome ?? approvalOutcome;
    for (const id of this.dirty) {
      if (this.o.store.component(id, 'task')) this.taskIds.add(id);
      const journal = this.o.store.journal(id);
      if (journal.length === 0) continue;
      // A break stays in the journal: reported once, not again each time the entity moves.
      for (const b of approvalBreaks(id, journal, outcome(journal, now))) this.recordOnce(`${b.rule} ${b.evidence}`, b);
    }
    this.dirty.clear();
    this.checkTasks();
    this.sampleUplink();
    this.busyMs += performance.now() - t0;
  }

  private checkTasks(): void {
    if (this.taskIds.size === 0) return;
    const tasks: { id: string; task: Task }[] = [];
    for (const id of this.taskIds) {
      const task = this.o.store.component(id, 'task');
      if (task) tasks.push({ id, task });
      else this.taskIds.delete(id);
    }
    const nowMs = this.o.physicalNow();
    const seen = new Set<string>();
    for (const b of taskBreaks(tasks, (id) => this.o.store.journal(id))) {
      seen.add(b.key);
      const since = this.suspects.get(b.key) ?? nowMs;
      this.suspects.set(b.key, since);
      if (nowMs - since >= TASK_GRACE_MS) this.recordOnce(b.key, { rule: b.rule, evidence: b.evidence });
    }
    for (const key of this.suspects.keys()) if (!seen.has(key)) this.suspects.delete(key);
  }

  private sampleUplink(): void {
    const report = this.o.traffic?.();
    if (!report) return;
    const budget = `${report.budget.bytesPerSecond}/${report.budget.burstBytes}`;
    if (budget !== this.sampledBudget) {
      this.samples = [];
      this.sampledBudget = budget;
    }
    const bytes = Object.values(report.totalBytes).reduce((a, b) => a + b, 0);
    this.samples.push({ atMs: this.o.physicalNow(), bytes });
    if (this.samples.length > SAMPLES) this.samples.shift();
    const broken = budgetBreak(this.samples, report.budget.bytesPerSecond, report.budget.burstBytes);
    if (broken) {
      this.record(broken);
      this.samples = this.samples.slice(-1); // one break per excess, not one per later reading
    }
  }

  private readonly onAppended = (batches: readonly DecodedBatch[], source: string): void => {
    const t0 = performance.now();
    if (source === 'local') {
      for (const b of batches) {
        const broken = issuedBreak(this.lastIssued, b.hlc);
        if (broken) this.record(broken);
        this.lastIssued = b.hlc;
      }
    } else if (source === 'document') {
      const physical = this.o.physicalNow();
      for (const b of batches) {
        const broken = adoptedBreak(b.hlc, physical, this.o.store.clock.maxOffsetMs);
        if (broken) this.record(broken);
      }
    }
    this.busyMs += performance.now() - t0;
  };

  private recordOnce(key: string, b: RuleBreak): void {
    if (this.reported.has(key)) return;
    if (this.reported.size >= MAX_REPORTED) this.reported.delete(this.reported.values().next().value!);
    this.reported.add(key);
    this.record(b);
  }

  private record(b: RuleBreak): void {
    this.total++;
    this.counts[b.rule] = (this.counts[b.rule] ?? 0) + 1;
    this.log.push({ ...b, at: this.o.physicalNow() });
    if (this.log.length > KEPT) this.log.shift();
    console.warn(`lattice: rule broken (${b.rule}): ${b.evidence}`);
    this.o.changed?.();
  }
}
