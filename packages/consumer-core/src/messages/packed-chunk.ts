// One fetched batch of one partition, packed ONCE when the listener takes it from KafkaJS: key,
// value and header bytes are copied out of KafkaJS's fetch response (so that response, up to
// fetch.max.bytes, can be freed at once instead of living as long as any of its messages is
// buffered), and no object is kept per message. Jobs are runs of chunk slices (`MessageRun`); a
// job's transferable buffer is made with two copies per slice, no per-message work.
//
// Chunk layout (one ArrayBuffer): `count` records of 32 bytes, then the variable data of every
// message in order. Records and data are exactly those of a packed job (message-packer.ts, which
// only adds its 8-byte prefix), so slices are concatenated as they are:
//   record: f64 offset | f64 timestamp | i32 keyLength | i32 valueLength | i32 headersLength | i32 spare
//   data:   key bytes, value bytes, header bytes (u16 entries, then per entry u16 nameLength, name,
//           i32 valueLength (-1 = undefined), value). A length of -1 means null.
import type { IHeaders } from 'kafkajs';
import type { FetchedMessage } from './fetched-message';
import {
  encodeHeaders,
  PACKED_PREFIX_BYTES,
  PACKED_RECORD_BYTES,
  PACKED_VERSION,
  readHeaderParts,
  readKeyValue,
  writeHeaderParts,
  type HeaderParts,
} from './message-packer';

const RECORD = PACKED_RECORD_BYTES;

/** What the packer reads of a message: KafkaJS's (string offsets) or a FetchedMessage. */
export interface PackableMessage {
  readonly offset: string | number;
  readonly timestamp: string | number;
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders | undefined;
}

export class PackedChunk {
  readonly count: number;
  /** Records then data; the chunk's memory is exactly this buffer plus `dataStart`. */
  readonly buffer: ArrayBuffer;
  /** Key + value bytes of all messages (what KafkaJS delivered as payload). */
  readonly payloadBytes: number;
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  /** Where message i's data starts, relative to the data area (count + 1 entries). */
  readonly #dataStart: Uint32Array;

  private constructor(count: number, buffer: ArrayBuffer, dataStart: Uint32Array, payloadBytes: number) {
    this.count = count;
    this.buffer = buffer;
    this.payloadBytes = payloadBytes;
    this.#view = new DataView(buffer);
    this.#bytes = new Uint8Array(buffer);
    this.#dataStart = dataStart;
  }

  /** Bytes this chunk holds (what the prefetch buffer bound counts). */
  get byteLength(): number {
    return this.buffer.byteLength + this.#dataStart.byteLength;
  }

  /**
   * Bytes `message` will take in a chunk (its record, its index entry, its key, value and header
   * bytes), without packing it: what a batch still waiting to be packed counts against the
   * prefetch bound. Exact for ASCII header names and string values (the usual case); it counts
   * other strings by UTF-16 length, which never differs from their UTF-8 size by more than 3×.
   */
  static sizeOf(message: PackableMessage): number {
    let n = RECORD + 4 + (message.key?.length ?? 0) + (message.value?.length ?? 0);
    const headers = message.headers;
    if (headers === undefined) return n;
    let any = false;
    for (const name in headers) {
      const value = headers[name];
      for (const v of Array.isArray(value) ? value : [value]) {
        any = true;
        n += 2 + name.length + 4 + (v === undefined ? 0 : v.length);
      }
    }
    return any ? n + 2 : n;
  }

  /** Copies `messages` (in offset order) into one chunk. */
  static pack(messages: ArrayLike<PackableMessage>): PackedChunk {
    const count = messages.length;
    const dataStart = new Uint32Array(count + 1);
    let headers: Array<HeaderParts | null> | null = null;
    let payload = 0;
    let variable = 0;
    for (let i = 0; i < count; i++) {
      const m = messages[i]!;
      const size = (m.key?.length ?? 0) + (m.value?.length ?? 0);
      payload += size;
      variable += size;
      const parts = encodeHeaders(m.headers);
      if (parts !== null) {
        headers ??= new Array<HeaderParts | null>(count).fill(null);
        headers[i] = parts;
        variable += 2;
        for (const [name, value] of parts) variable += 2 + name.length + 4 + (value?.length ?? 0);
      }
    }
    const dataBase = count * RECORD;
    const buffer = new ArrayBuffer(dataBase + variable);
    const view = new DataView(buffer);
    const bytes = new Uint8Array(buffer);
    let cursor = dataBase;
    for (let i = 0; i < count; i++) {
      const m = messages[i]!;
      const record = i * RECORD;
      const key = m.key ?? null;
      const value = m.value;
      dataStart[i] = cursor - dataBase;
      view.setFloat64(record, Number(m.offset), true);
      view.setFloat64(record + 8, Number(m.timestamp), true);
      if (key === null) view.setInt32(record + 16, -1, true);
      else {
        view.setInt32(record + 16, key.length, true);
        bytes.set(key, cursor);
        cursor += key.length;
      }
      if (value === null) view.setInt32(record + 20, -1, true);
      else {
        view.setInt32(record + 20, value.length, true);
        bytes.set(value, cursor);
        cursor += value.length;
      }
      const parts = headers === null ? null : headers[i];
      if (parts === null || parts === undefined) view.setInt32(record + 24, 0, true);
      else {
        const start = cursor;
        cursor = writeHeaderParts(view, bytes, cursor, parts);
        view.setInt32(record + 24, cursor - start, true);
      }
    }
    dataStart[count] = cursor - dataBase;
    return new PackedChunk(count, buffer, dataStart, payload);
  }

