/**
 * How close a request is to its deadline, as the operator should read it: the colour of the
 * countdown and the word beside it come from here, so they always agree.
 *
 * The thresholds are relative to the request's own window (a 30 s request is half gone after
 * 15 s, a 2 min one after 60 s), except the last 10 s, which are urgent whatever the window:
 * that is about how long a person needs to read a card and press a key.
 */

export const DEADLINE_URGENCY = {
  /** More than half the window left. */
  normal: 'normal',
  /** Half or less left, more than `URGENT_MS`. */
  warning: 'warning',
  /** Under `URGENT_MS` left. */
  urgent: 'urgent',
} as const;
export type DeadlineUrgency = (typeof DEADLINE_URGENCY)[keyof typeof DEADLINE_URGENCY];

/** Below this many milliseconds left a request is urgent and announced again. */
export const URGENT_MS = 10_000;

/** Urgency of a request opened at `requestedAt` with `deadline`, at `now` (all ms since the epoch). */
export function deadlineUrgency(requestedAt: number, deadline: number, now: number): DeadlineUrgency {
  const left = deadline - now;
  if (left < URGENT_MS) return DEADLINE_URGENCY.urgent;
  const window = Math.max(1, deadline - requestedAt);
  return left / window > 0.5 ? DEADLINE_URGENCY.normal : DEADLINE_URGENCY.warning;
}

/** The word shown beside the countdown, so the state is never told by colour alone. */
export const URGENCY_TEXT: Record<DeadlineUrgency, string> = {
  normal: 'time left',
  warning: 'under half left',
  urgent: 'URGENT',
};
