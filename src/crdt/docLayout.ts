/**
 * What a mesh document may hold: its root types, their kinds and their limits. Everything a
 * peer sends is checked against this before it is applied (`UpdateAdmission`), so content of
 * any other kind (a root nobody reads, a nested type, text, binary, a sub-document) never
 * enters the document, its storage or what it forwards.
 */

/** The entity log: an array of batches (see `batch.ts`). */
export const LOG_NAME = 'lattice.log';
/** Who computes what for the whole mesh (see `workers/Lease.ts`). */
export const LEASES_MAP = 'lattice.leases';
/** The run the mesh computes (see `workers/RunConfig.ts`). */
export const PIPELINE_MAP = 'lattice.pipeline';

export interface LogRoot {
  readonly kind: 'log';
}

/** A map of a few plain (JSON) records under known keys, each bounded. */
export interface MapRoot {
  readonly kind: 'map';
  /** The keys it may hold: any other is refused (a peer could otherwise fill it with junk). */
  readonly keys: readonly string[];
  /** Size of one value as JSON, in characters. */
  readonly maxValueChars: number;
}

export type RootRule = LogRoot | MapRoot;

export type DocLayout = ReadonlyMap<string, RootRule>;

export const MESH_LAYOUT: DocLayout = new Map<string, RootRule>([
  [LOG_NAME, { kind: 'log' }],
  // One lease per derived result; the pipeline's is the only one. A lease carries its writer's
  // seal (certificate and membership chain: about 1 KB as base64 with a chain of three).
  [LEASES_MAP, { kind: 'map', keys: ['pipeline'], maxValueChars: 2048 }],
  // A run carries its scenario as JSON text (at most 200,000 characters, `MAX_RUN_CHARS`).
  [PIPELINE_MAP, { kind: 'map', keys: ['run'], maxValueChars: 256 * 1024 }],
]);

/** Deepest nesting of a map value (objects and arrays) that is accepted. */
export const MAX_VALUE_DEPTH = 8;

/** The names of the layout's maps. */
export function mapRootNames(layout: DocLayout): string[] {
  return [...layout].filter(([, rule]) => rule.kind === 'map').map(([name]) => name);
}
