/**
 * CoT events into the picture. The rule is one pure decision per event (`admissionOf`) and one
 * store transaction for all of them: every write goes through `EntityStore.create`/`update`,
 * which validate as they do for any write, and a refusal of any event throws and leaves the
 * store as it was (the transaction keeps nothing).
 *
 * - An event whose stale time has passed is skipped: CoT says it no longer holds.
 * - Several events for one uid: the latest `time` speaks for it.
 * - An entity whose position was written after the event's `time` already holds newer
 *   information: the event changes nothing.
 * - An event for an entity of another type (a uid that is a geo point here arriving as a track)
 *   is refused, as is the room's own entity.
 */
import { ROOM_ENTITY_ID, ValidationError, type EntityStore } from '../../crdt/index.js';
import type { CotEvent } from './cotEvent.js';
import { cotToEntity, type CotEntity } from './cotMapping.js';

export const ADMISSION_OUTCOMES = ['created', 'updated', 'older', 'stale', 'superseded'] as const;
/** What became of one event: written, or why not (all are normal, none is an error). */
export type AdmissionOutcome = (typeof ADMISSION_OUTCOMES)[number];

export interface CotAdmission {
  /** Ids per outcome, in event order. */
  readonly created: readonly string[];
  readonly updated: readonly string[];
  /** The picture held newer information. */
  readonly older: readonly string[];
  /** Stale at `now`. */
  readonly stale: readonly string[];
  /** Another event in the same batch for the same uid was newer. */
  readonly superseded: readonly string[];
}

type StoreReads = Pick<EntityStore, 'typeOf' | 'get'>;

/** The decision for one event, given what the store holds (pure: reads only). */
export function admissionOf(entity: CotEntity, store: StoreReads, now: number): Exclude<AdmissionOutcome, 'superseded'> {
  if (entity.id === ROOM_ENTITY_ID) {
    throw new ValidationError('entity-id', `A CoT event may not use the uid "${ROOM_ENTITY_ID}": it is the room's own entity.`);
  }
  if (entity.stale <= now) return 'stale';
  const existing = store.typeOf(entity.id);
  if (existing === undefined) return 'created';
  if (existing !== entity.type) {
    throw new ValidationError('entity type', `The CoT event for "${entity.id}" describes a ${entity.type}, but "${entity.id}" is a ${existing} in this picture; it is not changed.`);
  }
  const written = store.get(entity.id)?.stamps.position?.wall;
  return written !== undefined && written >= entity.time ? 'older' : 'updated';
}

/**
 * Admits `events` into `store`, all or nothing. Throws `ValidationError` naming the event at fault
 * (or another of the store's `LatticeError`s, e.g. a fenced clock); nothing is written then.
 */
export function admitCot(store: EntityStore, events: readonly CotEvent[], now: number): CotAdmission {
  const name = (i: number) => (events.length === 1 ? 'The CoT event' : `CoT event ${i + 1}`);
  return admitEntities(store, events.map((event, i) => cotToEntity(event, `${name(i)} (uid ${JSON.stringify(event.uid.slice(0, 64))})`)), now, name);
}

/** Admits entities read from a file (CoT events, KML placemarks) by the same rule, all or nothing. */
export function admitEntities(store: EntityStore, entities: readonly CotEntity[], now: number, name: (index: number) => string): CotAdmission {
  const latest = new Map<string, number>();
  entities.forEach((e, i) => {
    const at = latest.get(e.id);
    if (at === undefined || e.time >= entities[at]!.time) latest.set(e.id, i);
  });
  const result: Record<AdmissionOutcome, string[]> = { created: [], updated: [], older: [], stale: [], superseded: [] };
  store.transact(() => {
    entities.forEach((entity, i) => {
      if (latest.get(entity.id) !== i) {
        result.superseded.push(entity.id);
        return;
      }
      const at = `${name(i)} (${JSON.stringify(entity.id.slice(0, 64))})`;
      try {
        const outcome = admissionOf(entity, store, now);
        if (outcome === 'created') store.create(entity.id, entity.type, entity.components);
        else if (outcome === 'updated') store.update(entity.id, entity.components);
        result[outcome].push(entity.id);
      } catch (error) {
        // Named by event, so a person can find the line; the store's own message says what.
        if (error instanceof ValidationError) throw new ValidationError(error.field, `${at}: ${error.message}`);
        throw error;
      }
    });
  });
  return result;
}
