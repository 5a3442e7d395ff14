/**
 * Typed errors of the entity store. Every one carries a message written for a person, and a
 * `code` a program can switch on. Throwing one of these always means nothing was changed.
 */

export type LatticeErrorCode =
  | 'validation'
  | 'clock-skew'
  | 'clock-fenced'
  | 'not-found'
  | 'already-exists'
  | 'forbidden'
  | 'invalid-state';

export abstract class LatticeError extends Error {
  abstract readonly code: LatticeErrorCode;
}

/** Input that does not describe a valid entity, component, id or value. */
export class ValidationError extends LatticeError {
  readonly code = 'validation' as const;
  /** What was wrong, e.g. `position.lat`, `entity-id`, `component`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'ValidationError';
    this.field = field;
  }
}

/** This node's clock disagrees with its peers' by more than the mesh allows: it writes nothing. */
export class ClockFencedError extends LatticeError {
  readonly code = 'clock-fenced' as const;
  readonly offsetMs: number;

  constructor(offsetMs: number, maxOffsetMs: number) {
    const secs = Math.round(Math.abs(offsetMs) / 1000);
    super(
      `This node's clock is ${secs > 0 ? `${secs} s` : `${Math.round(Math.abs(offsetMs))} ms`} ${offsetMs > 0 ? 'ahead of' : 'behind'} its peers' (the limit is ${maxOffsetMs} ms), ` +
        "so it writes nothing: its changes would win or lose against everyone else's by the wrong time. " +
        "Set this device's clock (turn on automatic time); writing resumes by itself once it agrees.",
    );
    this.name = 'ClockFencedError';
    this.offsetMs = offsetMs;
  }
}

/** A remote timestamp further ahead of our physical clock than the mesh allows. */
export class ClockSkewError extends LatticeError {
  readonly code = 'clock-skew' as const;
  readonly aheadMs: number;

  constructor(aheadMs: number, maxOffsetMs: number) {
    super(
      `A remote clock is ${aheadMs} ms ahead of this node (the limit is ${maxOffsetMs} ms); ` +
        'its timestamp was not adopted. Check the clocks of the devices in the mesh.',
    );
    this.name = 'ClockSkewError';
    this.aheadMs = aheadMs;
  }
}

export class EntityNotFoundError extends LatticeError {
  readonly code = 'not-found' as const;
  readonly id: string;

  constructor(id: string) {
    super(`There is no entity with id "${id}" (it may have been deleted).`);
    this.name = 'EntityNotFoundError';
    this.id = id;
  }
}

export class EntityExistsError extends LatticeError {
  readonly code = 'already-exists' as const;
  readonly id: string;

  constructor(id: string) {
    super(`An entity with id "${id}" already exists; use update to change it.`);
    this.name = 'EntityExistsError';
    this.id = id;
  }
}

/** The node's role does not allow this action (e.g. a viewer deciding an approval). */
export class PermissionError extends LatticeError {
  readonly code = 'forbidden' as const;

  constructor(message: string) {
    super(message);
    this.name = 'PermissionError';
  }
}

/** The action does not fit the current state (e.g. deciding a request that is no longer pending). */
export class StateError extends LatticeError {
  readonly code = 'invalid-state' as const;

  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}
