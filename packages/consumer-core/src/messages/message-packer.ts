// Packs one job's messages into ONE ArrayBuffer that is transferred (not copied) to the worker,
// and unpacks it there. KafkaJS's key/value Buffers are views into the whole fetch response:
// posting them would structured-clone that entire response once per view. Must never hand out
// a view into the packed buffer that outlives the job without the buffer itself.
//
// Layout: [u32 version][u32 count] then `count` fixed records of 32 bytes
//   f64 offset | f64 timestamp | i32 keyLength | i32 valueLength | i32 headersLength | i32 spare
// then, per message in order, key bytes, value bytes, header bytes. A length of -1 means null.
// Headers: u16 entries, then per entry u16 nameLength, name, i32 valueLength (-1 = undefined), value.
import type { IHeaders } from 'kafkajs';
import type { FetchedMessage } from './fetched-message';

const VERSION = 1;
const HEADER_BYTES = 8;
const RECORD_BYTES = 32;
/** Shared with packed-chunk.ts, which writes the same records and data (without the prefix). */
export const PACKED_VERSION = VERSION;
export const PACKED_PREFIX_BYTES = HEADER_BYTES;
export const PACKED_RECORD_BYTES = RECORD_BYTES;

/** A message as unpacked in the worker; Buffers are views into the transferred ArrayBuffer. */
export interface UnpackedMessage {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string | string[]>;
}

/** A message's headers as (name, value) byte pairs, one pair per value of a multi-valued header. */
export type HeaderParts = Array<[Buffer, Buffer | null]>;

/** Encodes headers once; null when there are none (most messages: no allocation for them). */
export function encodeHeaders(headers: IHeaders | undefined): HeaderParts | null {
  if (headers === undefined) return null;
  let parts: HeaderParts | null = null;
  for (const name in headers) {
    const value = headers[name];
    const nameBytes = Buffer.from(name, 'utf8');
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      parts ??= [];
      parts.push([nameBytes, v === undefined ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v]);
    }
  }
  return parts;
}

/**
 * Writes encoded headers at `cursor` (u16 count, then per pair: u16 name length, name, i32 value
 * length or -1, value) and returns the cursor after them. The one writer of the header format,
 * shared by packMessages and PackedChunk.
 */
export function writeHeaderParts(view: DataView, bytes: Uint8Array, cursor: number, parts: HeaderParts): number {
  view.setUint16(cursor, parts.length, true);
  cursor += 2;
  for (const [name, value] of parts) {
    view.setUint16(cursor, name.length, true);
    bytes.set(name, cursor + 2);
    cursor += 2 + name.length;
    view.setInt32(cursor, value === null ? -1 : value.length, true);
    cursor += 4;
    if (value !== null) {
      bytes.set(value, cursor);
      cursor += value.length;
    }
  }
  return cursor;
}

/**
 * Reads the key and value of the record at `record`, whose data starts at `at`, as views into
 * `buffer` (null for a null key or value); `end` is where its headers start. The one reader of a
 * record's key and value, shared by unpackMessages and PackedChunk.
 */
export function readKeyValue(view: DataView, buffer: ArrayBuffer, record: number, at: number): { key: Buffer | null; value: Buffer | null; end: number } {
  const keyLength = view.getInt32(record + 16, true);
  const valueLength = view.getInt32(record + 20, true);
  let end = at;
  let key: Buffer | null = null;
  let value: Buffer | null = null;
  if (keyLength >= 0) {
    key = Buffer.from(buffer, end, keyLength);
    end += keyLength;
  }
  if (valueLength >= 0) {
    value = Buffer.from(buffer, end, valueLength);
    end += valueLength;
  }
  return { key, value, end };
}

/**
 * Reads the headers writeHeaderParts wrote at `at`: (name, value view or null) pairs in order, a
 * multi-valued header once per value. The one reader of the header format.
 */
export function readHeaderParts(view: DataView, buffer: ArrayBuffer, at: number): Array<[string, Buffer | null]> {
  const entries = view.getUint16(at, true);
  const parts = new Array<[string, Buffer | null]>(entries);
  let cursor = at + 2;
  for (let e = 0; e < entries; e++) {
    const nameLength = view.getUint16(cursor, true);
    const name = Buffer.from(buffer, cursor + 2, nameLength).toString('utf8');
    cursor += 2 + nameLength;
    const length = view.getInt32(cursor, true);
    cursor += 4;
    parts[e] = [name, length >= 0 ? Buffer.from(buffer, cursor, length) : null];
    if (length > 0) cursor += length;
  }
  return parts;
}

/** Copies `messages` into one ArrayBuffer; pass it in the transfer list. */
export function packMessages(messages: readonly FetchedMessage[]): ArrayBuffer {
  const encodedHeaders: Array<HeaderParts | null> = [];
  let variable = 0;
  for (const m of messages) {
    const parts = encodeHeaders(m.headers);
    encodedHeaders.push(parts);
    variable += (m.key?.length ?? 0) + (m.value?.length ?? 0);
    if (parts !== null) {
      variable += 2;
      for (const [name, value] of parts) variable += 2 + name.length + 4 + (value?.length ?? 0);
    }
  }
  const buffer = new ArrayBuffer(HEADER_BYTES + messages.length * RECORD_BYTES + variable);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  view.setUint32(0, VERSION, true);
  view.setUint32(4, messages.length, true);
  let cursor = HEADER_BYTES + messages.length * RECORD_BYTES;
  messages.forEach((m, i) => {
    const record = HEADER_BYTES + i * RECORD_BYTES;
    view.setFloat64(record, m.offset, true);
    view.setFloat64(record + 8, m.timestamp, true);
    view.setInt32(record + 16, m.key === null ? -1 : m.key.length, true);
    view.setInt32(record + 20, m.value === null ? -1 : m.value.length, true);
    if (m.key !== null) {
      bytes.set(m.key, cursor);
      cursor += m.key.length;
    }
    if (m.value !== null) {
      bytes.set(m.value, cursor);
      cursor += m.value.length;
    }
    const parts = encodedHeaders[i] ?? null;
    const start = cursor;
    if (parts !== null) cursor = writeHeaderParts(view, bytes, cursor, parts);
    view.setInt32(record + 24, cursor - start, true);
  });
  return buffer;
}

