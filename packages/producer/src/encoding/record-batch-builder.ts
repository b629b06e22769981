// Builds one RecordBatch v2 incrementally: each append() writes a record's final bytes (varint
// length, attributes, timestamp and offset deltas, key, value, headers) into one growable buffer
// behind a reserved 61-byte header, so sealing is filling in that header and one CRC-32C pass
// (plus, with a codec, compressing the records section). It holds no per-record objects. It
// must never change bytes it has written, except the header at seal time: a sealed batch is the
// exact bytes the broker stores and every consumer reads.
import type { BatchCompressor } from './batch-compression';
import { NO_PRODUCER_STATE, writeBatchCrc, writeProducerState, type ProducerState } from './producer-state';
import {
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_OFFSET,
  BatchField,
  MAGIC_V2,
  NO_PARTITION_LEADER_EPOCH,
} from './record-batch-layout';
import { MAX_VARLONG_MAGNITUDE, sizeOfVarInt, sizeOfVarLong, writeVarInt, writeVarLong } from './varint';

/** A header value; null is a header with no value (length -1 on the wire). */
export type HeaderValue = Buffer | string | null;

/**
 * A record's headers. The object form is KafkaJS's `IHeaders` (an array value repeats the name,
 * in array order; undefined values are skipped); the list form keeps any order across names.
 */
export type RecordHeaders =
  | { readonly [name: string]: Buffer | string | readonly (Buffer | string)[] | null | undefined }
  | ReadonlyArray<readonly [name: string, value: HeaderValue]>;

/** A key or value: null (or an undefined key) is written as length -1, a tombstone value. */
export type RecordBytes = Buffer | string | null | undefined;

export interface SealOptions {
  /** Compresses the records section; null (the default) leaves it plain. */
  readonly compressor?: BatchCompressor | null;
  /** Producer id, epoch, base sequence and transactional bit (default: none of them). */
  readonly producerState?: ProducerState;
}

/** Default preallocation: batch.size's default, so a default-sized batch never grows. */
const DEFAULT_CAPACITY = 16_384;
const NULL_LENGTH = -1;

/** Byte lengths of the current record's header names and values, sized once, written once. */
let headerLengths: number[] = [];

function byteLength(bytes: Buffer | string): number {
  return typeof bytes === 'string' ? Buffer.byteLength(bytes, 'utf8') : bytes.length;
}

export class RecordBatchBuilder {
  #buf: Buffer;
  /** Where the next record goes. */
  #at = BATCH_HEADER_BYTES;
  #count = 0;
  #baseTimestamp = 0;
  #maxTimestamp = 0;
  #sealed = false;

  /** @param capacity bytes preallocated (header included); the buffer doubles when a record does not fit. */
  constructor(capacity = DEFAULT_CAPACITY) {
    this.#buf = Buffer.allocUnsafe(Math.max(capacity, BATCH_HEADER_BYTES + 64));
  }

  /** Records appended so far. */
  get count(): number {
    return this.#count;
  }

  /** The batch's size so far, uncompressed, header included. */
  get sizeBytes(): number {
    return this.#at;
  }

  /** The first record's timestamp (ms): the base the others are written as deltas of. */
  get baseTimestamp(): number {
    return this.#baseTimestamp;
  }

