/**
 * Messages across the worker boundary, typed on both sides and checked on arrival: the worker
 * is outside the main thread's trust (a bug there must not corrupt the node), and the main
 * thread is outside the worker's.
 */
import { isRecord } from '../crdt/validate.js';
import { PIPELINE_ROLES, type PipelineStatus } from './Pipeline.js';

export const FAULT_KINDS = ['throw', 'tick', 'hang'] as const;
/**
 * Fault drills: `throw` raises an uncaught error in the worker, `tick` makes the next pipeline
 * step throw, `hang` blocks the worker's thread for good.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

export type HostMessage =
  | {
      readonly type: 'init';
      readonly node: string;
      readonly tickMs: number;
      readonly leaseTtlMs: number;
      /** Runs this worker must not compute: they crashed earlier workers twice. */
      readonly setAsideRuns: readonly string[];
      /** The page's clock fence (ms off the mesh), or null when its clock agrees. */
      readonly clockFenceMs: number | null;
      /** Whether this node's role lets it compute (a viewer or a guest writes nothing). */
      readonly mayCompute: boolean;
      /** Lease holders whose leases count as vacant (signed under a revoked key). */
      readonly vacantHolders: readonly string[];
    }
  | { readonly type: 'fence'; readonly clockFenceMs: number | null }
  | { readonly type: 'authority'; readonly mayCompute: boolean; readonly vacantHolders: readonly string[] }
  | { readonly type: 'update'; readonly update: Uint8Array }
  | { readonly type: 'fault'; readonly kind: FaultKind };

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'update'; readonly update: Uint8Array }
  | { readonly type: 'status'; readonly status: PipelineStatus }
  | { readonly type: 'error'; readonly message: string; readonly stack: string | undefined };

export function isHostMessage(data: unknown): data is HostMessage {
  if (!isRecord(data)) return false;
  switch (data.type) {
    case 'init':
      return (
        typeof data.node === 'string' &&
        isPositive(data.tickMs) &&
        isPositive(data.leaseTtlMs) &&
        Array.isArray(data.setAsideRuns) &&
        data.setAsideRuns.every((r: unknown) => typeof r === 'string') &&
        isFence(data.clockFenceMs) &&
        typeof data.mayCompute === 'boolean' &&
        isStringList(data.vacantHolders)
      );
    case 'fence':
      return isFence(data.clockFenceMs);
    case 'authority':
      return typeof data.mayCompute === 'boolean' && isStringList(data.vacantHolders);
    case 'update':
      return data.update instanceof Uint8Array;
    case 'fault':
      return (FAULT_KINDS as readonly unknown[]).includes(data.kind);
    default:
      return false;
  }
}

export function isWorkerMessage(data: unknown): data is WorkerMessage {
  if (!isRecord(data)) return false;
  switch (data.type) {
    case 'ready':
      return true;
    case 'update':
      return data.update instanceof Uint8Array;
    case 'status':
      return isStatus(data.status);
    case 'error':
      return typeof data.message === 'string' && (data.stack === undefined || typeof data.stack === 'string');
    default:
      return false;
  }
}

function isFence(v: unknown): v is number | null {
  return v === null || (typeof v === 'number' && Number.isFinite(v));
}

function isPositive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

const optional = (v: unknown, type: 'string' | 'number'): boolean => v === undefined || typeof v === type;

/** Enough of a `PipelineStatus` for the UI to render it without tripping over a missing field. */
function isStatus(s: unknown): s is PipelineStatus {
  if (!isRecord(s)) return false;
  return (
    (PIPELINE_ROLES as readonly unknown[]).includes(s.role) &&
    typeof s.runTimeS === 'number' &&
    typeof s.confirmedTracks === 'number' &&
    optional(s.runId, 'string') &&
    optional(s.scenario, 'string') &&
    optional(s.leaseHolder, 'string') &&
    optional(s.leaseExpires, 'number') &&
    optional(s.problem, 'string') &&
    (s.score === undefined || (isRecord(s.score) && typeof s.score.gospa === 'number')) &&
    (s.timing === undefined || (isRecord(s.timing) && typeof s.timing.fuseMs === 'number' && typeof s.timing.writeMs === 'number')) &&
    Array.isArray(s.setAside) &&
    s.setAside.every((e: unknown) => isRecord(e) && typeof e.id === 'string' && typeof e.stage === 'string' && typeof e.reason === 'string')
  );
}

function isStringList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((v: unknown) => typeof v === 'string');
}
