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
 *
 * What the monitor reads is injected, so a test can break each rule on purpose (a clock that
 * steps back, an outcome that ignores a deny, a sender past its budget) and see it fire.
 */
import { approvalOutcome, type ApprovalOutcome, type DecodedBatch, type EntityStore, type Hlc, type StampedEntry } from '../../crdt/index.js';
import { adoptedBreak, approvalBreaks, budgetBreak, issuedBreak, type RuleBreak, type RuleId, type SentSample } from './rules.js';
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
}

const KEPT = 100;
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
  private readonly unwatch: () => void;
  /** Main-thread time spent checking, ms, since the node started (for the bench). */
  busyMs = 0;

  constructor(private readonly o: MeshMonitorOptions) {
    o.store.on('appended', this.onAppended);
    this.unwatch = o.store.watch((events) => {
      for (const e of events) this.dirty.add(e.id);
    });
    this.timer = setInterval(() => this.check(), o.checkEveryMs ?? 1000);
  }

  destroy(): void {
    clearInterval(this.timer);
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
      const journal = this.o.store.journal(id);
      if (journal.length === 0) continue;
      for (const b of approvalBreaks(id, journal, outcome(journal, now))) this.record(b);
    }
    this.dirty.clear();
    this.sampleUplink();
    this.busyMs += performance.now() - t0;
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

  private record(b: RuleBreak): void {
    this.total++;
    this.counts[b.rule] = (this.counts[b.rule] ?? 0) + 1;
    this.log.push({ ...b, at: this.o.physicalNow() });
    if (this.log.length > KEPT) this.log.shift();
    console.warn(`lattice: rule broken (${b.rule}): ${b.evidence}`);
    this.o.changed?.();
  }
}
