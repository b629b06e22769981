// Options of an App (the consumer process): the interface users write, its defaults, and the
// frozen resolved form built once at construction. Names follow the Karafka latency guide and
// librdkafka so settings port over; both spellings are accepted where the guide uses snake_case,
// and in the `kafka` block the Java client's name where it differs but means the same.
import type { SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { SecuritySettings } from '@decanter/producer';
import type { Feature } from './features/feature';
import type { LoggerLike } from './instrumentation/logger-listener';
import type { ResolvedFetchSettings } from './routing/fetch-settings';
import type { RoutesDefinition } from './routing/routes';

export type { ResolvedFetchSettings } from './routing/fetch-settings';

/** The `kafka` block: librdkafka/Karafka names, mapped onto KafkaJS (the security ones are shared with the producer). */
export interface ConsumerKafkaSettings extends SecuritySettings {
  /** Brokers, `'host:port,host:port'` or an array. Required. */
  'bootstrap.servers': string | string[];
  /** Default consumer group id for routes that do not name one. */
  'group.id'?: string;
  /** KafkaJS clientId. Default `'decanter'`. */
  'client.id'?: string;
  /** Longest time the broker holds a fetch waiting for `fetch.min.bytes`, in ms → KafkaJS `maxWaitTimeInMs`. Default 500 (librdkafka's; KafkaJS's own is 5000). */
  'fetch.wait.max.ms'?: number;
  /** Alias (the Java client's name) of `fetch.wait.max.ms`. */
  'fetch.max.wait.ms'?: number;
  /** Bytes the broker waits for before answering a fetch → KafkaJS `minBytes`. Default 1. */
  'fetch.min.bytes'?: number;
  /** Most bytes fetched per partition per request → KafkaJS `maxBytesPerPartition`. Default 1048576. */
  'fetch.message.max.bytes'?: number;
  /** Alias (the Java client's name, which librdkafka accepts too) of `fetch.message.max.bytes`. */
  'max.partition.fetch.bytes'?: number;
  /** Most bytes per fetch response → KafkaJS `maxBytes`. Default 10485760. */
  'fetch.max.bytes'?: number;
  /** Wait before retrying after a fetch error, in ms → KafkaJS `retry.initialRetryTime`. Default 500. */
  'fetch.error.backoff.ms'?: number;
  /** Hand a partition's buffered messages out as soon as it reaches its end, without waiting for `maxWaitTimeMs`. Default false. */
  'enable.partition.eof'?: boolean;
  /** Bound of each subscription group's prefetch buffer, in KiB of the bytes it holds (key, value and header bytes plus 36 bytes per message). When full, fetching pauses (heartbeats go on). Default 65536 (64 MiB). */
  'queued.max.messages.kbytes'?: number;
  /** Group session timeout, in ms → KafkaJS `sessionTimeout`. Default 45000. */
  'session.timeout.ms'?: number;
  /** Heartbeat interval, in ms → KafkaJS `heartbeatInterval`. Default 3000. */
  'heartbeat.interval.ms'?: number;
  /** Rebalance timeout, in ms → KafkaJS `rebalanceTimeout`. Default 60000. */
  'max.poll.interval.ms'?: number;
  /** Where to start without a committed offset: default of every route's `initialOffset`. Default `'earliest'`. */
  'auto.offset.reset'?: 'earliest' | 'latest';
  /** How often marked offsets are committed, in ms. Default 5000. */
  'auto.commit.interval.ms'?: number;
  /** `read_committed` skips aborted transactional messages → KafkaJS `readUncommitted`. Default `'read_committed'`. */
  'isolation.level'?: 'read_committed' | 'read_uncommitted';
  /** How often `statistics.emitted` fires, in ms; 0 disables it. Default 5000. */
  'statistics.interval.ms'?: number;
  /** Connection timeout, in ms → KafkaJS `connectionTimeout`. Default 3000. */
  'socket.connection.setup.timeout.ms'?: number;
  /** Request timeout, in ms → KafkaJS `requestTimeout`. Default 30000. */
  'request.timeout.ms'?: number;
  /**
   * The brokers' `offset.metadata.max.bytes`: commit metadata longer than this (UTF-8 bytes) is
   * not sent (a broker refuses the whole commit otherwise); what it described is processed again
   * after a rebalance, never lost. Only strategies that write metadata (virtual partitions) use it. Default 4096.
   */
  'offset.metadata.max.bytes'?: number;
  /** TLS: `true` or Node TLS options, passed to KafkaJS `ssl` as is (wins over the `ssl.*` settings). */
  ssl?: boolean | ConnectionOptions;
  /** SASL options passed to KafkaJS `sasl` as is (wins over the `sasl.*` settings; for OAUTHBEARER / AWS-IAM). */
  sasl?: SASLOptions;
}

export interface AppOptions {
  /** Name used in logs and events. Default `'decanter'`. */
  id?: string;
  kafka: ConsumerKafkaSettings;
  /** The routing table. */
  routes: RoutesDefinition;
  /** Worker threads shared by all subscription groups. Default 5. */
  concurrency?: number;
  /**
   * Jobs one worker thread runs at once (piscina's `concurrentTasksPerWorker`), each of another
   * consumer instance (one instance never runs two jobs at once). Raise it for IO-bound
   * `consume()` (awaiting HTTP or a database: the thread serves other partitions meanwhile); keep
   * 1 for CPU-bound work, where jobs of one thread only take turns. Default 1. Alias `concurrent_jobs_per_thread`.
   */
  concurrentJobsPerThread?: number;
  concurrent_jobs_per_thread?: number;
  /**
   * Features beyond the built-in ones (dead letter queue, manual offset management, periodic
   * ticks, partition EOF, always registered), e.g. `[virtualPartitions()]`. Their route keys are
   * accepted and type-checked only when they are registered. Default none.
   */
  features?: readonly Feature[];
  /** Most messages one poll of a subscription group hands out. Default 100. Alias `max_messages`. */
  maxMessages?: number;
  max_messages?: number;
  /** Longest a poll waits for `maxMessages`, in ms. Default 1000. Alias `max_wait_time`. */
  maxWaitTimeMs?: number;
  max_wait_time?: number;
  /** How long `stop()` lets running jobs finish, in ms. Default 60000. Alias `shutdown_timeout`. */
  shutdownTimeoutMs?: number;
  shutdown_timeout?: number;
  /**
   * First pause of a partition whose `consume()` threw (or whose worker thread died), before it
   * is retried from its first unmarked message, in ms. Each further failure in a row doubles it
   * (see `pauseWithExponentialBackoff`) up to `pauseMaxTimeoutMs`. Default 1000.
   * Aliases `pause_timeout`, `'pause.timeout'` (Karafka).
   */
  pauseTimeoutMs?: number;
  pause_timeout?: number;
  'pause.timeout'?: number;
  /** Cap of the exponential retry pause, in ms; must be >= `pauseTimeoutMs`. Default 30000. Aliases `pause_max_timeout`, `'pause.max_timeout'`. */
  pauseMaxTimeoutMs?: number;
  pause_max_timeout?: number;
  'pause.max_timeout'?: number;
  /** `true`: the retry pause doubles after each failure in a row; `false`: always `pauseTimeoutMs`. Default true. Aliases `pause_with_exponential_backoff`, `'pause.with_exponential_backoff'`. */
  pauseWithExponentialBackoff?: boolean;
  pause_with_exponential_backoff?: boolean;
  'pause.with_exponential_backoff'?: boolean;
  /**
   * How long a rebalance noticed inside KafkaJS's eachBatch may wait for running jobs to finish
   * (their marks are then committed under the old generation, so the next owner does not process
   * them again), in ms; capped at half of `max.poll.interval.ms`. The whole consumer group waits
   * for this member meanwhile, other subscription groups of it included. 0 = do not wait (the
   * jobs still finish, their work is reported by `offsets.discarded`). Default 0.
   * Alias `rebalance_drain_timeout`.
   */
  rebalanceDrainTimeoutMs?: number;
  rebalance_drain_timeout?: number;
  /** `true` prints the built-in log lines to the console; or pass a logger. Default false. */
  logger?: boolean | LoggerLike;
  /**
   * The process's producer for `this.producer` in consumers: anything with `produceSync` /
   * `produceAsync` (an `@decanter/producer` Producer). Default: none.
   */
  producer?: ConsumerProducerTarget;
}

/** The subset of @decanter/producer's Producer the consumer side calls. */
export interface ConsumerProducerTarget {
  produceSync(message: ProducedMessage): Promise<ProducedReport>;
  produceAsync(message: ProducedMessage): Promise<{ wait(): Promise<ProducedReport> }>;
  /** Runs `work` in one Kafka transaction (commits when it resolves); needed for `this.transaction()` in consumers. */
  transaction?<T>(work: (tx: ConsumerProducerTransaction) => Promise<T>): Promise<T>;
  /** `transactionalId` set = a transactional producer: the App fences an older instance with the same id before it joins its groups. */
  readonly options?: { readonly transactionalId?: string | undefined };
}

/** The subset of @decanter/producer's Transaction the consumer side calls. */
export interface ConsumerProducerTransaction {
  produceManySync(messages: readonly ProducedMessage[]): Promise<ProducedReport[]>;
  sendOffsets(offsets: { consumerGroupId: string; topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> }): Promise<void>;
}

/** A message produced from a consumer (same shape as @decanter/producer's ProduceMessage). */
export interface ProducedMessage {
  topic: string;
  payload: Buffer | string | null;
  key?: Buffer | string | null;
  partition?: number;
  partitionKey?: string;
  headers?: Record<string, string | Buffer | Array<string | Buffer> | undefined>;
  timestamp?: number | Date;
}

export interface ProducedReport {
  topic: string;
  partition: number;
  offset: string | null;
}

/**
 * The Java client's names accepted in the `kafka` block beside the librdkafka ones, alias →
 * name: the same setting, unit and values (also in a topic route's `kafka` overrides). Setting
 * both to different values is a configuration error naming both. (`sasl.mechanism` is a security
 * setting: @decanter/producer's SECURITY_SETTING_ALIASES.)
 */
export const kafkaSettingAliases = {
  'fetch.max.wait.ms': 'fetch.wait.max.ms',
  'max.partition.fetch.bytes': 'fetch.message.max.bytes',
} as const satisfies Record<string, keyof ConsumerKafkaSettings>;

/** Java client settings that mean something else here: refused with this hint instead of a bare "unknown". */
export const kafkaSettingHints: Readonly<Record<string, string>> = {
  'max.poll.records':
    "the Java client's poll returns what is there; the option maxMessages is the most one poll hands out, and a poll waits up to maxWaitTimeMs to fill it",
  'enable.auto.commit': 'Decanter commits what was processed every auto.commit.interval.ms; set manualOffsetManagement on a route to mark offsets yourself',
  'key.deserializer': "keys arrive as message.key (UTF-8 text) and message.rawKey (bytes)",
  'value.deserializer': "set a route's deserializer ('json', 'string', 'raw' or your own)",
};

export const defaultKafkaSettings = {
  'client.id': 'decanter',
  'fetch.wait.max.ms': 500,
  'fetch.min.bytes': 1,
  'fetch.message.max.bytes': 1_048_576,
  'fetch.max.bytes': 10_485_760,
  'fetch.error.backoff.ms': 500,
  'enable.partition.eof': false,
  'queued.max.messages.kbytes': 65_536,
  'session.timeout.ms': 45_000,
  'heartbeat.interval.ms': 3_000,
  'max.poll.interval.ms': 60_000,
  'auto.offset.reset': 'earliest',
  'auto.commit.interval.ms': 5_000,
  'isolation.level': 'read_committed',
  'statistics.interval.ms': 5_000,
  'socket.connection.setup.timeout.ms': 3_000,
  'request.timeout.ms': 30_000,
  'offset.metadata.max.bytes': 4_096,
} as const satisfies Partial<ConsumerKafkaSettings>;

export const defaultAppOptions = {
  id: 'decanter',
  concurrency: 5,
  concurrentJobsPerThread: 1,
  maxMessages: 100,
  maxWaitTimeMs: 1_000,
  shutdownTimeoutMs: 60_000,
  pauseTimeoutMs: 1_000,
  pauseMaxTimeoutMs: 30_000,
  pauseWithExponentialBackoff: true,
  rebalanceDrainTimeoutMs: 0,
  logger: false,
} as const satisfies Partial<AppOptions>;

export interface ResolvedKafkaSettings extends ResolvedFetchSettings {
  readonly brokers: readonly string[];
  readonly groupId: string | undefined;
  readonly clientId: string;
  readonly fetchErrorBackoffMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly autoOffsetReset: 'earliest' | 'latest';
  readonly autoCommitIntervalMs: number;
  readonly readUncommitted: boolean;
  readonly statisticsIntervalMs: number;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly ssl: boolean | ConnectionOptions | undefined;
  readonly sasl: SASLOptions | undefined;
}

export interface ResolvedAppOptions {
  readonly id: string;
  readonly kafka: ResolvedKafkaSettings;
  readonly concurrency: number;
  readonly concurrentJobsPerThread: number;
  /** `kafka['offset.metadata.max.bytes']`: longer commit metadata is not sent. */
  readonly offsetMetadataMaxBytes: number;
  readonly maxMessages: number;
  readonly maxWaitTimeMs: number;
  readonly shutdownTimeoutMs: number;
  readonly pauseTimeoutMs: number;
  readonly pauseMaxTimeoutMs: number;
  readonly pauseWithExponentialBackoff: boolean;
  readonly rebalanceDrainTimeoutMs: number;
  readonly logger: false | LoggerLike;
  readonly producer: ConsumerProducerTarget | undefined;
}
