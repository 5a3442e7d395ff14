/**
 * Requests, decisions and withdrawals on entities, for one node. Outcomes come from
 * `approvalOutcome`; this class only refuses what a person must not do (a viewer deciding,
 * deciding twice, deciding what is no longer pending) before anything is written.
 */
import { EntityNotFoundError, PermissionError, StateError, ValidationError } from './errors.js';
import { approvalOutcome, DEFAULT_APPROVAL_TIMEOUT_MS, type ApprovalOutcome } from './approval.js';
import { validateTaskCatalog } from './components.js';
import type { EntityStore } from './EntityStore.js';
import type { Verdict } from './journal.js';

export type ActorRole = 'operator' | 'viewer';

/** Who acts on this node. Read on every call, so a role change applies at once. */
export interface Actor {
  readonly role: ActorRole;
  readonly name: string;
  /** The fingerprint of the operator key this node signs with; decisions name it. */
  readonly key?: string;
  /**
   * In an owned room: the post-quantum half of a decision's hybrid signature (the operator's
   * ML-DSA attestation of it, base64), which peers require beside the batch's Ed25519 seal.
   */
  readonly attest?: (decision: { entityId: string; requestId: string; verdict: Verdict; operator: string; key: string }) => string;
}

export interface PendingApproval extends ApprovalOutcome {
  readonly entityId: string;
}

const MIN_TIMEOUT_MS = 1_000;
const MAX_TIMEOUT_MS = 24 * 3600 * 1000;

export class ApprovalDesk {
  constructor(
    private readonly store: EntityStore,
    private readonly actor: () => Actor,
  ) {}

  /**
   * Opens a request for a human decision on `tasks`; returns its id. The deadline is
   * `timeoutMs` from now in HLC time. With `auto`, the request is approved by policy at once
   * (kept for the audit trail).
   */
  request(entityId: string, tasks: readonly string[], options: { timeoutMs?: number; auto?: boolean } = {}): string {
    const timeoutMs = options.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs < MIN_TIMEOUT_MS || timeoutMs > MAX_TIMEOUT_MS) {
      throw new ValidationError('timeoutMs', `An approval timeout must be between ${MIN_TIMEOUT_MS} ms and 24 h, got ${timeoutMs}.`);
    }
    const list = validateTaskCatalog(tasks);
    if (list.length === 0) throw new ValidationError('tasks', 'An approval request must propose at least one task.');
    if (!this.store.has(entityId)) throw new EntityNotFoundError(entityId);
    const requestedAt = this.store.wallNow();
    const deadline = requestedAt + Math.round(timeoutMs);
    const requestId = `r${requestedAt.toString(36)}${randomSuffix()}`;
    // The journal entry is the record that outcomes are judged from; the `approval` component
    // is an index of the current request (so lists need not read every journal). One batch,
    // one stamp: the two never disagree.
    this.store.transact(() => {
      this.store.update(entityId, { approval: { requestId, requestedAt, deadline, tasks: list, requestedBy: this.store.node } });
      this.store.record(entityId, { kind: 'request', requestId, deadline, tasks: list, auto: options.auto === true });
    });
    return requestId;
  }

  /** Approves or denies the entity's current request. Operators only, once, while pending. */
  decide(entityId: string, verdict: Verdict, requestId?: string): void {
    const actor = this.actor();
    if (actor.role !== 'operator') {
      throw new PermissionError(`Only an operator can ${verdict} a request; this node's role is ${actor.role}.`);
    }
    if (verdict !== 'approve' && verdict !== 'deny') throw new ValidationError('verdict', `A decision is approve or deny, not ${String(verdict)}.`);
    const outcome = this.outcome(entityId);
    if (!outcome) throw new StateError(`Entity "${entityId}" has no approval request.`);
    if (requestId !== undefined && requestId !== outcome.request.requestId) {
      throw new StateError(`Request ${requestId} is no longer the current request of "${entityId}".`);
    }
    if (outcome.state !== 'pending') {
      throw new StateError(`The request on "${entityId}" is ${outcome.state.replace('_', ' ')}; only a pending request can be decided.`);
    }
    // Whose decision it is is the key that signed it (peers check), not the stamp's node id:
    // anyone can stamp with ours, nobody can sign with our key.
    const mine = (d: ApprovalOutcome['decisions'][number]) => (actor.key === undefined ? d.at.node === this.store.node : d.key === actor.key);
    if (outcome.decisions.some(mine)) {
      throw new StateError(`This ${actor.key === undefined ? 'node' : 'operator'} already decided the request on "${entityId}".`);
    }
    const requestIdNow = outcome.request.requestId;
    const pq = actor.key === undefined ? undefined : actor.attest?.({ entityId, requestId: requestIdNow, verdict, operator: actor.name, key: actor.key });
    this.store.record(entityId, { kind: 'decision', requestId: requestIdNow, verdict, operator: actor.name, ...(actor.key === undefined ? {} : { key: actor.key }), ...(pq === undefined ? {} : { pq }) });
  }

  /** Withdraws a pending request (the threat fell below the level that needed it). */
  withdraw(entityId: string, reason: string): void {
    const outcome = this.outcome(entityId);
    if (!outcome || outcome.state !== 'pending') {
      throw new StateError(`The request on "${entityId}" is ${outcome?.state ?? 'missing'}; only a pending request can be withdrawn.`);
    }
    this.store.record(entityId, { kind: 'withdraw', requestId: outcome.request.requestId, reason });
  }

  /** The outcome of the entity's current request, judged now. */
  outcome(entityId: string): ApprovalOutcome | undefined {
    return approvalOutcome(this.store.journal(entityId), this.store.wallNow());
  }

  /** Every pending request, soonest deadline first. */
  pending(): PendingApproval[] {
    const now = this.store.wallNow();
    const out: PendingApproval[] = [];
    for (const view of this.store.list()) {
      if (!view.components.approval) continue;
      const outcome = approvalOutcome(this.store.journal(view.id), now);
      if (outcome?.state === 'pending') out.push({ ...outcome, entityId: view.id });
    }
    return out.sort((a, b) => a.request.deadline - b.request.deadline);
  }
}

function randomSuffix(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => (b % 36).toString(36)).join('');
}
