/**
 * What two replicas tell each other to repair one entity without sending what the other has:
 * each live write as a short key, `place|stamp|hash` (sent grouped by stamp: `heldSummary`):
 * - place: where the write lands: `c` (the create), `d` (the tombstone), a register's code, or
 *   `s` for a member of a set (a task add or remove, a journal entry: each its own place);
 * - stamp: the batch's HLC, which orders writes to one place;
 * - hash: 24 bits of the write's content, which tells two writes under one stamp apart.
 *
 * A replica sends the batches holding its writes that would win on the other side (the other
 * has nothing at that place, or an older stamp, or the same stamp with other content: the
 * index breaks that tie), and asks for the other's writes that would win here. Whole batches
 * travel (they are signed as written), but only those holding something the other needs.
 */
import { CODE_CREATE, CODE_DELETE, registerByCode } from './components.js';
import { fnv1a32 } from './digest.js';
import type { RawBatch, RawWrite } from './batch.js';

export interface LiveSlot {
  readonly stamp: string;
  readonly raw: RawWrite;
  readonly batch: RawBatch;
}

interface Key {
  readonly place: string;
  readonly stamp: string;
  readonly hash: string;
}

function placeOf(raw: RawWrite): string {
  const code = raw[1];
  if (code === CODE_CREATE) return 'c';
  if (code === CODE_DELETE) return 'd';
  return typeof code === 'number' && registerByCode(code) ? String(code) : 's';
}

/** One write's key, `place|stamp|hash`: what a replica asks another for. */
export function writeKey(slot: Pick<LiveSlot, 'stamp' | 'raw'>): string {
  const key = keyOf(slot);
  return `${key.place}|${key.stamp}|${key.hash}`;
}

function keyOf(slot: Pick<LiveSlot, 'stamp' | 'raw'>): Key {
  return { place: placeOf(slot.raw), stamp: slot.stamp, hash: (fnv1a32(JSON.stringify(slot.raw)) >>> 8).toString(36) };
}

/**
 * What a replica holds of one entity, as it tells another: one string per stamp,
 * `stamp|place:hash,place:hash…` (the writes of one batch share their stamp, written once).
 */
export function heldSummary(slots: readonly Pick<LiveSlot, 'stamp' | 'raw'>[]): string[] {
  const byStamp = new Map<string, string[]>();
  for (const slot of slots) {
    const key = keyOf(slot);
    const list = byStamp.get(key.stamp);
    const part = `${key.place}:${key.hash}`;
    if (list) list.push(part);
    else byStamp.set(key.stamp, [part]);
  }
  return [...byStamp].map(([stamp, parts]) => `${stamp}|${parts.join(',')}`);
}

/** Reads a `heldSummary` (from a peer: anything malformed is skipped). */
function readSummary(summary: readonly string[]): Key[] {
  const out: Key[] = [];
  for (const text of summary) {
    const bar = text.indexOf('|');
    if (bar < 0) continue;
    const stamp = text.slice(0, bar);
    for (const part of text.slice(bar + 1).split(',')) {
      const [place, hash] = part.split(':');
      if (place && hash) out.push({ place, stamp, hash });
    }
  }
  return out;
}

function parse(key: string): Key | undefined {
  const [place, stamp, hash] = key.split('|');
  return place !== undefined && stamp !== undefined && hash !== undefined ? { place, stamp, hash } : undefined;
}

/** Whether a write keyed `mine` would change the replica holding `theirs` (keys by place). */
function wins(mine: Key, theirs: ReadonlyMap<string, Key[]>): boolean {
  const there = theirs.get(mine.place);
  if (!there) return true;
  if (mine.place === 's') return !there.some((k) => k.stamp === mine.stamp && k.hash === mine.hash);
  const current = there[0]!;
  return mine.stamp > current.stamp || (mine.stamp === current.stamp && mine.hash !== current.hash);
}

function byPlace(keys: readonly Key[]): Map<string, Key[]> {
  const out = new Map<string, Key[]>();
  for (const key of keys) {
    const list = out.get(key.place);
    if (list) list.push(key);
    else out.set(key.place, [key]);
  }
  return out;
}

/** The batches holding our writes that would win at a replica whose `heldSummary` is `theirs`. */
export function batchesTheyNeed(ours: readonly LiveSlot[], theirs: readonly string[]): RawBatch[] {
  const there = byPlace(readSummary(theirs));
  const out = new Set<RawBatch>();
  for (const slot of ours) if (wins(keyOf(slot), there)) out.add(slot.batch);
  return [...out];
}

/** The keys (`writeKey`) of the writes in `theirs` (a `heldSummary`) that would win here. */
export function keysWeNeed(ours: readonly LiveSlot[], theirs: readonly string[]): string[] {
  const here = byPlace(ours.map(keyOf));
  return readSummary(theirs)
    .filter((key) => wins(key, here))
    .map((key) => `${key.place}|${key.stamp}|${key.hash}`);
}

/** The batches holding the writes named by `keys` (`writeKey`). */
export function batchesHolding(ours: readonly LiveSlot[], keys: readonly string[]): RawBatch[] {
  const wanted = new Set(keys.map(parse).filter((k): k is Key => k !== undefined).map((k) => `${k.place}|${k.stamp}|${k.hash}`));
  const out = new Set<RawBatch>();
  for (const slot of ours) if (wanted.has(writeKey(slot))) out.add(slot.batch);
  return [...out];
}
