// The shapes a caller hands to the producer and gets back. Kept free of KafkaJS types so the
// public API does not move when the transport does.

/** Header values as Kafka carries them: bytes or strings, one value or several for the same key. */
export type HeaderValue = string | Buffer | Array<string | Buffer> | undefined;

/** One message to produce. */
export interface ProduceMessage {
  /** Destination topic. */
  topic: string;
  /** Message body; `null` produces a tombstone (deletes the key in a compacted topic). */
  payload: Buffer | string | null;
  /** Message key; decides the partition (Java-compatible murmur2) unless `partition` is given. */
  key?: Buffer | string | null;
  /** Explicit partition; wins over `partitionKey` and `key`. */
  partition?: number;
  /** Decides the partition like `key` does, without being written as the key. */
  partitionKey?: string;
  /** Record headers. */
  headers?: Record<string, HeaderValue>;
  /**
   * Record timestamp (CreateTime): whole ms since the epoch, or a valid Date. Default: the moment
   * of the produce call (on the `recordEncoder: 'kafkajs'` fallback: when its request is built).
   */
  timestamp?: number | Date;
  /** Anything the caller wants back in the delivery report; never sent to Kafka. */
  label?: unknown;
}

/** What the broker acknowledged for one message. */
export interface DeliveryReport {
  topic: string;
  partition: number;
  /** Offset of this message (base offset of its batch + its index); `null` with acks 0. */
  offset: string | null;
  /** The message's `label`, echoed. */
  label?: unknown;
}

/** Returned by `produceAsync` once the message is queued; `wait()` settles on delivery. */
export interface DeliveryHandle {
  readonly message: ProduceMessage;
  /** Resolves with the delivery report, or rejects with the DecanterError that ended delivery. */
  wait(): Promise<DeliveryReport>;
}

/** Required acknowledgements: 0 = none (fire and forget), 1 = leader, -1 / 'all' = all in-sync replicas. */
export type Acks = 0 | 1 | -1 | 'all';

/** Compression codecs Kafka knows. gzip is built in; the others need their optional codec package. */
export const COMPRESSION_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionCodecName = (typeof COMPRESSION_CODECS)[number];

/** Per-call settings of a producer variant; what is not given is inherited from the producer. */
export interface VariantOptions {
  /** Required acks for messages of this variant. */
  acks?: Acks;
  /** Compression codec for messages of this variant (must be installed). */
  compression?: CompressionCodecName;
  /** Delivery timeout (ms) for messages of this variant, in place of `message.timeout.ms`. */
  timeoutMs?: number;
}

/** Everything a variant or a transaction offers: the produce API without lifecycle. */
export interface ProduceApi {
  produceSync(message: ProduceMessage): Promise<DeliveryReport>;
  produceAsync(message: ProduceMessage): Promise<DeliveryHandle>;
  produceManySync(messages: readonly ProduceMessage[]): Promise<DeliveryReport[]>;
  produceManyAsync(messages: readonly ProduceMessage[]): Promise<DeliveryHandle[]>;
}

/** Offsets sent to a transaction (consume-transform-produce). */
export interface TransactionOffsets {
  consumerGroupId: string;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
}