  offsetAt(i: number): number {
    return this.#view.getFloat64(i * RECORD, true);
  }

  timestampAt(i: number): number {
    return this.#view.getFloat64(i * RECORD + 8, true);
  }

  /** Index of the first message at or after `offset` (count when none). Offsets ascend, with gaps. */
  indexAtOrAfter(offset: number, from = 0, to = this.count): number {
    let lo = from;
    let hi = to;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsetAt(mid) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Records + data bytes of messages [from, to). */
  sliceBytes(from: number, to: number): number {
    return (to - from) * RECORD + this.#dataStart[to]! - this.#dataStart[from]!;
  }

  /** Message i's key (a view into this chunk), without building the message: what a splitting strategy reads per message. */
  keyAt(i: number): Buffer | null {
    const length = this.#view.getInt32(i * RECORD + 16, true);
    return length < 0 ? null : Buffer.from(this.buffer, this.count * RECORD + this.#dataStart[i]!, length);
  }

  /** Message i as a FetchedMessage; key/value are views into this chunk (for rare paths: DLQ, tests). */
  message(i: number): FetchedMessage {
    const view = this.#view;
    const record = i * RECORD;
    const headersLength = view.getInt32(record + 24, true);
    const { key, value, end: cursor } = readKeyValue(view, this.buffer, record, this.count * RECORD + this.#dataStart[i]!);
    let headers: IHeaders | undefined;
    if (headersLength > 0) {
      headers = {};
      for (const [name, bytes] of readHeaderParts(view, this.buffer, cursor)) {
        const v = bytes ?? undefined;
        const existing = headers[name];
        headers[name] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v as Buffer] : [existing as Buffer, v as Buffer];
      }
    }
    return {
      offset: this.offsetAt(i),
      timestamp: this.timestampAt(i),
      key,
      value,
      headers,
      size: (key?.length ?? 0) + (value?.length ?? 0),
    };
  }

  /** Copies records [from, to) to `out` at `recordAt` and their data at `dataAt`; returns the data bytes copied. */
  copyTo(out: Uint8Array, from: number, to: number, recordAt: number, dataAt: number): number {
    out.set(this.#bytes.subarray(from * RECORD, to * RECORD), recordAt);
    const base = this.count * RECORD;
    const start = this.#dataStart[from]!;
    const end = this.#dataStart[to]!;
    out.set(this.#bytes.subarray(base + start, base + end), dataAt);
    return end - start;
  }
}

/** Messages [from, to) of one chunk. */
export interface ChunkSlice {
  readonly chunk: PackedChunk;
  readonly from: number;
  readonly to: number;
}

let emptyRun: MessageRun | undefined;

/**
 * A job's messages: consecutive slices of one partition's chunks, in offset order. Offsets and
 * timestamps are read from the chunks; a FetchedMessage is only built on request (`at`).
 */
export class MessageRun {
  /** The run without messages (hook jobs). */
  static get EMPTY(): MessageRun {
    return (emptyRun ??= new MessageRun([]));
  }

  readonly length: number;

  constructor(readonly slices: readonly ChunkSlice[]) {
    let n = 0;
    for (const s of slices) n += s.to - s.from;
    this.length = n;
  }

  /** A run over plain messages (tests, tools). */
  static of(messages: readonly PackableMessage[]): MessageRun {
    return messages.length === 0 ? MessageRun.EMPTY : new MessageRun([{ chunk: PackedChunk.pack(messages), from: 0, to: messages.length }]);
  }

  /** Position of each slice's first message, built on the first positional read. */
  #starts: Uint32Array | undefined;

  // a split share is one slice per stretch: a round-robin share of n messages has n slices, so a
  // linear walk made every loop over offsetAt(i) quadratic (it was most of the main thread's time
  // at 1,000-message shares); a binary search over the slices' starts keeps it O(log slices)
  #locate(i: number): [PackedChunk, number] | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) return undefined;
    const slices = this.slices;
    if (slices.length === 1) return [slices[0]!.chunk, slices[0]!.from + i];
    let starts = this.#starts;
    if (starts === undefined) {
      starts = new Uint32Array(slices.length);
      let n = 0;
      slices.forEach((s, k) => {
        starts![k] = n;
        n += s.to - s.from;
      });
      this.#starts = starts;
    }
    let lo = 0;
    let hi = slices.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    const s = slices[lo]!;
    return [s.chunk, s.from + (i - starts[lo]!)];
  }

  offsetAt(i: number): number | undefined {
    const at = this.#locate(i);
    return at === undefined ? undefined : at[0].offsetAt(at[1]);
  }

  /** Message i (negative counts from the end), or undefined. */
  at(i: number): FetchedMessage | undefined {
    const at = this.#locate(i < 0 ? this.length + i : i);
    return at === undefined ? undefined : at[0].message(at[1]);
  }

  /** The message with exactly this offset, or undefined. */
  atOffset(offset: number): FetchedMessage | undefined {
    for (const s of this.slices) {
      const i = s.chunk.indexAtOrAfter(offset, s.from, s.to);
      if (i < s.to) return s.chunk.offsetAt(i) === offset ? s.chunk.message(i) : undefined;
    }
    return undefined;
  }

  /**
   * The messages at these positions of the run (ascending, each at most once), as a run of their
   * own: consecutive positions share one slice, so a strategy that splits a batch copies no
   * message and keeps one slice per stretch.
   */
  select(positions: readonly number[]): MessageRun {
    if (positions.length === 0) return MessageRun.EMPTY;
    const out: ChunkSlice[] = [];
    let slice = 0;
    let sliceStart = 0; // position of the first message of slices[slice]
    for (const position of positions) {
      while (slice < this.slices.length && position >= sliceStart + (this.slices[slice]!.to - this.slices[slice]!.from)) {
        sliceStart += this.slices[slice]!.to - this.slices[slice]!.from;
        slice++;
      }
      const s = this.slices[slice];
      if (s === undefined || position < sliceStart) throw new RangeError(`select(): positions must ascend within 0..${this.length - 1} (got ${position})`);
      const at = s.from + (position - sliceStart);
      const previous = out[out.length - 1];
      if (previous !== undefined && previous.chunk === s.chunk && previous.to === at) out[out.length - 1] = { chunk: s.chunk, from: previous.from, to: at + 1 };
      else out.push({ chunk: s.chunk, from: at, to: at + 1 });
    }
    return new MessageRun(out);
  }

  /** How many messages of the run have an offset below `offset`. */
  countBefore(offset: number): number {
    let n = 0;
    for (const s of this.slices) {
      const i = s.chunk.indexAtOrAfter(offset, s.from, s.to);
      n += i - s.from;
      if (i < s.to) break;
    }
    return n;
  }

  /** The messages at or after `offset`. */
  from(offset: number): MessageRun {
    return this.#cut(offset, true);
  }

  /** The messages before `offset`. */
  before(offset: number): MessageRun {
    return this.#cut(offset, false);
  }

  #cut(offset: number, keepAfter: boolean): MessageRun {
    const out: ChunkSlice[] = [];
    for (const s of this.slices) {
      const i = s.chunk.indexAtOrAfter(offset, s.from, s.to);
      const slice = keepAfter ? { chunk: s.chunk, from: i, to: s.to } : { chunk: s.chunk, from: s.from, to: i };
      if (slice.to > slice.from) out.push(slice);
    }
    return out.length === 0 ? MessageRun.EMPTY : new MessageRun(out);
  }

  /** Every message as a FetchedMessage (tests, rare paths). */
  toArray(): FetchedMessage[] {
    const out: FetchedMessage[] = [];
    for (const s of this.slices) for (let i = s.from; i < s.to; i++) out.push(s.chunk.message(i));
    return out;
  }

  /** Records + data bytes of the run. */
  get bytes(): number {
    let n = 0;
    for (const s of this.slices) n += s.chunk.sliceBytes(s.from, s.to);
    return n;
  }

  /** The run as one transferable buffer in message-packer's format (read by unpackMessages). */
  pack(): ArrayBuffer {
    const records = this.length * RECORD;
    const out = new ArrayBuffer(PACKED_PREFIX_BYTES + this.bytes);
    const view = new DataView(out);
    view.setUint32(0, PACKED_VERSION, true);
    view.setUint32(4, this.length, true);
    const bytes = new Uint8Array(out);
    let recordAt = PACKED_PREFIX_BYTES;
    let dataAt = PACKED_PREFIX_BYTES + records;
    for (const s of this.slices) {
      dataAt += s.chunk.copyTo(bytes, s.from, s.to, recordAt, dataAt);
      recordAt += (s.to - s.from) * RECORD;
    }
    return out;
  }
}
