/**
 * Checks a peer's Yjs update against the document's layout before it is applied: the document
 * is the wire, and what is refused here never reaches the index, the pipeline worker, storage or
 * the peers this node forwards to.
 *
 * An update is refused whole (a `ValidationError` naming the first reason) when any item in it:
 * - belongs to a root the layout does not have, or to a nested type (the layout has none);
 * - holds anything but plain values: text, binary, a nested type, a sub-document, formatting;
 * - puts into the log an entry that is not a batch, or a batch with not one readable write, or
 *   one the `BatchCheck` refuses (the mesh checks each batch's seal: who signed it, and may they);
 * - puts into a map a key it does not have, or a value that is not a record within its limits
 *   (size, nesting, non-finite numbers, BigInt, binary, prototype keys);
 * - follows an item refused before (it would inherit its place).
 *
 * An item's place is written in the update only when it has no neighbours; otherwise it is its
 * neighbour's, found in the same update or in the document. An item whose neighbour is in
 * neither arrived before what it follows (normal when updates take different paths): Yjs keeps
 * it pending until that arrives. Its content must be what some root may hold (a map's record,
 * or batches) and the store removes a log entry it cannot read; what waits is bounded by
 * `trimPending`, because a neighbour that never comes would keep it forever (sync brings it
 * again if it was honest).
 *
 * Honest nodes never write what is refused here, so a node that sends it is faulty or hostile.
 */
import * as Y from 'yjs';
import { decodeBatch, type DecodedBatch } from './batch.js';
import { MAX_VALUE_DEPTH, MESH_LAYOUT, type DocLayout } from './docLayout.js';
import { LatticeError, ValidationError } from './errors.js';
import { isRecord } from './validate.js';

/** Largest backlog of items waiting for what they follow, and of deletions waiting for items. */
export const MAX_PENDING_BYTES = 64 * 1024;
const MAX_PENDING_DELETE_BYTES = 16 * 1024;
/** Items remembered as refused (as clock ranges), so what follows them is refused too. */
const MAX_REFUSED_RANGES = 4096;

interface Placed {
  readonly root: string;
  readonly key: string | null;
}
type Place = Placed | 'unknown' | { readonly refused: string };

/**
 * Why a well-formed batch may not enter the log, or undefined when it may. Pure: every replica
 * must judge a batch alike, whoever sent it and whenever.
 */
export type BatchCheck = (batch: DecodedBatch) => string | undefined;

/**
 * Why a record may not stand under `root`/`key` of a map (both undefined for a value that
 * arrived before what it follows), or undefined. Pure, like `BatchCheck` (the mesh checks the
 * value's seal: `peer/trust/mapSeal.ts`).
 */
export type MapCheck = (root: string | undefined, key: string | undefined, value: unknown) => string | undefined;

export class UpdateAdmission {
  /** client → refused clock ranges [from, to), oldest client first. */
  private readonly refused = new Map<number, Array<[number, number]>>();
  private refusedRanges = 0;
  private readonly rootNames = new WeakMap<object, string>();
  /** Updates refused, and backlogs trimmed, since creation. */
  refusedUpdates = 0;
  trimmedPending = 0;

  constructor(
    private readonly doc: Y.Doc,
    private readonly layout: DocLayout = MESH_LAYOUT,
    private readonly batchCheck?: BatchCheck,
    private readonly mapCheck?: MapCheck,
  ) {}

  /**
   * Why `update` may not be applied, or undefined when it may. (A reason, not an exception: a
   * flooding peer's refusals must cost little, and an Error's stack costs more than the check.)
   */
  refusal(update: Uint8Array): string | undefined {
    let structs: Array<Y.Item | Y.GC | Y.AbstractStruct>;
    try {
      structs = Y.decodeUpdate(update).structs;
    } catch (error) {
      this.refusedUpdates++;
      return `an update that is not valid Yjs (${error instanceof Error ? error.message : String(error)})`;
    }
    const items = structs.filter((s): s is Y.Item => s instanceof Y.Item);
    const places = new Map<Y.Item, Place>();
    const byClient = new Map<number, Y.Item[]>();
    for (const item of items) {
      let list = byClient.get(item.id.client);
      if (!list) byClient.set(item.id.client, (list = []));
      list.push(item);
    }
    let reason: string | undefined;
    const bad: Y.Item[] = [];
    for (const item of items) {
      const place = this.placeOf(item, byClient, places, items.length);
      const why = typeof place === 'object' && 'refused' in place ? place.refused : this.contentProblem(item, place);
      if (why !== undefined) {
        reason ??= why;
        bad.push(item);
      }
    }
    if (reason === undefined) return undefined;
    for (const item of bad) this.remember(item);
    this.refusedUpdates++;
    return reason;
  }

