// Producer options: what users write (ProducerOptions, with librdkafka/WaterDrop names in the
// `kafka` block, and the Java client's where it names the same setting otherwise), the defaults,
// and the frozen fully-resolved form the producer runs on. Validation lives in
// options-contract.ts; nothing here is checked per message.
import type { SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { SecuritySettings } from './security-settings';
import type { Acks, CompressionCodecName } from './types';

/**
 * Settings under their librdkafka / WaterDrop names, as users port them; the Java client's name
 * of a setting is accepted too where it differs but means the same (`producerKafkaAliases`).
 */
export interface ProducerKafkaSettings extends SecuritySettings {
  /** Comma-separated `host:port` list. Required. */
  'bootstrap.servers'?: string;
  /** KafkaJS clientId. Default: the producer `id`. */
  'client.id'?: string;
  /** Linger (ms): the longest a message waits for more messages before its batch is sent; 0 = send at once (messages produced in one synchronous run share a batch). Default 5. */
  'queue.buffering.max.ms'?: number;
  /** Alias (the Java client's name) of `queue.buffering.max.ms`. */
  'linger.ms'?: number;
  /** Bytes of one partition batch at which it is sent without waiting for the linger. Default 1,000,000. */
  'batch.size'?: number;
  /**
   * Messages of one partition batch at which it is sent without waiting for the linger. Default
   * 500 (librdkafka: 10,000): KafkaJS groups a request's messages per partition in time
   * quadratic in their number, which makes larger batches slower, not faster.
   */
  'batch.num.messages'?: number;
  /** Compression codec. Default 'none'. */
  'compression.codec'?: CompressionCodecName;
  /** Alias (the Java client's name) of `compression.codec`. */
  'compression.type'?: CompressionCodecName;
  /** Required acks: 0, 1, -1 or 'all'. Default -1 (all in-sync replicas). */
  'request.required.acks'?: Acks;
  /** Alias (the Java client's name) of `request.required.acks`. */
  acks?: Acks;
  /** Delivery timeout (ms): time from produce to final success or failure, retries included. Default 300,000. */
  'message.timeout.ms'?: number;
  /** Alias (the Java client's name) of `message.timeout.ms`. */
  'delivery.timeout.ms'?: number;
  /** Broker ack timeout of one Produce request (ms). Default 30,000. */
  'request.timeout.ms'?: number;
  /** Most messages queued locally (not yet acknowledged). Default 100,000. */
  'queue.buffering.max.messages'?: number;
  /** Most KiB queued locally (not yet acknowledged). Default 1,048,576 (1 GiB). */
  'queue.buffering.max.kbytes'?: number;
  /** Largest single message (estimated record bytes: key + value + headers + overhead). Default 1,000,000. */
  'message.max.bytes'?: number;
  /** Produce requests in flight per broker. Default 5 (1 is enforced by KafkaJS when idempotent). */
  'max.in.flight.requests.per.connection'?: number;
  /** First backoff (ms) before a retriable failure is retried; doubles per attempt. Default 100. */
  'retry.backoff.ms'?: number;
  /** Largest backoff (ms) between retries. Default 1,000. */
  'retry.backoff.max.ms'?: number;
  /** Idempotent producer (no duplicates on retry; needs acks all). Default false (true with transactional.id). */
  'enable.idempotence'?: boolean;
  /** Transactional id: enables `transaction()`. Default none. */
  'transactional.id'?: string;
  /** Transaction timeout (ms). Default 60,000. */
  'transaction.timeout.ms'?: number;
  /** How long (ms) cached partition metadata is trusted before it is refreshed. Default 300,000. */
  'topic.metadata.refresh.interval.ms'?: number;
  /** Connection setup timeout (ms). Default 10,000. */
  'socket.connection.setup.timeout.ms'?: number;
  /** Auto-create topics on metadata requests (broker permitting). Default true. */
  'allow.auto.create.topics'?: boolean;
}

export interface ProducerOptions {
  /** Name in logs and events, and the KafkaJS clientId unless `client.id` is set. Default `decanter-producer`. */
  id?: string;
  /** Kafka settings under librdkafka names. `bootstrap.servers` is required. */
  kafka: ProducerKafkaSettings;
  /** How long (ms) produce waits for room in a full queue before QueueFullError. Default 5,000. */
  maxWaitTimeoutMs?: number;
  /** TLS options passed to KafkaJS as is (wins over `security.protocol`). */
  ssl?: boolean | ConnectionOptions;
  /** SASL options passed to KafkaJS as is (wins over `sasl.*`). */
  sasl?: SASLOptions;
  /** KafkaJS's own log level: 'nothing' | 'error' | 'warn' | 'info' | 'debug'. Default 'nothing' (we report through events). */
  kafkaJsLogLevel?: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
  /**
   * Who encodes the record batches: `'decanter'` (the default: Decanter's RecordBatch v2
   * encoder, sent through KafkaJS's own connections, idempotence and transactions included; see
   * docs/producer.md, "Record encoder") or `'kafkajs'` (KafkaJS's own sendBatch: the fallback,
   * at about a quarter of the throughput).
   */
  recordEncoder?: 'kafkajs' | 'decanter';
}

/**
 * The Java client's names accepted beside the librdkafka ones, alias → name: the same setting,
 * unit and values. Setting both to different values is a configuration error naming both.
 * (`sasl.mechanism` → `sasl.mechanisms` is a security setting: SECURITY_SETTING_ALIASES.)
 */
export const producerKafkaAliases = {
  'linger.ms': 'queue.buffering.max.ms',
  acks: 'request.required.acks',
  'compression.type': 'compression.codec',
  'delivery.timeout.ms': 'message.timeout.ms',
} as const satisfies Record<string, keyof ProducerKafkaSettings>;

/**
 * Java client settings that mean something else here (or have no equivalent): not accepted, and
 * refused with this hint instead of a bare "unknown".
 */
export const producerKafkaHints: Readonly<Record<string, string>> = {
  'max.request.size': "the Java client's request size limit has no exact equivalent; message.max.bytes bounds one message (and one batch)",
  'buffer.memory': "the Java client's bytes have no exact equivalent; queue.buffering.max.kbytes bounds the queue, in KiB",
  'max.block.ms': "the Java client's setting has no exact equivalent; the option maxWaitTimeoutMs is how long produce waits for room in a full queue",
  'metadata.max.age.ms': 'the Java client and librdkafka mean different things by it; set topic.metadata.refresh.interval.ms',
  retries: 'retries continue until message.timeout.ms (alias delivery.timeout.ms) runs out, as in the Java client by default; there is no count',
  'key.serializer': 'keys and payloads are Buffers or strings: serialise them before producing',
  'value.serializer': 'keys and payloads are Buffers or strings: serialise them before producing',
};

export const defaultKafkaSettings = {
  'queue.buffering.max.ms': 5,
  'batch.size': 1_000_000,
  'batch.num.messages': 500,
  'compression.codec': 'none',
  'request.required.acks': -1,
  'message.timeout.ms': 300_000,
  'request.timeout.ms': 30_000,
  'queue.buffering.max.messages': 100_000,
  'queue.buffering.max.kbytes': 1_048_576,
  'message.max.bytes': 1_000_000,
  'max.in.flight.requests.per.connection': 5,
  'retry.backoff.ms': 100,
  'retry.backoff.max.ms': 1_000,
  'transaction.timeout.ms': 60_000,
  'topic.metadata.refresh.interval.ms': 300_000,
  'socket.connection.setup.timeout.ms': 10_000,
  'security.protocol': 'plaintext',
  'allow.auto.create.topics': true,
} as const satisfies ProducerKafkaSettings;

export const defaultProducerOptions = {
  id: 'decanter-producer',
  maxWaitTimeoutMs: 5_000,
  kafkaJsLogLevel: 'nothing',
  recordEncoder: 'decanter',
} as const satisfies Omit<ProducerOptions, 'kafka'>;

/** The options the producer runs on: every default applied, names normalised, frozen. */
export interface ResolvedProducerOptions {
  readonly id: string;
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly lingerMs: number;
  readonly batchSizeBytes: number;
  readonly batchMaxMessages: number;
  readonly compression: CompressionCodecName;
  readonly acks: 0 | 1 | -1;
  readonly messageTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly queueMaxMessages: number;
  readonly queueMaxBytes: number;
  readonly messageMaxBytes: number;
  readonly maxInFlight: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly idempotent: boolean;
  readonly transactionalId: string | undefined;
  readonly transactionTimeoutMs: number;
  readonly metadataMaxAgeMs: number;
  readonly connectionTimeoutMs: number;
  readonly allowAutoTopicCreation: boolean;
  readonly maxWaitTimeoutMs: number;
  readonly ssl: boolean | ConnectionOptions | undefined;
  readonly sasl: SASLOptions | undefined;
  readonly kafkaJsLogLevel: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
  readonly recordEncoder: 'kafkajs' | 'decanter';
}

export function normaliseAcks(acks: Acks): 0 | 1 | -1 {
  return acks === 'all' ? -1 : acks;
}
