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
  | { readonly type: 'init'; readonly node: string; readonly tickMs: number; readonly leaseTtlMs: number }
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
      return typeof data.node === 'string' && isPositive(data.tickMs) && isPositive(data.leaseTtlMs);
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
      return isRecord(data.status) && (PIPELINE_ROLES as readonly unknown[]).includes(data.status.role) && typeof data.status.runTimeS === 'number';
    case 'error':
      return typeof data.message === 'string' && (data.stack === undefined || typeof data.stack === 'string');
    default:
      return false;
  }
}

function isPositive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}