  /** Throws `ValidationError` saying why, and changes nothing, if `update` may not be applied. */
  check(update: Uint8Array): void {
    const reason = this.refusal(update);
    if (reason !== undefined) throw new ValidationError('update', reason);
  }

  /**
   * Bounds what Yjs keeps waiting for missing items or deletions (call after applying): past the
   * bound it is dropped; if it was honest, sync (a state vector exchange) brings it again.
   */
  trimPending(): boolean {
    const store = this.doc.store as unknown as { pendingStructs: { update: Uint8Array } | null; pendingDs: Uint8Array | null };
    let trimmed = false;
    if (store.pendingStructs && store.pendingStructs.update.byteLength > MAX_PENDING_BYTES) {
      store.pendingStructs = null;
      trimmed = true;
    }
    if (store.pendingDs && store.pendingDs.byteLength > MAX_PENDING_DELETE_BYTES) {
      store.pendingDs = null;
      trimmed = true;
    }
    if (trimmed) this.trimmedPending++;
    return trimmed;
  }

  // ------------------------------------------------------------------ places

  /** Where `start` goes: its root and map key, from itself or the neighbours it follows. */
  private placeOf(start: Y.Item, byClient: ReadonlyMap<number, Y.Item[]>, places: Map<Y.Item, Place>, limit: number): Place {
    const chain: Y.Item[] = [];
    let item = start;
    let place: Place | undefined;
    while (place === undefined) {
      const known = places.get(item);
      if (known !== undefined) {
        place = known;
        break;
      }
      chain.push(item);
      if (chain.length > limit) {
        place = { refused: 'items that follow each other in a circle' };
      } else if (typeof item.parent === 'string') {
        place = this.rootPlace(item.parent, item.parentSub);
      } else if (item.parent !== null) {
        place = { refused: 'an item inside a nested type (this document has none)' };
      } else {
        const neighbour = item.origin ?? item.rightOrigin;
        if (neighbour === null) place = { refused: 'an item with neither a place nor a neighbour' };
        else if (this.isRefused(neighbour)) place = { refused: 'an item that follows one refused before' };
        else {
          const inUpdate = find(byClient.get(neighbour.client), neighbour.clock);
          if (inUpdate) item = inUpdate;
          else place = this.placeInDoc(neighbour);
        }
      }
    }
    for (const visited of chain) places.set(visited, place);
    return place;
  }

  private rootPlace(name: string, key: string | null): Place {
    if (!this.layout.has(name)) return { refused: `an item in a root "${name.slice(0, 40)}" that this document does not have` };
    return { root: name, key };
  }

  private placeInDoc(id: Y.ID): Place {
    const store = this.doc.store;
    if (!store.clients.has(id.client) || Y.getState(store, id.client) <= id.clock) return 'unknown';
    const struct = Y.getItem(store, id);
    // Next to a collected (deleted) item, Yjs collects the new one too: its content never lands.
    if (!(struct instanceof Y.Item)) return 'unknown';
    const parent = struct.parent as Y.AbstractType<unknown> | null;
    if (parent === null || parent._item !== null) return { refused: 'an item inside a nested type (this document has none)' };
    const root = this.rootName(parent);
    return root === undefined ? { refused: 'an item in a root this document does not have' } : this.rootPlace(root, struct.parentSub);
  }

  private rootName(type: Y.AbstractType<unknown>): string | undefined {
    let name = this.rootNames.get(type);
    if (name === undefined) {
      for (const [n, t] of this.doc.share) this.rootNames.set(t, n);
      name = this.rootNames.get(type);
    }
    return name;
  }

  // ------------------------------------------------------------------ content

  private contentProblem(item: Y.Item, place: Placed | 'unknown'): string | undefined {
    const content = item.content;
    if (content instanceof Y.ContentDeleted) return undefined;
    if (!(content instanceof Y.ContentAny)) return `${contentKind(content)} (this document holds only plain values)`;
    // Yjs skips what the document holds already (another peer brought it): no need to check it again.
    const held = item.id.clock + item.length <= Y.getState(this.doc.store, item.id.client);
    const check = held ? undefined : this.batchCheck;
    const mapCheck = held ? undefined : this.mapCheck;
    const values = content.getContent();
    // Not placed yet: it must be what some root may hold (a map's one record, or batches).
    if (place === 'unknown') {
      if (values.length !== 1 || !isRecord(values[0])) return firstBatchProblem(values, check);
      return plainProblem(values[0], largestValue(this.layout)) ?? mapCheck?.(undefined, undefined, values[0]);
    }
    const rule = this.layout.get(place.root)!;
    if (rule.kind === 'log') {
      return place.key !== null ? 'a keyed entry in the log' : firstBatchProblem(values, check);
    }
    if (place.key === null) return `a list entry in the map "${place.root}"`;
    if (!rule.keys.includes(place.key)) return `a key "${place.key.slice(0, 40)}" that "${place.root}" does not have`;
    if (values.length !== 1) return `several values under one key of "${place.root}"`;
    const why = isRecord(values[0]) ? (plainProblem(values[0], rule.maxValueChars) ?? mapCheck?.(place.root, place.key, values[0])) : 'a map value that is not a record';
    return why === undefined ? undefined : `${why} in "${place.root}"`;
  }

