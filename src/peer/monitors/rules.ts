/**
 * The rules the mesh promises, written once: the running node checks them (`MeshMonitor`) and
 * the tests check them with the same functions, so the two cannot drift apart (issue 17 §2).
 *
 * Each rule is a small function over what a node can see, returning the evidence of a break (or
 * nothing). They restate the promise independently of the code that keeps it: the approval rules
 * read the journal directly, not through `approvalOutcome`'s reasoning.
 */
import { compareHlc, encodeHlc, type ApprovalOutcome, type Hlc, type StampedEntry, type Task } from '../../crdt/index.js';

export const RULES = {
  'approval.deny-wins': 'A counted deny always wins: a request with a deny stamped after it and by its deadline is denied.',
  'approval.deadline': 'Nothing stamped after a deadline counts: what settled a request was stamped after it and by its deadline.',
  'clock.monotonic': 'The HLC never goes backwards: every stamp this node issues is greater than the one before.',
  'clock.within-offset': 'A stamp this node adopts from a peer is within the maximum clock offset of its own clock.',
  'uplink.budget': 'Bytes sent never exceed the budget times the time plus the burst, over any window.',
  'task.one-per-request': 'At most one task per approved request.',
  'task.only-approved': 'A request becomes a task only once approved: a withdrawn, denied or timed-out request never does.',
  'store.rebuild': 'The live picture agrees with one rebuilt from the document alone.',
} as const;

export type RuleId = keyof typeof RULES;

/** A break of a rule, with what shows it. */
export interface RuleBreak {
  readonly rule: RuleId;
  /** What was seen, in words and values, enough to reproduce. */
  readonly evidence: string;
}

/** The approval rules for one entity's journal and the outcome the node judged from it. */
export function approvalBreaks(entityId: string, journal: readonly StampedEntry[], outcome: ApprovalOutcome | undefined): RuleBreak[] {
  if (!outcome || outcome.request.auto) return [];
  const { request } = outcome;
  const counted = (at: Hlc) => compareHlc(at, request.requestedAt) > 0 && at.wall <= request.deadline;
  const out: RuleBreak[] = [];
  const deny = journal.find(({ entry, at }) => entry.kind === 'decision' && entry.requestId === request.requestId && entry.verdict === 'deny' && counted(at));
  if (deny && outcome.state !== 'denied') {
    out.push({ rule: 'approval.deny-wins', evidence: `${entityId}: request ${request.requestId} is ${outcome.state} although a deny stamped ${encodeHlc(deny.at)} (deadline ${request.deadline}) counts` });
  }
  if (outcome.decidedBy && !counted(outcome.decidedBy.at)) {
    out.push({ rule: 'approval.deadline', evidence: `${entityId}: request ${request.requestId} was settled (${outcome.state}) by an entry stamped ${encodeHlc(outcome.decidedBy.at)}, outside ${encodeHlc(request.requestedAt)} … ${request.deadline}` });
  }
  return out;
}

/** `clock.monotonic`: the stamp this node issued after `previous`. */
export function issuedBreak(previous: Hlc | undefined, next: Hlc): RuleBreak | undefined {
  if (previous === undefined || compareHlc(next, previous) > 0) return undefined;
  return { rule: 'clock.monotonic', evidence: `issued ${encodeHlc(next)} after ${encodeHlc(previous)}` };
}

/** `clock.within-offset`: a peer's stamp adopted when this node's clock read `physicalMs`. */
export function adoptedBreak(stamp: Hlc, physicalMs: number, maxOffsetMs: number): RuleBreak | undefined {
  if (stamp.wall - physicalMs <= maxOffsetMs) return undefined;
  return { rule: 'clock.within-offset', evidence: `adopted ${encodeHlc(stamp)} from node ${stamp.node}, ${stamp.wall - physicalMs} ms ahead of this clock (at most ${maxOffsetMs})` };
}

/** A reading of the bytes sent so far, at a time (ms). */
export interface SentSample {
  readonly atMs: number;
  readonly bytes: number;
}

/**
 * `uplink.budget` over every window between readings taken under one budget: bytes sent between
 * any two never exceed the budget for the time between them plus the burst.
 */
export function budgetBreak(samples: readonly SentSample[], bytesPerSecond: number, burstBytes: number): RuleBreak | undefined {
  if (bytesPerSecond <= 0) return undefined;
  for (let j = 1; j < samples.length; j++) {
    for (let i = 0; i < j; i++) {
      const sent = samples[j]!.bytes - samples[i]!.bytes;
      const allowed = (bytesPerSecond * (samples[j]!.atMs - samples[i]!.atMs)) / 1000 + burstBytes;
      if (sent > allowed) return { rule: 'uplink.budget', evidence: `${sent} B sent in ${samples[j]!.atMs - samples[i]!.atMs} ms under ${bytesPerSecond} B/s with a ${burstBytes} B burst (at most ${Math.floor(allowed)} B)` };
    }
  }
  return undefined;
}

/**
 * The task rules over the tasks a node holds. `journalOf` gives an entity's journal. A task's
 * request counts as approved if it was ever approved (automatically, or by a counted approve):
 * a deny or withdrawal that wins later, after a partition heals, settles the request, but the
 * task was made when it stood approved. What breaks the rule: a task for a request with no
 * counted approve at all. (A task can reach a node before the approve does: the monitor calls
 * it a break only once it has lasted a while.)
 */
export function taskBreaks(tasks: readonly { readonly id: string; readonly task: Task }[], journalOf: (entityId: string) => readonly StampedEntry[]): (RuleBreak & { readonly key: string })[] {
  const out: (RuleBreak & { readonly key: string })[] = [];
  const byRequest = new Map<string, string[]>();
  for (const { id, task } of tasks) {
    const key = `${task.targetId}/${task.requestId}`;
    byRequest.set(key, [...(byRequest.get(key) ?? []), id]);
    const journal = journalOf(task.targetId);
    const request = journal.find(({ entry }) => entry.kind === 'request' && entry.requestId === task.requestId);
    if (!request || request.entry.kind !== 'request') {
      out.push({ rule: 'task.only-approved', key: `only:${id}`, evidence: `task ${id} names request ${task.requestId} on ${task.targetId}, which this node does not hold` });
      continue;
    }
    if (request.entry.auto) continue;
    const deadline = request.entry.deadline;
    const approved = journal.some(
      ({ entry, at }) => entry.kind === 'decision' && entry.requestId === task.requestId && entry.verdict === 'approve' && compareHlc(at, request.at) > 0 && at.wall <= deadline,
    );
    if (!approved) out.push({ rule: 'task.only-approved', key: `only:${id}`, evidence: `task ${id} (${task.status}) for request ${task.requestId} on ${task.targetId}, which no counted approve ever approved` });
  }
  for (const [key, ids] of byRequest) {
    if (ids.length > 1) out.push({ rule: 'task.one-per-request', key: `one:${key}`, evidence: `${ids.length} tasks (${ids.join(', ')}) for request ${key}` });
  }
  return out;
}

/** `store.rebuild`: the live digest against one rebuilt from the document. */
export function rebuildBreak(live: string, rebuilt: string): RuleBreak | undefined {
  return live === rebuilt ? undefined : { rule: 'store.rebuild', evidence: `the live picture's digest ${live} differs from a rebuild's ${rebuilt}` };
}
