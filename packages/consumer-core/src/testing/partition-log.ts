// One topic-partition as the testing kit's stand-in for the broker: messages fed by a test, in
// offset order. Consumers read from it at their own position, so a retry, a seek back or a fresh
// instance after a revocation sees the same messages again, as it would from Kafka. Never lets
// offsets go backwards.
import type { FetchedMessage } from '../messages/fetched-message';

/** What a test can say about a message it feeds (all optional). */
export interface TestMessageOptions {
  /** Partition the message lands in. Default 0. */
  partition?: number;
  /** Message key. Default null. */
  key?: string | Buffer | null;
  /** Headers; Buffers reach the consumer as UTF-8 strings, as in production. Default none. */
  headers?: Record<string, string | Buffer | Array<string | Buffer> | undefined>;
  /** Offset; must be higher than the partition's last one (gaps are allowed, as after compaction). Default: last offset + 1, starting at 0. */
  offset?: number;
  /** Message timestamp, ms since epoch or a Date. Default `Date.now()`. */
  timestamp?: number | Date;
}

/** Where a fed message landed. */
export interface FedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * The raw value of a fed payload: Buffers and strings are the bytes themselves (so a test can feed
 * malformed input), null is a tombstone, anything else is JSON-encoded.
 */
export function encodePayload(payload: unknown): Buffer | null {
  if (payload === null) return null;
  if (Buffer.isBuffer(payload)) return payload;
  if (payload instanceof Uint8Array) return Buffer.from(payload);
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  const json: unknown = payload === undefined ? undefined : JSON.stringify(payload);
  if (typeof json !== 'string')
    throw new TypeError(
      `Cannot feed ${typeof payload} as a payload: pass a Buffer, a string, null or a JSON-serializable value`,
    );
  return Buffer.from(json, 'utf8');
}

export class PartitionLog {
  readonly #messages: FetchedMessage[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** The offset the next message gets by default. */
  get nextOffset(): number {
    const last = this.#messages[this.#messages.length - 1];
    return last === undefined ? 0 : last.offset + 1;
  }

  append(payload: unknown, options: TestMessageOptions): FedMessage {
    const offset = options.offset ?? this.nextOffset;
    if (!Number.isSafeInteger(offset) || offset < this.nextOffset) {
      throw new RangeError(
        `offset of a message fed to ${this.topic}-${this.partition} must be an integer >= ${this.nextOffset} (got ${offset})`,
      );
    }
    const timestamp =
      options.timestamp instanceof Date ? options.timestamp.getTime() : (options.timestamp ?? Date.now());
    if (!Number.isFinite(timestamp))
      throw new RangeError(
        `timestamp must be a finite number of ms or a valid Date (got ${String(options.timestamp)})`,
      );
    const value = encodePayload(payload);
    const key =
      options.key === undefined || options.key === null
        ? null
        : Buffer.isBuffer(options.key)
          ? options.key
          : Buffer.from(options.key, 'utf8');
    this.#messages.push({
      offset,
      timestamp,
      key,
      value,
      headers: options.headers,
      size: (key?.length ?? 0) + (value?.length ?? 0),
    });
    return Object.freeze({ topic: this.topic, partition: this.partition, offset });
  }

  /** Up to `max` messages from offset `from` on (null: from the first message). */
  read(from: number | null, max: number): FetchedMessage[] {
    const start = from === null ? 0 : this.#messages.findIndex((m) => m.offset >= from);
    return start === -1 ? [] : this.#messages.slice(start, start + max);
  }

  /** Offset of the first message with a timestamp at or after `timestamp`; the end when there is none (as Kafka's ListOffsets). */
  offsetAt(timestamp: number): number {
    return this.#messages.find((m) => m.timestamp >= timestamp)?.offset ?? this.nextOffset;
  }

  /** How many messages lie at or after `from` (null: all). */
  countFrom(from: number | null): number {
    return from === null ? this.#messages.length : this.#messages.filter((m) => m.offset >= from).length;
  }
}