  // ------------------------------------------------------------------ refused items

  private remember(item: Y.Item): void {
    const { client, clock } = item.id;
    let ranges = this.refused.get(client);
    if (!ranges) {
      if (this.refused.size >= MAX_REFUSED_RANGES) this.forgetOldest();
      this.refused.set(client, (ranges = []));
    }
    const last = ranges[ranges.length - 1];
    if (last && clock <= last[1] && clock + item.length >= last[0]) {
      last[0] = Math.min(last[0], clock);
      last[1] = Math.max(last[1], clock + item.length);
      return;
    }
    if (this.refusedRanges >= MAX_REFUSED_RANGES) this.forgetOldest();
    ranges.push([clock, clock + item.length]);
    this.refusedRanges++;
  }

  private forgetOldest(): void {
    const [client, ranges] = this.refused.entries().next().value!;
    this.refused.delete(client);
    this.refusedRanges -= ranges.length;
  }

  private isRefused(id: Y.ID): boolean {
    const ranges = this.refused.get(id.client);
    return ranges !== undefined && ranges.some(([from, to]) => id.clock >= from && id.clock < to);
  }
}

/** The item of `items` (one client's, in clock order) that holds `clock`. */
function find(items: readonly Y.Item[] | undefined, clock: number): Y.Item | undefined {
  if (!items) return undefined;
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const item = items[mid]!;
    if (clock < item.id.clock) hi = mid - 1;
    else if (clock >= item.id.clock + item.length) lo = mid + 1;
    else return item;
  }
  return undefined;
}

function firstBatchProblem(values: readonly unknown[], check: BatchCheck | undefined): string | undefined {
  for (const value of values) {
    const why = batchProblem(value, check);
    if (why !== undefined) return why;
  }
  return undefined;
}

/**
 * Why `value` is not a log entry worth keeping (a batch with at least one readable write, that
 * `check` admits).
 */
export function batchProblem(value: unknown, check?: BatchCheck): string | undefined {
  try {
    const batch = decodeBatch(value);
    if (batch.writes.length === 0) return `a log entry without one readable write (${batch.rejected[0] ?? 'it is empty'})`;
    return check?.(batch);
  } catch (error) {
    if (!(error instanceof LatticeError)) throw error;
    return `a log entry that is not a batch (${error.message})`;
  }
}

function largestValue(layout: DocLayout): number {
  let most = 0;
  for (const rule of layout.values()) if (rule.kind === 'map') most = Math.max(most, rule.maxValueChars);
  return most;
}

function isPrototypeKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

/** Why `value` is not a plain JSON value of at most `maxChars` (roughly, as JSON), if it is not. */
export function plainProblem(value: unknown, maxChars: number): string | undefined {
  let budget = maxChars;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v === 'boolean') budget -= 5;
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return 'a number that is not finite';
      budget -= 8;
    } else if (typeof v === 'string') budget -= v.length + 2;
    else if (typeof v === 'object') {
      if (depth >= MAX_VALUE_DEPTH) return `a value nested deeper than ${MAX_VALUE_DEPTH}`;
      if (Array.isArray(v)) {
        budget -= 2 + v.length;
        for (const x of v) stack.push([x, depth + 1]);
      } else {
        if (v instanceof Uint8Array) return 'binary data';
        const proto: unknown = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) return 'an object with a prototype key';
        for (const key of Object.keys(v)) {
          if (isPrototypeKey(key)) return 'an object with a prototype key';
          budget -= key.length + 4;
          stack.push([(v as Record<string, unknown>)[key], depth + 1]);
        }
      }
    } else return `a value of type ${typeof v}`;
    if (budget < 0) return `a value larger than ${maxChars} characters`;
  }
  return undefined;
}

function contentKind(content: Y.Item['content']): string {
  if (content instanceof Y.ContentString) return 'text';
  if (content instanceof Y.ContentBinary) return 'binary data';
  if (content instanceof Y.ContentType) return 'a nested shared type';
  if (content instanceof Y.ContentDoc) return 'a sub-document';
  if (content instanceof Y.ContentEmbed || content instanceof Y.ContentFormat) return 'rich-text formatting';
  if (content instanceof Y.ContentJSON) return 'legacy JSON content';
  return 'content of an unknown kind';
}
