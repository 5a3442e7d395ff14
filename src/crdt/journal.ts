/**
 * The journal: an append-only set of stamped entries kept on an entity for as long as it lives.
 * It is the audit trail (who, what, when) and the input of every outcome that must not depend
 * on last-writer-wins: the decisions on an approval request are a set, not a register, because
 * "deny wins over a concurrent approve" needs both.
 *
 * Wire form: [entityId, CODE_JOURNAL, kind, …fields]; who and when are the batch stamp.
 */
import { ValidationError } from './errors.js';
import { boundedString, finiteIn, oneOf, requireRecord, onlyKeys } from './validate.js';
import { TASK_NAME_PATTERN, TASK_STATES, type TaskState, type WireValue } from './components.js';
import type { Hlc } from './Hlc.js';

export const CODE_JOURNAL = 22;

export const VERDICTS = ['approve', 'deny'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Lattice's task life cycle, plus `cancelled` by an operator. */
const TASK_STATUSES = TASK_STATES;
type TaskStatus = TaskState;

export type JournalEntry =
  /** A request for a human decision on `tasks`, open until `deadline` (HLC wall ms). */
  | { readonly kind: 'request'; readonly requestId: string; readonly deadline: number; readonly tasks: readonly string[]; readonly auto: boolean }
  /**
   * `operator` is the name the operator goes by; `key` the fingerprint of the operator key that
   * signs it (peers refuse a decision whose batch is not signed under that key). Entries from
   * before keys have none. `pq`: in an owned room, the operator's ML-DSA attestation (base64,
   * `peer/trust/hybrid.ts`), the post-quantum half of its hybrid signature.
   */
  | { readonly kind: 'decision'; readonly requestId: string; readonly verdict: Verdict; readonly operator: string; readonly key?: string; readonly pq?: string }
  /** The request no longer applies (the threat fell below the level that needed it). */
  | { readonly kind: 'withdraw'; readonly requestId: string; readonly reason: string }
  /** A task changed status. */
  | { readonly kind: 'task'; readonly taskId: string; readonly status: TaskStatus; readonly note: string }
  /**
   * On the room's entity (`ROOM_ENTITY_ID`) of an owned room: a membership chain (base64, see
   * `peer/trust/membership.ts`) issued to a newcomer, so it and everyone can read it; `pq`, the
   * post-quantum halves of its memberships' signatures (base64).
   */
  | { readonly kind: 'admit'; readonly chain: string; readonly pq?: string }
  /**
   * On the room's entity: the owner revokes a key (base64url): its writes stamped after this do
   * not count. `pq`: the owner's ML-DSA attestation (`peer/trust/hybrid.ts`).
   */
  | { readonly kind: 'revoke'; readonly subject: string; readonly note: string; readonly pq?: string };

export type JournalKind = JournalEntry['kind'];
const KINDS: readonly JournalKind[] = ['request', 'decision', 'withdraw', 'task', 'admit', 'revoke'];
/** The entity that holds an owned room's admissions and revocations (its type is `room`). */
export const ROOM_ENTITY_ID = 'room';

/** An entry with the stamp of the batch that wrote it: `at.node` is who, `at.wall` is when. */
export interface StampedEntry {
  readonly entry: JournalEntry;
  readonly at: Hlc;
}

const ID = /^[A-Za-z0-9_.:-]+$/;
/** A key fingerprint, `XXXX-XXXX-XXXX-XXXX` (see `peer/trust/fingerprint.ts`). */
const KEY = /^[0-9A-F]{4}(-[0-9A-F]{4}){3}$/;
const MAX_TASKS = 16;
const MAX_WINDOW_MS = 2 ** 31 - 1;
const NOTE_MAX = 120;
/** A base64 membership chain of at most three certificates. */
const CHAIN = /^[A-Za-z0-9+/]+={0,2}$/;
const CHAIN_MAX = 820;
/** Base64 of one ML-DSA attestation (3,740 bytes), and of three memberships' ML-DSA halves (3 × 3,732). */
const ATTESTATION_MAX = 4988;
const CHAIN_PQ_MAX = 14928;
/** A raw Ed25519 public key in base64url. */
const SUBJECT = /^[A-Za-z0-9_-]{43}$/;

/** Validates an entry given through the API. */
export function validateJournalEntry(value: unknown): JournalEntry {
  const v = requireRecord('journal entry', value);
  const kind = oneOf('journal entry kind', v.kind, KINDS);
  switch (kind) {
    case 'request': {
      onlyKeys('request', v, ['kind', 'requestId', 'deadline', 'tasks', 'auto']);
      const tasks = v.tasks;
      if (!Array.isArray(tasks) || tasks.length === 0 || tasks.length > MAX_TASKS) {
        throw new ValidationError('request.tasks', `request.tasks must list 1–${MAX_TASKS} tasks.`);
      }
      return {
        kind,
        requestId: boundedString('request.requestId', v.requestId, 64, ID),
        deadline: Math.round(finiteIn('request.deadline', v.deadline, 0, 36 ** 9)),
        tasks: tasks.map((t, i) => boundedString(`request.tasks[${i}]`, t, 32, TASK_NAME_PATTERN)),
        auto: v.auto === true,
      };
    }
    case 'decision':
      onlyKeys('decision', v, ['kind', 'requestId', 'verdict', 'operator', 'key', 'pq']);
      if (v.pq !== undefined && v.key === undefined) throw new ValidationError('decision.pq', 'A decision with a post-quantum signature names its operator key.');
      return {
        kind,
        requestId: boundedString('decision.requestId', v.requestId, 64, ID),
        verdict: oneOf('decision.verdict', v.verdict, VERDICTS),
        operator: boundedString('decision.operator', v.operator, 64),
        ...(v.key === undefined ? {} : { key: boundedString('decision.key', v.key, 19, KEY) }),
        ...(v.pq === undefined ? {} : { pq: boundedString('decision.pq', v.pq, ATTESTATION_MAX, CHAIN) }),
      };
    case 'withdraw':
      onlyKeys('withdraw', v, ['kind', 'requestId', 'reason']);
      return { kind, requestId: boundedString('withdraw.requestId', v.requestId, 64, ID), reason: boundedString('withdraw.reason', v.reason, NOTE_MAX) };
    case 'task':
      onlyKeys('task', v, ['kind', 'taskId', 'status', 'note']);
      return {
        kind,
        taskId: boundedString('task.taskId', v.taskId, 64, ID),
        status: oneOf('task.status', v.status, TASK_STATUSES),
        note: v.note === undefined || v.note === '' ? '' : boundedString('task.note', v.note, NOTE_MAX),
      };
    case 'admit':
      onlyKeys('admit', v, ['kind', 'chain', 'pq']);
      return { kind, chain: boundedString('admit.chain', v.chain, CHAIN_MAX, CHAIN), ...(v.pq === undefined ? {} : { pq: boundedString('admit.pq', v.pq, CHAIN_PQ_MAX, CHAIN) }) };
    case 'revoke':
      onlyKeys('revoke', v, ['kind', 'subject', 'note', 'pq']);
      return {
        kind,
        subject: boundedString('revoke.subject', v.subject, 43, SUBJECT),
        note: v.note === undefined || v.note === '' ? '' : boundedString('revoke.note', v.note, NOTE_MAX),
        ...(v.pq === undefined ? {} : { pq: boundedString('revoke.pq', v.pq, ATTESTATION_MAX, CHAIN) }),
      };
  }
}

/** Wire payload (after entity id and code). The request deadline travels relative to the stamp. */
export function encodeJournalEntry(entry: JournalEntry, stampWall: number): WireValue[] {
  const kind = KINDS.indexOf(entry.kind);
  switch (entry.kind) {
    case 'request': {
      const window = entry.deadline - stampWall;
      if (window < 0 || window > MAX_WINDOW_MS) {
        throw new ValidationError('request.deadline', 'request.deadline must be in the future, by at most 24 days.');
      }
      return [kind, entry.requestId, window, entry.auto ? 1 : 0, ...entry.tasks];
    }
    case 'decision': {
      const out: WireValue[] = [kind, entry.requestId, VERDICTS.indexOf(entry.verdict), entry.operator];
      if (entry.key !== undefined) out.push(entry.key);
      if (entry.key !== undefined && entry.pq !== undefined) out.push(entry.pq);
      return out;
    }
    case 'withdraw':
      return [kind, entry.requestId, entry.reason];
    case 'task':
      return [kind, entry.taskId, TASK_STATUSES.indexOf(entry.status), entry.note];
    case 'admit':
      return entry.pq === undefined ? [kind, entry.chain] : [kind, entry.chain, entry.pq];
    case 'revoke':
      return entry.pq === undefined ? [kind, entry.subject, entry.note] : [kind, entry.subject, entry.note, entry.pq];
  }
}

function int(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ValidationError(field, `${field} on the wire must be an integer in [0, ${max}].`);
  }
  return value;
}

