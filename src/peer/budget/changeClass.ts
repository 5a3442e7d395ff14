/**
 * Which class a local change waits in, and what it replaces (its outbox key).
 *
 * - `delete`, `create`: entity life;
 * - `priority`: approval decisions and requests (journal entries, the approval component), tasks,
 *   a threat turning high, and any non-kinematic change to an entity at high threat;
 * - `routine`: classification, affiliation, source, fusion, lower threats, the task catalog;
 * - `position`: position and velocity, the high-rate updates a narrow link decimates.
 */
import {
  CODE_CREATE,
  CODE_DELETE,
  CODE_JOURNAL,
  CODE_TASK_ADD,
  CODE_TASK_REMOVE,
  REGISTERS,
  THREAT_LEVELS,
  type RawWrite,
} from '../../crdt/index.js';
import type { ChangeClass } from '../LatticeNode.js';

const HIGH = THREAT_LEVELS.indexOf('high');
const KINEMATIC = new Set<number>([REGISTERS.position.code, REGISTERS.velocity.code]);
const DECISIONS = new Set<number>([REGISTERS.approval.code, REGISTERS.task.code]);

export interface Classified {
  readonly cls: ChangeClass;
  /** Threat rank 0–3 of the entity (for a threat change: the new level). */
  readonly threat: number;
}

/** `threatOf(id)` is the entity's current threat rank where the change is made (0 if none). */
export function classifyChange(write: RawWrite, threatOf: (id: string) => number): Classified {
  const [id, code] = write;
  switch (code) {
    case CODE_DELETE:
      return { cls: 'delete', threat: threatOf(id) };
    case CODE_CREATE:
      return { cls: 'create', threat: threatOf(id) };
    case CODE_JOURNAL:
      return { cls: 'priority', threat: threatOf(id) };
    case CODE_TASK_ADD:
    case CODE_TASK_REMOVE: {
      const threat = threatOf(id);
      return { cls: threat >= HIGH ? 'priority' : 'routine', threat };
    }
    default: {
      if (code === REGISTERS.threat.code) {
        const level = typeof write[2] === 'number' ? write[2] : 0;
        return { cls: level >= HIGH ? 'priority' : 'routine', threat: level };
      }
      const threat = threatOf(id);
      const cls: ChangeClass = KINEMATIC.has(code) ? 'position' : DECISIONS.has(code) || threat >= HIGH ? 'priority' : 'routine';
      return { cls, threat };
    }
  }
}

/**
 * What a waiting change replaces: the same component of the same entity. Set elements (task
 * adds and removes) and journal entries are each their own key and never replaced.
 */
export function changeKey(write: RawWrite, stamp: string): string {
  const [id, code] = write;
  switch (code) {
    case CODE_DELETE:
      return `${id}|d`;
    case CODE_CREATE:
      return `${id}|c`;
    case CODE_JOURNAL:
      return `${id}|j|${stamp}|${JSON.stringify(write.slice(2))}`;
    case CODE_TASK_ADD:
    case CODE_TASK_REMOVE:
      return `${id}|${code}|${String(write[2])}|${stamp}`;
    default:
      return `${id}|${code}`;
  }
}
