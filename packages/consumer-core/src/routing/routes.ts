// What users write to say where messages go: consumer groups → (subscription groups) → topics,
// each topic bound to a consumer class by module path + export name, because the class is loaded
// inside a worker thread and cannot be passed as a value.

/** A class that extends `Consumer`, named by the module that exports it. */
export interface ConsumerReference {
  /** Absolute path of the module (`.js`, or `.ts` when ts-node is installed). Tip: `require.resolve('./orders-consumer')` or `join(__dirname, 'orders-consumer')`. */
  module: string;
  /** Name of the export holding the class. Default `'default'`. */
  export?: string;
}

/** Built-in deserializers: `json` (default: `JSON.parse` of the UTF-8 value), `string`, `raw` (the Buffer). */
export type BuiltInDeserializer = 'json' | 'string' | 'raw';

/** A deserializer: a built-in name, or a module exporting `(raw: Buffer | null, message) => unknown`. */
export type DeserializerReference = BuiltInDeserializer | ConsumerReference;

/** Fetch settings a topic may override; topics with different values get their own subscription group (own KafkaJS consumer). */
export interface TopicKafkaOverrides {
  'fetch.wait.max.ms'?: number;
  'fetch.min.bytes'?: number;
  'fetch.message.max.bytes'?: number;
  'fetch.max.bytes'?: number;
  'queued.max.messages.kbytes'?: number;
  'enable.partition.eof'?: boolean;
}

/** Where messages that keep failing go (per topic route). */
export interface DeadLetterQueueDefinition {
  /** Topic the failing message is produced to (through the app's `producer`). Required. */
  topic: string;
  /** Failed retries before the message goes to the DLQ; 0 sends it at the first failure. Default 3. Alias `max_retries`. */
  maxRetries?: number;
  max_retries?: number;
  /**
   * `true`: the failure count restarts whenever the partition got past the message that failed
   * before (each message gets its own `maxRetries`); `false`: it restarts only after a job
   * succeeds or a message was sent to the DLQ. Default false.
   */
  independent?: boolean;
}

/** A periodic `tick()` for the topic's partitions (also when no messages arrive). */
export interface PeriodicDefinition {
  /** How often `tick()` runs per assigned partition when no job ran on it within that time, in ms. Default 5000. Alias `interval`. */
  intervalMs?: number;
  interval?: number;
}

export interface TopicRouteDefinition {
  /** Topic name. */
  topic: string;
  /** The consumer class that processes this topic. */
  consumer: ConsumerReference;
  /** Most messages one poll hands out (per subscription group). Default: the app's `maxMessages`. Alias `max_messages`. */
  maxMessages?: number;
  max_messages?: number;
  /** How long a poll waits for `maxMessages` to arrive, in ms. Default: the app's `maxWaitTimeMs`. Alias `max_wait_time`. */
  maxWaitTimeMs?: number;
  max_wait_time?: number;
  /** Where to start when the group has no committed offset. Default `kafka['auto.offset.reset']` (`'earliest'`). Alias `initial_offset`. */
  initialOffset?: 'earliest' | 'latest';
  initial_offset?: 'earliest' | 'latest';
  /** How `message.payload` is made from the raw value, lazily on first access. Default `'json'`. */
  deserializer?: DeserializerReference;
  /** `false` keeps the route defined but not subscribed. Default `true`. */
  active?: boolean;
  /** `true`: only `markAsConsumed()` marks offsets; nothing is marked after `consume()` on its own. Default `false`. Alias `manual_offset_management`. */
  manualOffsetManagement?: boolean;
  manual_offset_management?: boolean;
  /** Puts the topic in a named subscription group (own KafkaJS consumer and prefetch buffer). Default `'default'`. Alias `subscription_group`. */
  subscriptionGroup?: string;
  subscription_group?: string;
  /** Fetch settings for this topic only. */
  kafka?: TopicKafkaOverrides;
  /** Send messages that keep failing to a dead letter queue topic. Default: none (retry forever). Alias `dead_letter_queue`. */
  deadLetterQueue?: DeadLetterQueueDefinition;
  dead_letter_queue?: DeadLetterQueueDefinition;
  /** `true` or `{ intervalMs }`: call the consumer's `tick()` periodically per partition. Default: off. */
  periodic?: boolean | PeriodicDefinition;
}

export interface ConsumerGroupRouteDefinition {
  /** Kafka consumer group id. Default: `kafka['group.id']`. */
  consumerGroup?: string;
  topics: TopicRouteDefinition[];
}

/** The routing table: one entry per consumer group. */
export type RoutesDefinition = ConsumerGroupRouteDefinition[];
