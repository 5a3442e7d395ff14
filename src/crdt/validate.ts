/**
 * Small guards for values that come from outside: users, peers, files, the worker. Each throws
 * a `ValidationError` whose message names the field and says what was expected.
 */
import { ValidationError } from './errors.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireRecord(field: string, value: unknown): Record<string, unknown> {
  if (!isRecord(value)) {
    throw new ValidationError(field, `${field} must be an object, got ${describe(value)}.`);
  }
  return value;
}

export function finiteIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(field, `${field} must be a finite number, got ${describe(value)}.`);
  }
  if (value < min || value > max) {
    throw new ValidationError(field, `${field} must be between ${min} and ${max}, got ${value}.`);
  }
  return value;
}

export function boundedString(field: string, value: unknown, maxLength: number, pattern?: RegExp): string {
  if (typeof value !== 'string') {
    throw new ValidationError(field, `${field} must be a string, got ${describe(value)}.`);
  }
  if (value.length === 0 || value.length > maxLength) {
    throw new ValidationError(field, `${field} must be 1–${maxLength} characters long, got ${value.length}.`);
  }
  if (pattern && !pattern.test(value)) {
    throw new ValidationError(field, `${field} ${JSON.stringify(value)} has characters that are not allowed.`);
  }
  return value;
}

export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, `${field} must be one of ${allowed.join(', ')}, got ${describe(value)}.`);
  }
  return value as T;
}

/** Rejects keys an object should not carry, so a typo is an error rather than silently ignored. */
export function onlyKeys(field: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  // for…in with an own-key check: Object.keys without allocating its array on every write.
  for (const key in value) {
    if (Object.hasOwn(value, key) && !allowed.includes(key)) {
      throw new ValidationError(`${field}.${key}`, `${field} has no field "${key}" (expected ${allowed.join(', ')}).`);
    }
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return typeof value;
}
