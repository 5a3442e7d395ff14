/**
 * Messages larger than a link or the uplink takes at once travel as ordered parts. A data
 * channel drops messages over its maximum size (256 KiB in Chromium), so a large sync step 2
 * would never arrive; the link is reliable and ordered, so parts need no ids.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { MAX_MESSAGE_BYTES, MIN_PART_BYTES, MSG, PART_HEADER_BYTES } from './wire.js';

const MAX_PARTS = Math.floor(MAX_MESSAGE_BYTES / MIN_PART_BYTES);

/**
 * Splits `message` into messages of at most `size` bytes, headers included. A message that
 * begins like a part (its first byte is the part type) always goes as parts, at least two, so
 * the receiver can never mistake it for one.
 */
export function splitIntoParts(message: Uint8Array, size: number): Uint8Array[] {
  const looksLikePart = message.byteLength > 0 && message[0] === MSG.part;
  if (message.byteLength <= size && !looksLikePart) return [message];
  const room = Math.max(MIN_PART_BYTES, size) - PART_HEADER_BYTES;
  const payload = looksLikePart ? Math.max(1, Math.min(room, Math.ceil(message.byteLength / 2))) : room;
  const total = Math.max(2, Math.ceil(message.byteLength / payload));
  const parts: Uint8Array[] = [];
  for (let i = 0; i < total; i++) {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MSG.part);
    encoding.writeVarUint(encoder, total);
    encoding.writeVarUint(encoder, i);
    encoding.writeUint8Array(encoder, message.subarray(Math.min(message.byteLength, i * payload), Math.min(message.byteLength, (i + 1) * payload)));
    parts.push(encoding.toUint8Array(encoder));
  }
  return parts;
}

/** Reassembles one link's parts. */
export class PartAssembler {
  private assembly: { total: number; parts: Uint8Array[]; size: number } | null = null;

  /**
   * Returns the whole message, or null while parts are missing. Throws on parts out of order,
   * a message cut short, or more than MAX_MESSAGE_BYTES (the caller counts it).
   */
  receive(data: Uint8Array): Uint8Array | null {
    if (data.byteLength === 0 || data[0] !== MSG.part) {
      if (this.assembly !== null) {
        this.assembly = null;
        throw new Error('a message arrived in the middle of a message sent in parts');
      }
      return data;
    }
    const decoder = decoding.createDecoder(data);
    decoding.readVarUint(decoder);
    const total = decoding.readVarUint(decoder);
    const index = decoding.readVarUint(decoder);
    const part = decoding.readTailAsUint8Array(decoder);
    if (index === 0) {
      if (this.assembly !== null) {
        this.assembly = null;
        throw new Error('a message sent in parts was cut short');
      }
      if (total < 2 || total > MAX_PARTS) throw new Error(`a message of ${total} parts exceeds the limit of ${MAX_PARTS} parts`);
      this.assembly = { total, parts: [], size: 0 };
    }
    const assembly = this.assembly;
    if (assembly === null || index !== assembly.parts.length || total !== assembly.total) {
      this.assembly = null;
      throw new Error('a part arrived out of order');
    }
    assembly.parts.push(part);
    assembly.size += part.byteLength;
    if (assembly.size > MAX_MESSAGE_BYTES) {
      this.assembly = null;
      throw new Error(`a message sent in parts exceeds the limit of ${MAX_MESSAGE_BYTES} bytes`);
    }
    if (assembly.parts.length < total) return null;
    this.assembly = null;
    const whole = new Uint8Array(assembly.size);
    let offset = 0;
    for (const p of assembly.parts) {
      whole.set(p, offset);
      offset += p.byteLength;
    }
    return whole;
  }
}