/**
 * A packed buffer read lazily (the worker side): offsets and timestamps are read from the records,
 * and a message's key, value and headers only when asked for (Buffers are views into `buffer`).
 * Building it costs one pass over the records and no object per message.
 */
export class PackedMessages {
  readonly count: number;
  readonly #buffer: ArrayBuffer;
  readonly #view: DataView;
  /** Where message i's key (then value, then headers) starts in the buffer. */
  readonly #dataAt: Int32Array;

  constructor(buffer: ArrayBuffer) {
    const view = new DataView(buffer);
    const version = view.getUint32(0, true);
    if (version !== VERSION) throw new Error(`Unknown packed message format version ${version}`);
    const count = view.getUint32(4, true);
    const dataAt = new Int32Array(count);
    let cursor = HEADER_BYTES + count * RECORD_BYTES;
    for (let i = 0, record = HEADER_BYTES + 16; i < count; i++, record += RECORD_BYTES) {
      dataAt[i] = cursor;
      cursor += Math.max(0, view.getInt32(record, true)) + Math.max(0, view.getInt32(record + 4, true)) + view.getInt32(record + 8, true);
    }
    this.count = count;
    this.#buffer = buffer;
    this.#view = view;
    this.#dataAt = dataAt;
  }

  offset(i: number): number {
    return this.#view.getFloat64(HEADER_BYTES + i * RECORD_BYTES, true);
  }

  timestamp(i: number): number {
    return this.#view.getFloat64(HEADER_BYTES + i * RECORD_BYTES + 8, true);
  }

  key(i: number): Buffer | null {
    const length = this.#view.getInt32(HEADER_BYTES + i * RECORD_BYTES + 16, true);
    return length < 0 ? null : Buffer.from(this.#buffer, this.#dataAt[i]!, length);
  }

  value(i: number): Buffer | null {
    const record = HEADER_BYTES + i * RECORD_BYTES;
    const length = this.#view.getInt32(record + 20, true);
    if (length < 0) return null;
    return Buffer.from(this.#buffer, this.#dataAt[i]! + Math.max(0, this.#view.getInt32(record + 16, true)), length);
  }

  headers(i: number): Record<string, string | string[]> {
    const view = this.#view;
    const record = HEADER_BYTES + i * RECORD_BYTES;
    const headers: Record<string, string | string[]> = {};
    if (view.getInt32(record + 24, true) <= 0) return headers;
    let h = this.#dataAt[i]! + Math.max(0, view.getInt32(record + 16, true)) + Math.max(0, view.getInt32(record + 20, true));
    const entries = view.getUint16(h, true);
    h += 2;
    for (let e = 0; e < entries; e++) {
      const nameLength = view.getUint16(h, true);
      const name = Buffer.from(this.#buffer, h + 2, nameLength).toString('utf8');
      h += 2 + nameLength;
      const length = view.getInt32(h, true);
      h += 4;
      const text = length >= 0 ? Buffer.from(this.#buffer, h, length).toString('utf8') : '';
      if (length > 0) h += length;
      const existing = headers[name];
      headers[name] = existing === undefined ? text : Array.isArray(existing) ? [...existing, text] : [existing, text];
    }
    return headers;
  }

  message(i: number): UnpackedMessage {
    return { offset: this.offset(i), timestamp: this.timestamp(i), key: this.key(i), value: this.value(i), headers: this.headers(i) };
  }
}

/** Reads what packMessages wrote, every message at once (see PackedMessages for the lazy reader). */
export function unpackMessages(buffer: ArrayBuffer): UnpackedMessage[] {
  const view = new DataView(buffer);
  const version = view.getUint32(0, true);
  if (version !== VERSION) throw new Error(`Unknown packed message format version ${version}`);
  const count = view.getUint32(4, true);
  const out: UnpackedMessage[] = new Array<UnpackedMessage>(count);
  let cursor = HEADER_BYTES + count * RECORD_BYTES;
  for (let i = 0; i < count; i++) {
    const record = HEADER_BYTES + i * RECORD_BYTES;
    const headersLength = view.getInt32(record + 24, true);
    const { key, value, end } = readKeyValue(view, buffer, record, cursor);
    cursor = end;
    const headers: Record<string, string | string[]> = {};
    if (headersLength > 0) {
      for (const [name, bytes] of readHeaderParts(view, buffer, cursor)) {
        const text = bytes === null ? '' : bytes.toString('utf8');
        const existing = headers[name];
        headers[name] = existing === undefined ? text : Array.isArray(existing) ? [...existing, text] : [existing, text];
      }
      cursor += headersLength;
    }
    out[i] = { offset: view.getFloat64(record, true), timestamp: view.getFloat64(record + 8, true), key, value, headers };
  }
  return out;
}
