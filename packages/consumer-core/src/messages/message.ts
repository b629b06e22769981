// The message a consumer sees inside a worker thread. `payload` is deserialized lazily on first
// access (and once), so a consumer that only looks at keys or offsets pays nothing for JSON.
import type { PackedMessages, UnpackedMessage } from './message-packer';

/** Turns a message's raw value into its payload. */
export type Deserializer = (raw: Buffer | null, message: Message) => unknown;

export class Message<P = unknown> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Message timestamp, ms since epoch. */
  readonly timestamp: number;
  readonly #deserializer: Deserializer;
  #payload: P | undefined;
  #deserialized = false;
  // Either the unpacked message, or the job's packed buffer and this message's index in it: then
  // key, value and headers are read from the buffer on first access (most consumers never touch
  // some of them, a no-op consumer none).
  #unpacked: UnpackedMessage | PackedMessages;
  readonly #index: number;
  #raw: Buffer | null | undefined;
  #rawKey: Buffer | null | undefined;
  #headers: Readonly<Record<string, string | string[]>> | undefined;

  constructor(topic: string, partition: number, unpacked: UnpackedMessage | PackedMessages, deserializer: Deserializer, index = 0) {
    this.topic = topic;
    this.partition = partition;
    if ('count' in unpacked) {
      this.offset = unpacked.offset(index);
      this.timestamp = unpacked.timestamp(index);
    } else {
      this.offset = unpacked.offset;
      this.timestamp = unpacked.timestamp;
    }
    this.#unpacked = unpacked;
    this.#index = index;
    this.#deserializer = deserializer;
  }

  /** The raw value bytes (null for a tombstone). */
  get raw(): Buffer | null {
    if (this.#raw === undefined) {
      const u = this.#unpacked;
      this.#raw = 'count' in u ? u.value(this.#index) : u.value;
    }
    return this.#raw;
  }

  /** The raw key bytes. */
  get rawKey(): Buffer | null {
    if (this.#rawKey === undefined) {
      const u = this.#unpacked;
      this.#rawKey = 'count' in u ? u.key(this.#index) : u.key;
    }
    return this.#rawKey;
  }

  get headers(): Readonly<Record<string, string | string[]>> {
    if (this.#headers === undefined) {
      const u = this.#unpacked;
      this.#headers = 'count' in u ? u.headers(this.#index) : u.headers;
    }
    return this.#headers;
  }

  /** The key as UTF-8 text, or null. */
  get key(): string | null {
    return this.rawKey === null ? null : this.rawKey.toString('utf8');
  }

  /** The deserialized value (the topic's deserializer runs on first access; errors surface here). */
  get payload(): P {
    if (!this.#deserialized) {
      this.#payload = this.#deserializer(this.raw, this) as P;
      this.#deserialized = true;
    }
    return this.#payload as P;
  }
}