  /**
   * Appends one record; returns its offset delta (its index in the batch). `timestamp` is the
   * record's CreateTime in ms; it may be earlier than the first record's (a negative delta).
   */
  append(key: RecordBytes, value: RecordBytes, timestamp: number, headers?: RecordHeaders): number {
    if (this.#sealed) throw new Error('RecordBatchBuilder: append after seal');
    const offsetDelta = this.#count;
    if (offsetDelta === 0) {
      this.#baseTimestamp = timestamp;
      this.#maxTimestamp = timestamp;
    }
    const timestampDelta = timestamp - this.#baseTimestamp;
    if (!Number.isInteger(timestamp) || !(Math.abs(timestampDelta) <= MAX_VARLONG_MAGNITUDE)) {
      throw new RangeError(
        `record timestamp must be an integer within 2^52 ms of the batch's first (got ${timestamp})`,
      );
    }

    const keyLength = key === null || key === undefined ? NULL_LENGTH : byteLength(key);
    const valueLength = value === null || value === undefined ? NULL_LENGTH : byteLength(value);
    const headerCount = headers === undefined ? 0 : sizeHeaders(headers);
    let bodySize =
      1 + // record attributes: none defined, always 0
      sizeOfVarLong(timestampDelta) +
      sizeOfVarInt(offsetDelta) +
      sizeOfVarInt(keyLength) +
      (keyLength > 0 ? keyLength : 0) +
      sizeOfVarInt(valueLength) +
      (valueLength > 0 ? valueLength : 0) +
      sizeOfVarInt(headerCount);
    for (let i = 0; i < headerCount * 2; i++) {
      const length = headerLengths[i]!;
      bodySize += sizeOfVarInt(length) + (length > 0 ? length : 0);
    }

    const total = sizeOfVarInt(bodySize) + bodySize;
    if (this.#at + total > this.#buf.length) this.#grow(this.#at + total);
    const buf = this.#buf;
    let at = writeVarInt(buf, this.#at, bodySize);
    buf[at++] = 0;
    at = writeVarLong(buf, at, timestampDelta);
    at = writeVarInt(buf, at, offsetDelta);
    at = writeVarInt(buf, at, keyLength);
    if (keyLength > 0) at = writeBytes(buf, at, key!, keyLength);
    at = writeVarInt(buf, at, valueLength);
    if (valueLength > 0) at = writeBytes(buf, at, value!, valueLength);
    at = writeVarInt(buf, at, headerCount);
    if (headerCount > 0) at = writeHeaders(buf, at, headers!);

    this.#at = at;
    this.#count = offsetDelta + 1;
    if (timestamp > this.#maxTimestamp) this.#maxTimestamp = timestamp;
    return offsetDelta;
  }

  /**
   * Seals the batch without compression: its bytes, a view of this builder's buffer (the builder
   * is done; it cannot be appended to or sealed again).
   */
  sealUncompressed(producerState: ProducerState = NO_PRODUCER_STATE): Buffer {
    this.#seal();
    const batch = this.#buf.subarray(0, this.#at);
    this.#writeHeader(batch, 0, producerState);
    return batch;
  }

  /** Seals the batch, compressing its records section with `compressor` when one is given. */
  async seal(options: SealOptions = {}): Promise<Buffer> {
    const compressor = options.compressor ?? null;
    const producerState = options.producerState ?? NO_PRODUCER_STATE;
    if (compressor === null) return this.sealUncompressed(producerState);
    this.#seal();
    // the codec may read its input after this returns (gzip runs on libuv's pool): the builder is
    // sealed, so nothing writes to it meanwhile
    const compressed = await compressor.compress(this.#buf.subarray(BATCH_HEADER_BYTES, this.#at));
    const batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + compressed.length);
    compressed.copy(batch, BATCH_HEADER_BYTES);
    this.#writeHeader(batch, compressor.attribute, producerState);
    return batch;
  }

  #seal(): void {
    if (this.#sealed) throw new Error('RecordBatchBuilder: sealed twice');
    if (this.#count === 0) throw new Error('RecordBatchBuilder: a record batch needs at least one record');
    this.#sealed = true;
  }

  #writeHeader(batch: Buffer, attributes: number, producerState: ProducerState): void {
    batch.writeBigInt64BE(0n, BatchField.baseOffset); // the broker assigns offsets
    batch.writeInt32BE(batch.length - BATCH_LENGTH_OFFSET, BatchField.batchLength);
    batch.writeInt32BE(NO_PARTITION_LEADER_EPOCH, BatchField.partitionLeaderEpoch);
    batch.writeInt8(MAGIC_V2, BatchField.magic);
    batch.writeInt16BE(attributes, BatchField.attributes);
    batch.writeInt32BE(this.#count - 1, BatchField.lastOffsetDelta);
    batch.writeBigInt64BE(BigInt(this.#baseTimestamp), BatchField.baseTimestamp);
    batch.writeBigInt64BE(BigInt(this.#maxTimestamp), BatchField.maxTimestamp);
    batch.writeInt32BE(this.#count, BatchField.recordCount);
    writeProducerState(batch, producerState);
    writeBatchCrc(batch);
  }

  #grow(needed: number): void {
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buf.length * 2));
    this.#buf.copy(grown, 0, 0, this.#at);
    this.#buf = grown;
  }
}

function writeBytes(buf: Buffer, at: number, bytes: Buffer | string, length: number): number {
  if (typeof bytes === 'string') buf.write(bytes, at, length, 'utf8');
  else bytes.copy(buf, at);
  return at + length;
}

/** Fills headerLengths (name, value, name, value…) and returns the header count. */
function sizeHeaders(headers: RecordHeaders): number {
  if (headerLengths.length > 4096) headerLengths = []; // do not keep one huge record's scratch
  let n = 0;
  if (isHeaderList(headers)) {
    for (const [name, value] of headers) {
      headerLengths[n++] = Buffer.byteLength(name, 'utf8');
      headerLengths[n++] = value === null ? NULL_LENGTH : byteLength(value);
    }
    return n / 2;
  }
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const nameLength = Buffer.byteLength(name, 'utf8');
    if (Array.isArray(value)) {
      for (const item of value as readonly (Buffer | string)[]) {
        headerLengths[n++] = nameLength;
        headerLengths[n++] = byteLength(item);
      }
    } else {
      headerLengths[n++] = nameLength;
      headerLengths[n++] = value === null ? NULL_LENGTH : byteLength(value as Buffer | string);
    }
  }
  return n / 2;
}

/** Writes the headers sizeHeaders just sized, in the same order. */
function writeHeaders(buf: Buffer, at: number, headers: RecordHeaders): number {
  let n = 0;
  const one = (name: string, value: HeaderValue): void => {
    const nameLength = headerLengths[n++]!;
    const valueLength = headerLengths[n++]!;
    at = writeVarInt(buf, at, nameLength);
    at = writeBytes(buf, at, name, nameLength);
    at = writeVarInt(buf, at, valueLength);
    if (valueLength > 0) at = writeBytes(buf, at, value!, valueLength);
  };
  if (isHeaderList(headers)) {
    for (const [name, value] of headers) one(name, value);
    return at;
  }
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as readonly (Buffer | string)[]) one(name, item);
    else one(name, value as HeaderValue);
  }
  return at;
}

function isHeaderList(headers: RecordHeaders): headers is ReadonlyArray<readonly [string, HeaderValue]> {
  return Array.isArray(headers);
}
