/**
 * The approval requests an operator must answer, kept current from the entity store: every
 * entity whose `approval` component is pending, sorted by deadline, plus a short history of
 * requests that left the queue and why (as far as this node can tell).
 *
 * Which requests are pending is a policy passed in: by default a request is pending until its
 * deadline; the app passes the mesh's outcome rule (`approvalOutcome` over the journal), and a
 * resolver that tells how a request that left the queue ended and who decided it (both in
 * `meshApprovalPolicy.ts`).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { EntityStore, EntityView, ThreatLevel } from '../../crdt/index.js';
import { StoreChangesController } from './StoreChangesController.js';
import { labelOf } from '../map/symbology.js';
import { isDefendedAsset, trackBrief, type TrackBrief } from '../trackBrief.js';

export const APPROVAL_DECISIONS = ['approve', 'deny'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/** Why a request left the queue. `closed`: no longer pending for a reason this node did not see. */
export type ApprovalOutcome = 'approved' | 'denied' | 'timed_out' | 'withdrawn' | 'closed';

/** How a request ended and who settled it, from the document; undefined while unknown. */
export type OutcomeResolver = (item: ApprovalRequestItem, now: number) => { outcome: ApprovalOutcome; by: string | undefined } | undefined;

export interface ApprovalRequestItem {
  readonly entityId: string;
  readonly requestId: string;
  readonly requestedAt: number;
  readonly deadline: number;
  readonly tasks: readonly string[];
  /** The node id that opened the request (the UI shows its name when it knows it). */
  readonly requestedBy: string;
  /** What the track is, e.g. "military jet". */
  readonly label: string;
  readonly threat: ThreatLevel;
  /** The track's short name, speed, altitude, heading, sources and nearest friendly asset. */
  readonly brief: TrackBrief;
}

export interface ApprovalHistoryItem {
  readonly request: ApprovalRequestItem;
  readonly outcome: ApprovalOutcome;
  /** Who decided, when known. */
  readonly by: string | undefined;
  /** When it left the queue (ms since the epoch). */
  readonly at: number;
}

/** Whether an entity's approval request still waits for a decision at time `now`. */
export type PendingPolicy = (entity: EntityView, now: number) => boolean;

export const pendingUntilDeadline: PendingPolicy = (entity, now) => {
  const a = entity.components.approval;
  return a !== undefined && a.deadline > now;
};

/** How many ended requests the history keeps; it scrolls in its own strip, so length costs no room. */
export const HISTORY_LENGTH = 50;

/** The request on `view`, if any, described against the friendly `assets`. */
export function requestOf(view: EntityView, assets: readonly EntityView[] = []): ApprovalRequestItem | undefined {
  const a = view.components.approval;
  if (!a) return undefined;
  return {
    entityId: view.id,
    requestId: a.requestId,
    requestedAt: a.requestedAt,
    deadline: a.deadline,
    tasks: a.tasks,
    requestedBy: a.requestedBy,
    label: labelOf(view),
    threat: view.components.threat?.level ?? 'none',
    brief: trackBrief(view, assets),
  };
}

export interface PendingApprovalsOptions {
  readonly policy?: () => PendingPolicy;
  readonly outcomeOf?: () => OutcomeResolver | undefined;
  readonly now?: () => number;
  /** How often expired requests are moved to the history. */
  readonly tickMs?: number;
}

export class PendingApprovalsController implements ReactiveController {
  /** Pending requests, soonest deadline first. */
  pending: readonly ApprovalRequestItem[] = [];
  /** Requests that left the queue, newest first. */
  history: readonly ApprovalHistoryItem[] = [];
  private readonly byEntity = new Map<string, ApprovalRequestItem>();
  private readonly decided = new Map<string, { decision: ApprovalDecision; by: string }>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;
  /** Store changes, delivered at most five times a second. */
  readonly changes: StoreChangesController;

  constructor(
    private readonly host: ReactiveControllerHost,
    getStore: () => EntityStore | undefined,
    private readonly options: PendingApprovalsOptions = {},
  ) {
    this.now = options.now ?? (() => Date.now());
    this.changes = new StoreChangesController(
      host,
      getStore,
      (batch, store) => {
        this.assets = undefined;
        for (const id of batch.deleted) this.consider(id, undefined);
        for (const id of batch.changed) this.consider(id, store.get(id), store);
        this.publish();
      },
      {
        cadence: 200,
        onReset: (store) => {
          this.byEntity.clear();
          this.assets = undefined;
          for (const view of store?.list() ?? []) this.consider(view.id, view, store);
          this.publish();
        },
      },
    );
    host.addController(this);
  }

  hostConnected(): void {
    this.timer = setInterval(() => this.expire(), this.options.tickMs ?? 1000);
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Notes a decision made on this node, so the history can say who made it. */
  recordDecision(requestId: string, decision: ApprovalDecision, by: string): void {
    this.decided.set(requestId, { decision, by });
    this.host.requestUpdate();
  }

  /** The decision this node sent for a request, if any. */
  decisionFor(requestId: string): ApprovalDecision | undefined {
    return this.decided.get(requestId)?.decision;
  }

  /** Moves requests whose time ran out to the history. */
  expire(): void {
    const now = this.now();
    let changed = false;
    for (const item of [...this.byEntity.values()]) {
      if (item.deadline <= now) {
        this.retire(item, now);
        changed = true;
      }
    }
    if (changed) this.publish();
  }

  /** Friendly assets, listed once per batch and only when a request needs them. */
  private assets: EntityView[] | undefined;

  private consider(id: string, view: EntityView | undefined, store?: EntityStore): void {
    const now = this.now();
    const before = this.byEntity.get(id);
    if (view?.components.approval && store && !this.assets) this.assets = store.list('asset').filter(isDefendedAsset);
    const item = view ? requestOf(view, this.assets) : undefined;
    const pending = view !== undefined && item !== undefined && (this.options.policy?.() ?? pendingUntilDeadline)(view, now);
    if (before && (!pending || item!.requestId !== before.requestId)) this.retire(before, now);
    if (pending) this.byEntity.set(id, item!);
  }

  private retire(item: ApprovalRequestItem, now: number): void {
    this.byEntity.delete(item.entityId);
    const known = this.options.outcomeOf?.()?.(item, now);
    const mine = this.decided.get(item.requestId);
    const outcome: ApprovalOutcome = known?.outcome ?? (mine ? (mine.decision === 'approve' ? 'approved' : 'denied') : item.deadline <= now ? 'timed_out' : 'closed');
    const by = known ? known.by : mine?.by;
    this.history = [{ request: item, outcome, by, at: now }, ...this.history].slice(0, HISTORY_LENGTH);
  }

  private publish(): void {
    this.pending = [...this.byEntity.values()].sort((a, b) => a.deadline - b.deadline || a.requestId.localeCompare(b.requestId));
    this.host.requestUpdate();
  }
}
