/**
 * Checks a peer's awareness (presence) update before it is applied. y-protocols applies one
 * entry at a time and stops at the first that is not JSON, leaving the rest half applied, and
 * remembers every client id it ever saw: a peer could grow that without bound, or send states of
 * any size. Here the whole update is read first and refused whole when:
 * - it is malformed, lists more than `MAX_ENTRIES` clients, or a state is not JSON or is larger
 *   than `MAX_STATE_CHARS`;
 * - it would make this node remember more than `MAX_CLIENTS` clients;
 * - `checkState` refuses one of its states (the mesh checks presence signatures:
 *   `trust/presenceSeal.ts`).
 * A state `checkState` calls stale (genuine, but older than one already seen: an honest relay's
 * late copy, or a replay) is left out of what is applied, and nobody is blamed for it.
 * Clients that left over a minute ago are forgotten first, so honest churn never hits the cap.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type * as awarenessProtocol from 'y-protocols/awareness';

export const MAX_ENTRIES = 256;
export const MAX_CLIENTS = 1024;
export const MAX_STATE_CHARS = 16 * 1024;
const FORGET_LEFT_AFTER_MS = 60_000;

/** What `AwarenessStateCheck` returns for a state to leave out without blaming its sender. */
export const STALE_STATE = Symbol('stale presence');

/**
 * Why one client's state (parsed JSON; null when it left) may not be applied, `STALE_STATE` to
 * leave it out quietly, or undefined.
 */
export type AwarenessStateCheck = (clientId: number, state: unknown) => string | typeof STALE_STATE | undefined;

/** An update to apply (the one given, or it without stale states), or why it may not be applied. */
export type AwarenessVerdict = { readonly update: Uint8Array | undefined } | { readonly refused: string };

/** What of `update` may be applied to `awareness` (nothing left: `update` undefined), or why none of it. */
export function admitAwareness(awareness: awarenessProtocol.Awareness, update: Uint8Array, checkState?: AwarenessStateCheck): AwarenessVerdict {
  const kept: Array<[number, number, string]> = [];
  let dropped = false;
  const why = readEntries(awareness, update, checkState, kept, () => (dropped = true));
  if (why !== undefined) return { refused: why };
  if (!dropped) return { update };
  return { update: kept.length === 0 ? undefined : encodeAwarenessEntries(kept) };
}

/** An awareness update of `[client id, clock, state as JSON]` entries, as y-protocols writes one. */
export function encodeAwarenessEntries(entries: ReadonlyArray<readonly [number, number, string]>): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const [id, clock, state] of entries) {
    encoding.writeVarUint(encoder, id);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, state);
  }
  return encoding.toUint8Array(encoder);
}

/** Why `update` may not be applied to `awareness`, or undefined when it may (stale states aside). */
export function awarenessRefusal(awareness: awarenessProtocol.Awareness, update: Uint8Array, checkState?: AwarenessStateCheck): string | undefined {
  return readEntries(awareness, update, checkState, [], () => undefined);
}

function readEntries(awareness: awarenessProtocol.Awareness, update: Uint8Array, checkState: AwarenessStateCheck | undefined, kept: Array<[number, number, string]>, drop: () => void): string | undefined {
  const ids: number[] = [];
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    if (count > MAX_ENTRIES) return `a presence update listing ${count} clients (at most ${MAX_ENTRIES})`;
    for (let i = 0; i < count; i++) {
      const id = decoding.readVarUint(decoder);
      ids.push(id);
      const clock = decoding.readVarUint(decoder);
      const state = decoding.readVarString(decoder);
      if (state.length > MAX_STATE_CHARS) return `a presence state of ${state.length} characters (at most ${MAX_STATE_CHARS})`;
      const parsed: unknown = JSON.parse(state);
      // y-protocols ignores a state no newer than the one it holds (relays bring copies): only
      // a state it would apply is checked.
      const held = awareness.meta.get(id)?.clock;
      if (held !== undefined && clock <= held) {
        kept.push([id, clock, state]);
        continue;
      }
      const why = checkState?.(id, parsed);
      if (why === STALE_STATE) {
        drop();
        continue;
      }
      if (why !== undefined) return why;
      kept.push([id, clock, state]);
    }
  } catch (error) {
    return `a malformed presence update (${error instanceof Error ? error.message : String(error)})`;
  }
  const fresh = ids.filter((id) => !awareness.meta.has(id)).length;
  if (fresh === 0) return undefined;
  if (awareness.meta.size + fresh > MAX_CLIENTS / 2) forgetLeft(awareness);
  if (awareness.meta.size + fresh > MAX_CLIENTS) return `presence for more than ${MAX_CLIENTS} clients`;
  return undefined;
}

/** Forgets clients that left (no state) over a minute ago. */
function forgetLeft(awareness: awarenessProtocol.Awareness): void {
  const now = Date.now();
  for (const [id, meta] of awareness.meta) {
    if (!awareness.states.has(id) && now - meta.lastUpdated > FORGET_LEFT_AFTER_MS) awareness.meta.delete(id);
  }
}
