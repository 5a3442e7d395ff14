/**
 * Tasks given to assets, following Lattice's task life cycle:
 * created → sent → acknowledged → executing → done_ok | done_not_ok, or cancelled by an
 * operator before it is done. A task is an entity of type `task`; its status is a register
 * (latest by HLC wins) and every transition is kept in its journal.
 *
 * Task ids are derived from the approval request, so two nodes that both create the intercept
 * for one approved request during a partition create the same entity, which merges.
 */
import { EntityNotFoundError, PermissionError, StateError, ValidationError } from './errors.js';
import { TASK_STATES, type Position, type Task, type TaskKind, type TaskState } from './components.js';
import type { EntityStore, EntityView } from './EntityStore.js';
import type { Actor } from './ApprovalDesk.js';

/** Which status may follow which. Terminal states have none. */
export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  created: ['sent', 'done_not_ok', 'cancelled'],
  sent: ['acknowledged', 'done_not_ok', 'cancelled'],
  acknowledged: ['executing', 'done_not_ok', 'cancelled'],
  executing: ['done_ok', 'done_not_ok', 'cancelled'],
  done_ok: [],
  done_not_ok: [],
  cancelled: [],
};

export function isTerminal(status: TaskState): boolean {
  return TASK_TRANSITIONS[status].length === 0;
}

export function taskIdFor(requestId: string): string {
  return `task.${requestId}`;
}

export class TaskBoard {
  constructor(
    private readonly store: EntityStore,
    private readonly actor: () => Actor,
  ) {}

  /** Creates the task for an approved request (idempotent: the id comes from the request). */
  create(kind: TaskKind, targetId: string, assetId: string, requestId: string, note = ''): string {
    const id = taskIdFor(requestId);
    if (this.store.has(id)) return id;
    if (!this.store.has(targetId)) throw new EntityNotFoundError(targetId);
    if (!this.store.has(assetId)) throw new EntityNotFoundError(assetId);
    const task: Task = { kind, targetId, assetId, requestId, status: 'created' };
    this.store.transact(() => {
      this.store.create(id, 'task', { task });
      this.store.record(id, { kind: 'task', taskId: id, status: 'created', note: note || `${kind} ${targetId} with ${assetId}` });
    });
    return id;
  }

  /** Moves a task to its next status; an impossible transition is a `StateError`. */
  advance(taskId: string, status: TaskState, note = ''): void {
    if (!(TASK_STATES as readonly string[]).includes(status)) throw new ValidationError('status', `"${String(status)}" is not a task status.`);
    if (status === 'cancelled') {
      this.cancel(taskId, note);
      return;
    }
    this.transition(taskId, status, note);
  }

  /** Cancels a task that is not done yet. Operators only. */
  cancel(taskId: string, note = ''): void {
    const actor = this.actor();
    if (actor.role !== 'operator') throw new PermissionError(`Only an operator can cancel a task; this node's role is ${actor.role}.`);
    this.transition(taskId, 'cancelled', note || `cancelled by ${actor.name}`);
  }

  get(taskId: string): (Task & { id: string }) | undefined {
    const task = this.store.get(taskId)?.components.task;
    return task ? { ...task, id: taskId } : undefined;
  }

  list(): Array<Task & { id: string }> {
    return this.store.list('task').flatMap((v) => (v.components.task ? [{ ...v.components.task, id: v.id }] : []));
  }

  /** The task of an asset that is not finished yet, if any. */
  activeTaskOf(assetId: string): (Task & { id: string }) | undefined {
    return this.list().find((t) => t.assetId === assetId && !isTerminal(t.status));
  }

  /** The nearest friendly asset with no active task (and not in `exclude`), or undefined. */
  nearestAvailableAsset(target: Position, exclude: ReadonlySet<string> = new Set()): EntityView | undefined {
    let best: EntityView | undefined;
    let bestDistance = Infinity;
    for (const asset of this.store.list('asset')) {
      const position = asset.components.position;
      if (!position || asset.components.affiliation?.value !== 'friend' || exclude.has(asset.id)) continue;
      if (this.activeTaskOf(asset.id)) continue;
      const d = haversineM(position, target);
      if (d < bestDistance) {
        bestDistance = d;
        best = asset;
      }
    }
    return best;
  }

  private transition(taskId: string, status: TaskState, note: string): void {
    const current = this.get(taskId);
    if (!current) throw new EntityNotFoundError(taskId);
    if (!TASK_TRANSITIONS[current.status].includes(status)) {
      throw new StateError(`Task "${taskId}" is ${current.status}; it cannot become ${status}.`);
    }
    this.store.transact(() => {
      this.store.update(taskId, { task: { ...stripId(current), status } });
      this.store.record(taskId, { kind: 'task', taskId, status, note });
    });
  }
}

function stripId(task: Task & { id: string }): Task {
  return { kind: task.kind, targetId: task.targetId, assetId: task.assetId, requestId: task.requestId, status: task.status };
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres (spherical Earth; within 0.5 % of WGS84). */
export function haversineM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}
