// The message a consumer sees inside a worker thread. `payload` is deserialized lazily on first
// access (and once), so a consumer that only looks at keys or offsets pays nothing for JSON.
import type { UnpackedMessage } from './message-packer';

/** Turns a message's raw value into its payload. */
export type Deserializer = (raw: Buffer | null, message: Message) => unknown;

export class Message<P = unknown> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Message timestamp, ms since epoch. */
  readonly timestamp: number;
  /** The raw value bytes (null for a tombstone). */
  readonly raw: Buffer | null;
  /** The raw key bytes. */
  readonly rawKey: Buffer | null;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly #deserializer: Deserializer;
  #payload: P | undefined;
  #deserialized = false;

  constructor(topic: string, partition: number, unpacked: UnpackedMessage, deserializer: Deserializer) {
    this.topic = topic;
    this.partition = partition;
    this.offset = unpacked.offset;
    this.timestamp = unpacked.timestamp;
    this.raw = unpacked.value;
    this.rawKey = unpacked.key;
    this.headers = unpacked.headers;
    this.#deserializer = deserializer;
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
