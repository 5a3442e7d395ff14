/**
 * The typed components an entity is made of, each with its validation and its compact wire form.
 *
 * Wire forms are flat arrays of small integers and short strings because lib0's `writeAny`
 * (which Yjs uses for array content) spends 1 type byte plus a varint on an integer but 9 bytes
 * on a float: a position at 1e-6° (≈ 0.11 m) and whole metres costs 14 bytes instead of 27.
 * Values read back are the decoded wire form on every node, so local and remote reads agree.
 */
import { ValidationError } from './errors.js';
import { boundedString, finiteIn, onlyKeys, oneOf, requireRecord } from './validate.js';

/** `room`: the one entity of an owned room's authority (admissions and revocations in its journal). */
export const ENTITY_TYPES = ['track', 'asset', 'geo', 'task', 'room'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const THREAT_LEVELS = ['none', 'low', 'medium', 'high'] as const;
export type ThreatLevel = (typeof THREAT_LEVELS)[number];

export const AFFILIATIONS = ['unknown', 'friend', 'neutral', 'hostile'] as const;
export type AffiliationValue = (typeof AFFILIATIONS)[number];

export const SENSOR_TYPES = ['eo', 'radar', 'external', 'fused', 'operator'] as const;
export type SensorType = (typeof SENSOR_TYPES)[number];

/** Geodetic position, WGS84 degrees; altitude in metres above mean sea level. */
export interface Position {
  lat: number;
  lon: number;
  alt: number;
}

/** Ground speed in metres per second and true heading in degrees [0, 360). */
export interface Velocity {
  speed: number;
  heading: number;
}

export interface Classification {
  label: string;
  confidence: number;
}

export interface Threat {
  level: ThreatLevel;
}

export interface Affiliation {
  value: AffiliationValue;
}

/** Which sensor produced this entity's observations. */
export interface Source {
  sensorId: string;
  sensorType: SensorType;
}

/** A fused track: the sources it was built from, its confidence and 1-sigma error ellipse. */
export interface Fusion {
  sourceIds: string[];
  confidence: number;
  errorMajorM: number;
  errorMinorM: number;
  /** Orientation of the major axis, degrees clockwise from north. */
  errorOrientationDeg: number;
}

/** A request for a human decision on proposed tasks. */
export interface Approval {
  requestId: string;
  /** HLC wall time (ms) at which the request was made. */
  requestedAt: number;
  /** HLC wall time (ms) after which no decision counts. */
  deadline: number;
  tasks: string[];
  requestedBy: string;
}

export const TASK_KINDS = ['intercept'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** The status of a task entity, the latest by HLC (its history is in the journal). */
export const TASK_STATES = ['created', 'sent', 'acknowledged', 'executing', 'done_ok', 'done_not_ok', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** A task given to an asset: what, against which target, by whom approved. */
export interface Task {
  kind: TaskKind;
  targetId: string;
  assetId: string;
  /** The approval request that allowed it. */
  requestId: string;
  status: TaskState;
}

/** Every component, by name. `taskCatalog` is a set (add-wins), the others are registers. */
export interface ComponentValues {
  position: Position;
  velocity: Velocity;
  classification: Classification;
  threat: Threat;
  affiliation: Affiliation;
  source: Source;
  fusion: Fusion;
  approval: Approval;
  task: Task;
  taskCatalog: string[];
}

export type ComponentName = keyof ComponentValues;
export type RegisterName = Exclude<ComponentName, 'taskCatalog'>;
export type Components = Partial<ComponentValues>;

/** A scalar that lib0 encodes compactly. */
export type WireValue = number | string;

export interface RegisterSpec<N extends RegisterName> {
  readonly name: N;
  /** Stable number on the wire. Never reuse or renumber one. */
  readonly code: number;
  validate(value: unknown): ComponentValues[N];
  encode(value: ComponentValues[N]): WireValue[];
  /** Decodes a payload from the document; throws `ValidationError` when a peer sent garbage. */
  decode(payload: readonly unknown[]): ComponentValues[N];
}

const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
const TEXT_MAX = 64;
const MAX_LIST = 32;

/** Wire codes that are not registers. */
export const CODE_CREATE = 0;
export const CODE_DELETE = 1;
export const CODE_TASK_ADD = 20;
export const CODE_TASK_REMOVE = 21;

function int(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `${field} on the wire must be an integer in [${min}, ${max}].`);
  }
  return value;
}

function arity(field: string, payload: readonly unknown[], min: number, max = min): void {
  if (payload.length < min || payload.length > max) {
    throw new ValidationError(field, `${field} on the wire has ${payload.length} fields, expected ${min === max ? min : `${min}–${max}`}.`);
  }
}

function stringList(field: string, value: unknown, pattern: RegExp): string[] {
  if (!Array.isArray(value) || value.length > MAX_LIST) {
    throw new ValidationError(field, `${field} must be an array of at most ${MAX_LIST} strings.`);
  }
  return value.map((v, i) => boundedString(`${field}[${i}]`, v, TEXT_MAX, pattern));
}

const E6 = 1e6;

const position: RegisterSpec<'position'> = {
  name: 'position',
  code: 2,
  validate(value) {
    const v = requireRecord('position', value);
    onlyKeys('position', v, ['lat', 'lon', 'alt']);
    return {
      lat: finiteIn('position.lat', v.lat, -90, 90),
      lon: finiteIn('position.lon', v.lon, -180, 180),
      alt: v.alt === undefined ? 0 : finiteIn('position.alt', v.alt, -12_000, 1_000_000),
    };
  },
  encode: (p) => [Math.round(p.lat * E6), Math.round(p.lon * E6), Math.round(p.alt)],
  decode(payload) {
    arity('position', payload, 3);
    return {
      lat: int('position.lat', payload[0], -90 * E6, 90 * E6) / E6,
      lon: int('position.lon', payload[1], -180 * E6, 180 * E6) / E6,
      alt: int('position.alt', payload[2], -12_000, 1_000_000),
    };
  },
};

const velocity: RegisterSpec<'velocity'> = {
  name: 'velocity',
  code: 3,
  validate(value) {
    const v = requireRecord('velocity', value);
    onlyKeys('velocity', v, ['speed', 'heading']);
    const heading = finiteIn('velocity.heading', v.heading, -360, 720);
    return { speed: finiteIn('velocity.speed', v.speed, 0, 3_000), heading: ((heading % 360) + 360) % 360 };
  },
  // Centimetres per second and centidegrees; a heading that rounds to 360.00 wraps to 0.
  encode: (v) => [Math.round(v.speed * 100), Math.round(v.heading * 100) % 36_000],
  decode(payload) {
    arity('velocity', payload, 2);
    return {
      speed: int('velocity.speed', payload[0], 0, 300_000) / 100,
      heading: int('velocity.heading', payload[1], 0, 35_999) / 100,
    };
  },
};

const classification: RegisterSpec<'classification'> = {
  name: 'classification',
  code: 4,
  validate(value) {
    const v = requireRecord('classification', value);
    onlyKeys('classification', v, ['label', 'confidence']);
    return {
      label: boundedString('classification.label', v.label, TEXT_MAX),
      confidence: finiteIn('classification.confidence', v.confidence, 0, 1),
    };
  },
  encode: (c) => [c.label, Math.round(c.confidence * 1000)],
  decode(payload) {
    arity('classification', payload, 2);
    return {
      label: boundedString('classification.label', payload[0], TEXT_MAX),
      confidence: int('classification.confidence', payload[1], 0, 1000) / 1000,
    };
  },
};

const threat: RegisterSpec<'threat'> = {
  name: 'threat',
  code: 5,
  validate(value) {
    const v = requireRecord('threat', value);
    onlyKeys('threat', v, ['level']);
    return { level: oneOf('threat.level', v.level, THREAT_LEVELS) };
  },
  encode: (t) => [THREAT_LEVELS.indexOf(t.level)],
  decode(payload) {
    arity('threat', payload, 1);
    return { level: THREAT_LEVELS[int('threat.level', payload[0], 0, THREAT_LEVELS.length - 1)]! };
  },
};

const affiliation: RegisterSpec<'affiliation'> = {
  name: 'affiliation',
  code: 6,
  validate(value) {
    const v = requireRecord('affiliation', value);
    onlyKeys('affiliation', v, ['value']);
    return { value: oneOf('affiliation.value', v.value, AFFILIATIONS) };
  },
  encode: (a) => [AFFILIATIONS.indexOf(a.value)],
  decode(payload) {
    arity('affiliation', payload, 1);
    return { value: AFFILIATIONS[int('affiliation.value', payload[0], 0, AFFILIATIONS.length - 1)]! };
  },
};

const source: RegisterSpec<'source'> = {
  name: 'source',
  code: 7,
  validate(value) {
    const v = requireRecord('source', value);
    onlyKeys('source', v, ['sensorId', 'sensorType']);
    return {
      sensorId: boundedString('source.sensorId', v.sensorId, TEXT_MAX, ID_PATTERN),
      sensorType: oneOf('source.sensorType', v.sensorType, SENSOR_TYPES),
    };
  },
  encode: (s) => [s.sensorId, SENSOR_TYPES.indexOf(s.sensorType)],
  decode(payload) {
    arity('source', payload, 2);
    return {
      sensorId: boundedString('source.sensorId', payload[0], TEXT_MAX, ID_PATTERN),
      sensorType: SENSOR_TYPES[int('source.sensorType', payload[1], 0, SENSOR_TYPES.length - 1)]!,
    };
  },
};

const fusion: RegisterSpec<'fusion'> = {
  name: 'fusion',
  code: 8,
  validate(value) {
    const v = requireRecord('fusion', value);
    onlyKeys('fusion', v, ['sourceIds', 'confidence', 'errorMajorM', 'errorMinorM', 'errorOrientationDeg']);
    const sourceIds = stringList('fusion.sourceIds', v.sourceIds, ID_PATTERN);
    if (sourceIds.length === 0) throw new ValidationError('fusion.sourceIds', 'fusion.sourceIds must name at least one source.');
    const orientation = finiteIn('fusion.errorOrientationDeg', v.errorOrientationDeg ?? 0, -360, 720);
    return {
      sourceIds,
      confidence: finiteIn('fusion.confidence', v.confidence, 0, 1),
      errorMajorM: finiteIn('fusion.errorMajorM', v.errorMajorM ?? 0, 0, 1_000_000),
      errorMinorM: finiteIn('fusion.errorMinorM', v.errorMinorM ?? 0, 0, 1_000_000),
      errorOrientationDeg: ((orientation % 180) + 180) % 180,
    };
  },
  encode: (f) => [
    Math.round(f.confidence * 1000),
    Math.round(f.errorMajorM),
    Math.round(f.errorMinorM),
    Math.round(f.errorOrientationDeg) % 180,
    ...f.sourceIds,
  ],
  decode(payload) {
    arity('fusion', payload, 5, 4 + MAX_LIST);
    return {
      confidence: int('fusion.confidence', payload[0], 0, 1000) / 1000,
      errorMajorM: int('fusion.errorMajorM', payload[1], 0, 1_000_000),
      errorMinorM: int('fusion.errorMinorM', payload[2], 0, 1_000_000),
      errorOrientationDeg: int('fusion.errorOrientationDeg', payload[3], 0, 179),
      sourceIds: stringList('fusion.sourceIds', payload.slice(4), ID_PATTERN),
    };
  },
};

/** The largest time whose base-36 text fits the 9 characters decoders accept. */
const MAX_TIME = 36 ** 9 - 1;
const MAX_APPROVAL_WINDOW_MS = 2 ** 31 - 1;

const approval: RegisterSpec<'approval'> = {
  name: 'approval',
  code: 9,
  validate(value) {
    const v = requireRecord('approval', value);
    onlyKeys('approval', v, ['requestId', 'requestedAt', 'deadline', 'tasks', 'requestedBy']);
    const requestedAt = Math.round(finiteIn('approval.requestedAt', v.requestedAt, 0, MAX_TIME));
    const deadline = Math.round(finiteIn('approval.deadline', v.deadline, 0, MAX_TIME));
    if (deadline < requestedAt || deadline - requestedAt > MAX_APPROVAL_WINDOW_MS) {
      throw new ValidationError('approval.deadline', 'approval.deadline must be after approval.requestedAt, by at most 24 days.');
    }
    return {
      requestId: boundedString('approval.requestId', v.requestId, TEXT_MAX, ID_PATTERN),
      requestedAt,
      deadline,
      tasks: stringList('approval.tasks', v.tasks, ID_PATTERN),
      requestedBy: boundedString('approval.requestedBy', v.requestedBy, TEXT_MAX, ID_PATTERN),
    };
  },
  // Times as base-36 text: lib0 would spend 9 bytes on an integer this large.
  encode: (a) => [a.requestId, a.requestedAt.toString(36), (a.deadline - a.requestedAt), a.requestedBy, ...a.tasks],
  decode(payload) {
    arity('approval', payload, 4, 4 + MAX_LIST);
    const at = typeof payload[1] === 'string' && /^[0-9a-z]{1,9}$/.test(payload[1]) ? parseInt(payload[1], 36) : NaN;
    if (!Number.isFinite(at)) throw new ValidationError('approval.requestedAt', 'approval.requestedAt on the wire is not a time.');
    return {
      requestId: boundedString('approval.requestId', payload[0], TEXT_MAX, ID_PATTERN),
      requestedAt: at,
      deadline: at + int('approval.deadline', payload[2], 0, MAX_APPROVAL_WINDOW_MS),
      requestedBy: boundedString('approval.requestedBy', payload[3], TEXT_MAX, ID_PATTERN),
      tasks: stringList('approval.tasks', payload.slice(4), ID_PATTERN),
    };
  },
};

const task: RegisterSpec<'task'> = {
  name: 'task',
  code: 10,
  validate(value) {
    const v = requireRecord('task', value);
    onlyKeys('task', v, ['kind', 'targetId', 'assetId', 'requestId', 'status']);
    return {
      kind: oneOf('task.kind', v.kind, TASK_KINDS),
      targetId: boundedString('task.targetId', v.targetId, TEXT_MAX, ID_PATTERN),
      assetId: boundedString('task.assetId', v.assetId, TEXT_MAX, ID_PATTERN),
      requestId: boundedString('task.requestId', v.requestId, TEXT_MAX, ID_PATTERN),
      status: oneOf('task.status', v.status, TASK_STATES),
    };
  },
  encode: (t) => [TASK_KINDS.indexOf(t.kind), t.targetId, t.assetId, t.requestId, TASK_STATES.indexOf(t.status)],
  decode(payload) {
    arity('task', payload, 5);
    return {
      kind: TASK_KINDS[int('task.kind', payload[0], 0, TASK_KINDS.length - 1)]!,
      targetId: boundedString('task.targetId', payload[1], TEXT_MAX, ID_PATTERN),
      assetId: boundedString('task.assetId', payload[2], TEXT_MAX, ID_PATTERN),
      requestId: boundedString('task.requestId', payload[3], TEXT_MAX, ID_PATTERN),
      status: TASK_STATES[int('task.status', payload[4], 0, TASK_STATES.length - 1)]!,
    };
  },
};

type RegisterSpecs = { [N in RegisterName]: RegisterSpec<N> };

/** Every register component, by name. */
export const REGISTERS: RegisterSpecs = {
  position,
  velocity,
  classification,
  threat,
  affiliation,
  source,
  fusion,
  approval,
  task,
};

export const REGISTER_NAMES = Object.keys(REGISTERS) as RegisterName[];
export const COMPONENT_NAMES: readonly ComponentName[] = [...REGISTER_NAMES, 'taskCatalog'];

const byCode = new Map<number, RegisterSpec<RegisterName>>(
  REGISTER_NAMES.map((name) => [REGISTERS[name].code, REGISTERS[name] as unknown as RegisterSpec<RegisterName>]),
);

export function registerByCode(code: number): RegisterSpec<RegisterName> | undefined {
  return byCode.get(code);
}

export const TASK_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** Validates a whole task catalog: a list of distinct task names. Returns it sorted. */
export function validateTaskCatalog(value: unknown): string[] {
  const names = stringList('taskCatalog', value, TASK_NAME_PATTERN);
  return [...new Set(names)].sort();
}

export const ENTITY_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export function validateEntityId(id: unknown): string {
  if (typeof id !== 'string' || !ENTITY_ID_PATTERN.test(id)) {
    throw new ValidationError(
      'entity-id',
      `Entity id ${typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : String(id)} is not valid: ` +
        "use 1–64 letters, digits, '.', ':', '-' or '_'.",
    );
  }
  return id;
}

export function validateEntityType(type: unknown): EntityType {
  return oneOf('entity type', type, ENTITY_TYPES);
}

/**
 * Validates a partial component bag as given to `create` or `update`: every key must be a known
 * component and every value valid. Returns normalised values; the input is not modified.
 */
export function validateComponents(value: unknown): Components {
  const bag = requireRecord('components', value);
  const out: Components = {};
  // for…in with an own-key check, not Object.entries: the same keys in the same order, without
  // an array per key on a path that runs for every write.
  for (const name in bag) {
    if (!Object.hasOwn(bag, name)) continue;
    const component = bag[name];
    if (component === undefined) continue;
    if (name === 'taskCatalog') {
      out.taskCatalog = validateTaskCatalog(component);
    } else if (Object.hasOwn(REGISTERS, name)) {
      const spec = REGISTERS[name as RegisterName];
      (out as Record<string, unknown>)[name] = spec.validate(component);
    } else {
      throw new ValidationError(
        'component',
        `"${name.slice(0, 40)}" is not a component; known components are ${COMPONENT_NAMES.join(', ')}.`,
      );
    }
  }
  return out;
}
