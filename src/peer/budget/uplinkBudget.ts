/** Checking and defaulting an `UplinkBudget` given by a person or a script. */
import { ValidationError } from '../../crdt/index.js';
import type { UplinkBudget } from '../LatticeNode.js';

export const UNLIMITED: UplinkBudget = Object.freeze({ bytesPerSecond: 0, burstBytes: 0 });
/** A burst below this would split messages into parts mostly made of headers. */
export const MIN_BURST_BYTES = 256;
export const MAX_BURST_BYTES = 64 * 1024 * 1024;
export const MAX_BYTES_PER_SECOND = 1_000_000_000;
/** A budget given without a burst may send one second's worth at once, and at least this. */
export const DEFAULT_MIN_BURST_BYTES = 1024;

/**
 * The budget `input` asks for, or a `ValidationError` saying what is wrong with it.
 * `bytesPerSecond: 0` is unlimited (the burst is then irrelevant and reported as 0).
 */
export function validateBudget(input: unknown): UplinkBudget {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError('budget', 'A budget is an object { bytesPerSecond, burstBytes? }.');
  }
  const { bytesPerSecond, burstBytes, ...rest } = input as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new ValidationError('budget', `A budget has no field "${extra[0]}" (only bytesPerSecond and burstBytes).`);
  if (typeof bytesPerSecond !== 'number' || !Number.isInteger(bytesPerSecond) || bytesPerSecond < 0 || bytesPerSecond > MAX_BYTES_PER_SECOND) {
    throw new ValidationError('budget.bytesPerSecond', `The budget must be a whole number of bytes per second, from 0 (unlimited) to ${MAX_BYTES_PER_SECOND.toLocaleString('en-US')}; got ${String(bytesPerSecond).slice(0, 40)}.`);
  }
  if (bytesPerSecond === 0) return UNLIMITED;
  if (burstBytes === undefined) return Object.freeze({ bytesPerSecond, burstBytes: Math.min(MAX_BURST_BYTES, Math.max(DEFAULT_MIN_BURST_BYTES, bytesPerSecond)) });
  if (typeof burstBytes !== 'number' || !Number.isInteger(burstBytes) || burstBytes < MIN_BURST_BYTES || burstBytes > MAX_BURST_BYTES) {
    throw new ValidationError('budget.burstBytes', `The burst must be a whole number of bytes from ${MIN_BURST_BYTES} to ${MAX_BURST_BYTES.toLocaleString('en-US')} (64 MiB); got ${String(burstBytes).slice(0, 40)}.`);
  }
  return Object.freeze({ bytesPerSecond, burstBytes });
}
