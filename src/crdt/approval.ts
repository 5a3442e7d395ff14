/**
 * Human-on-the-loop approval: the outcome of a request is a pure function of the request, the
 * set of journal entries about it and the HLC time at which it is judged. Every node holding
 * the same journal reaches the same outcome, after any partition:
 *
 * - a decision or withdrawal counts only if stamped after the request and no later than its
 *   deadline, so a node cut off from the mesh cannot approve late (its HLC runs on);
 * - any counted deny wins (safety first), even over an approve that came earlier or concurrently;
 * - otherwise the first counted approve or withdrawal in HLC order decides;
 * - with nothing counted, the request is `pending` until its deadline and `timed_out` after
 *   (an automatic deny).
 */
import { compareHlc, type Hlc } from './Hlc.js';
import type { StampedEntry, Verdict } from './journal.js';

export const APPROVAL_STATES = ['auto_approved', 'pending', 'approved', 'denied', 'timed_out', 'withdrawn'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const DEFAULT_APPROVAL_TIMEOUT_MS = 30_000;

export interface ApprovalRequestInfo {
  readonly requestId: string;
  readonly tasks: readonly string[];
  readonly deadline: number;
  readonly requestedAt: Hlc;
  /** Node that made the request. */
  readonly requestedBy: string;
  readonly auto: boolean;
}

export interface DecisionInfo {
  readonly verdict: Verdict;
  readonly operator: string;
  /** The fingerprint of the operator key that signed it (none on entries from before keys). */
  readonly key?: string;
  readonly at: Hlc;
  /** False when stamped after the deadline (or before the request): it is kept but ignored. */
  readonly counts: boolean;
}

export interface ApprovalOutcome {
  readonly state: ApprovalState;
  readonly request: ApprovalRequestInfo;
  readonly decisions: readonly DecisionInfo[];
  /** The entry that settled the outcome, if one did. */
  readonly decidedBy?: { readonly operator: string; readonly key?: string; readonly at: Hlc; readonly kind: 'decision' | 'withdraw' };
}

/** The latest request in a journal (oldest-first order), if any. */
export function currentRequest(journal: readonly StampedEntry[]): ApprovalRequestInfo | undefined {
  for (let i = journal.length - 1; i >= 0; i--) {
    const { entry, at } = journal[i]!;
    if (entry.kind === 'request') {
      return { requestId: entry.requestId, tasks: entry.tasks, deadline: entry.deadline, requestedAt: at, requestedBy: at.node, auto: entry.auto };
    }
  }
  return undefined;
}

/**
 * The outcome of a request (the current one unless `requestId` is given), judged at HLC wall
 * time `nowWall`. Undefined when the journal holds no such request.
 */
export function approvalOutcome(journal: readonly StampedEntry[], nowWall: number, requestId?: string): ApprovalOutcome | undefined {
  const request =
    requestId === undefined
      ? currentRequest(journal)
      : currentRequest(journal.filter((s) => s.entry.kind === 'request' && s.entry.requestId === requestId));
  if (!request) return undefined;
  const within = (at: Hlc) => compareHlc(at, request.requestedAt) > 0 && at.wall <= request.deadline;
  const decisions: DecisionInfo[] = [];
  let firstDeny: DecisionInfo | undefined;
  let first: { operator: string; key?: string; at: Hlc; kind: 'decision' | 'withdraw'; state: ApprovalState } | undefined;
  for (const { entry, at } of journal) {
    if (entry.kind !== 'decision' && entry.kind !== 'withdraw') continue;
    if (entry.requestId !== request.requestId) continue;
    const counts = within(at);
    if (entry.kind === 'decision') {
      const decision: DecisionInfo = { verdict: entry.verdict, operator: entry.operator, ...(entry.key === undefined ? {} : { key: entry.key }), at, counts };
      decisions.push(decision);
      if (!counts) continue;
      if (entry.verdict === 'deny' && (!firstDeny || compareHlc(at, firstDeny.at) < 0)) firstDeny = decision;
      if (entry.verdict === 'approve' && (!first || compareHlc(at, first.at) < 0)) first = { ...decision, kind: 'decision', state: 'approved' };
    } else if (counts && (!first || compareHlc(at, first.at) < 0)) {
      first = { operator: 'system', at, kind: 'withdraw', state: 'withdrawn' };
    }
  }
  const base = { request, decisions };
  if (request.auto) return { ...base, state: 'auto_approved' };
  const by = (d: { operator: string; key?: string; at: Hlc }) => ({ operator: d.operator, ...(d.key === undefined ? {} : { key: d.key }), at: d.at });
  if (firstDeny) return { ...base, state: 'denied', decidedBy: { ...by(firstDeny), kind: 'decision' } };
  if (first) return { ...base, state: first.state, decidedBy: { ...by(first), kind: first.kind } };
  return { ...base, state: nowWall > request.deadline ? 'timed_out' : 'pending' };
}
