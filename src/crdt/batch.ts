/**
 * The wire form of a batch: one element of the document's log.
 *
 *   batch = [stamp, write, write, …]      stamp = encodeHlc(…) shared by every write
 *   write = [entityId, code, …payload]
 *
 * One HLC per batch is what keeps a tick of 1,000 position writes at ≈ 30 bytes each: the
 * stamp and the node id are paid once per batch, not once per write. Writes in one batch touch
 * distinct keys (the writer coalesces), so sharing a stamp never makes two writes tie.
 *
 * A batch in the mesh's document ends with its seal: bytes (the only binary element) by which
 * the node that wrote it signs it (see `peer/trust/batchSeal.ts`). The store carries the seal
 * with the batch and never reads it; a node's own batches in its local document have none
 * until they leave for the mesh.
 */
import { decodeHlc, type Hlc } from './Hlc.js';
import { LatticeError, ValidationError } from './errors.js';
import { validateEntityId, type WireValue } from './components.js';
import { ruleOf, type DecodedWrite, type RawWrite } from './writeKinds.js';

export type { DecodedWrite, RawWrite } from './writeKinds.js';
/** A raw batch as stored in the document. */
export type RawBatch = [string, ...RawWrite[]];

export interface DecodedBatch {
  readonly raw: RawBatch;
  readonly stamp: string;
  readonly hlc: Hlc;
  readonly writes: readonly DecodedWrite[];
  /** Human-readable reasons for every write that was skipped. */
  readonly rejected: readonly string[];
  /** The writer's signature over the rest (see the header), when the batch carries one. */
  readonly seal?: Uint8Array;
}

/** The seal a raw batch ends with, if it ends with one. */
export function batchSeal(raw: readonly unknown[]): Uint8Array | undefined {
  const last = raw.length > 1 ? raw[raw.length - 1] : undefined;
  return last instanceof Uint8Array ? last : undefined;
}

/** The batch without its seal: what the seal signs. */
export function unsealed(raw: RawBatch): RawBatch {
  return batchSeal(raw) ? (raw.slice(0, -1) as RawBatch) : raw;
}

/** The batch with `seal` at its end (replacing any it had). */
export function withSeal(raw: RawBatch, seal: Uint8Array): RawBatch {
  const out = unsealed(raw).slice() as unknown[];
  out.push(seal);
  return out as RawBatch;
}

/**
 * `[id, code, ...payload]` built at its exact length: a spread grows the array as it goes and
 * leaves it with spare room, and every write of a tick is kept in the log until overwritten.
 */
export function rawWrite(id: string, code: number, payload: readonly WireValue[]): RawWrite {
  switch (payload.length) {
    case 1:
      return [id, code, payload[0]!];
    case 2:
      return [id, code, payload[0]!, payload[1]!];
    case 3:
      return [id, code, payload[0]!, payload[1]!, payload[2]!];
    default:
      return [id, code, ...payload];
  }
}

/** Upper bound on writes in one batch, so a hostile peer cannot make one batch cost unbounded work. */
export const MAX_WRITES_PER_BATCH = 100_000;

/**
 * Decodes one log element. Throws `ValidationError` when the element is not a batch at all;
 * otherwise returns the valid writes and the reasons for each invalid one.
 */
export function decodeBatch(raw: unknown): DecodedBatch {
  if (!Array.isArray(raw) || raw.length < 1) {
    throw new ValidationError('batch', 'A log entry is not a batch (expected an array starting with a timestamp).');
  }
  const seal = batchSeal(raw);
  const end = seal ? raw.length - 1 : raw.length;
  assertBatchSize(end - 1);
  const stamp = raw[0];
  const hlc = decodeHlc(stamp);
  const writes: DecodedWrite[] = [];
  const rejected: string[] = [];
  for (let i = 1; i < end; i++) {
    try {
      writes.push(decodeWrite(raw[i], hlc));
    } catch (error) {
      if (!(error instanceof LatticeError)) throw error;
      rejected.push(`write ${i} of batch ${stamp}: ${error.message}`);
    }
  }
  return seal ? { raw: raw as RawBatch, stamp: stamp as string, hlc, writes, rejected, seal } : { raw: raw as RawBatch, stamp: stamp as string, hlc, writes, rejected };
}

/** Refuses a batch larger than every node accepts (a local one too: peers would drop it whole). */
export function assertBatchSize(writes: number): void {
  if (writes > MAX_WRITES_PER_BATCH) {
    throw new ValidationError('batch', `A batch holds ${writes} writes; at most ${MAX_WRITES_PER_BATCH} are accepted.`);
  }
}

export function decodeWrite(raw: unknown, stamp: Hlc): DecodedWrite {
  if (!Array.isArray(raw) || raw.length < 2) {
    throw new ValidationError('write', 'A write is not an array of [entityId, code, …].');
  }
  const id = validateEntityId(raw[0]);
  return ruleOf(raw[1]).decode(raw, id, stamp);
}