/** Decodes a payload from the document (untrusted); `stampWall` is the batch's HLC wall. */
export function decodeJournalEntry(payload: readonly unknown[], stampWall: number): JournalEntry {
  const kind = KINDS[int('journal kind', payload[0], KINDS.length - 1)]!;
  const arity = (min: number, max = min) => {
    if (payload.length < min || payload.length > max) throw new ValidationError('journal', `A ${kind} entry on the wire has ${payload.length} fields.`);
  };
  switch (kind) {
    case 'request':
      arity(5, 4 + MAX_TASKS);
      return {
        kind,
        requestId: boundedString('request.requestId', payload[1], 64, ID),
        deadline: stampWall + int('request.deadline', payload[2], MAX_WINDOW_MS),
        auto: int('request.auto', payload[3], 1) === 1,
        tasks: payload.slice(4).map((t, i) => boundedString(`request.tasks[${i}]`, t, 32, TASK_NAME_PATTERN)),
      };
    case 'decision':
      arity(4, 6);
      return {
        kind,
        requestId: boundedString('decision.requestId', payload[1], 64, ID),
        verdict: VERDICTS[int('decision.verdict', payload[2], VERDICTS.length - 1)]!,
        operator: boundedString('decision.operator', payload[3], 64),
        ...(payload.length >= 5 ? { key: boundedString('decision.key', payload[4], 19, KEY) } : {}),
        ...(payload.length === 6 ? { pq: boundedString('decision.pq', payload[5], ATTESTATION_MAX, CHAIN) } : {}),
      };
    case 'withdraw':
      arity(3);
      return { kind, requestId: boundedString('withdraw.requestId', payload[1], 64, ID), reason: boundedString('withdraw.reason', payload[2], NOTE_MAX) };
    case 'task':
      arity(4);
      return {
        kind,
        taskId: boundedString('task.taskId', payload[1], 64, ID),
        status: TASK_STATUSES[int('task.status', payload[2], TASK_STATUSES.length - 1)]!,
        note: payload[3] === '' ? '' : boundedString('task.note', payload[3], NOTE_MAX),
      };
    case 'admit':
      arity(2, 3);
      return { kind, chain: boundedString('admit.chain', payload[1], CHAIN_MAX, CHAIN), ...(payload.length === 3 ? { pq: boundedString('admit.pq', payload[2], CHAIN_PQ_MAX, CHAIN) } : {}) };
    case 'revoke':
      arity(3, 4);
      return {
        kind,
        subject: boundedString('revoke.subject', payload[1], 43, SUBJECT),
        note: payload[2] === '' ? '' : boundedString('revoke.note', payload[2], NOTE_MAX),
        ...(payload.length === 4 ? { pq: boundedString('revoke.pq', payload[3], ATTESTATION_MAX, CHAIN) } : {}),
      };
  }
}
