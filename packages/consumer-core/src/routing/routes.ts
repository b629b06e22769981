// What users write to say where messages go: consumer groups → (subscription groups) → topics,
// each topic bound to a consumer class by module path + export name, because the class is loaded
// inside a worker thread and cannot be passed as a value. Features add keys to topics and
// subscription groups (route-extension.ts).
import type { SubscriptionGroupRouteExtensions, TopicRouteExtensions } from './route-extension';

/** A class that extends `Consumer`, named by the module that exports it. */
export interface ConsumerReference {
  /**
   * The module: an absolute path or a `file:` URL (string or URL) of a `.js`/`.mjs`/`.cjs` file, or
   * of a `.ts`/`.mts`/`.cts` one with tsx, ts-node or a Node.js that strips types. CommonJS:
   * `join(__dirname, 'orders-consumer')`; ES module: `new URL('./orders-consumer.js', import.meta.url)`.
   * It is imported with import() in each worker thread (CommonJS and ES modules alike).
   */
  module: string | URL;
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
  /** Alias (the Java client's name) of `fetch.wait.max.ms`. */
  'fetch.max.wait.ms'?: number;
  'fetch.min.bytes'?: number;
  'fetch.message.max.bytes'?: number;
  /** Alias (the Java client's name) of `fetch.message.max.bytes`. */
  'max.partition.fetch.bytes'?: number;
  'fetch.max.bytes'?: number;
  'queued.max.messages.kbytes'?: number;
  'enable.partition.eof'?: boolean;
}

/** A topic route: the core's keys, plus those of every registered feature (declaration merging on TopicRouteExtensions). */
export interface TopicRouteDefinition extends TopicRouteExtensions {
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
  /** Puts the topic in a named subscription group (own KafkaJS consumer and prefetch buffer). Default `'default'`. Alias `subscription_group`. */
  subscriptionGroup?: string;
  subscription_group?: string;
  /** Fetch settings for this topic only. */
  kafka?: TopicKafkaOverrides;
}

/** Settings of one subscription group (the keys features add, e.g. `multiplexing`). */
export type SubscriptionGroupRouteDefinition = SubscriptionGroupRouteExtensions;

export interface ConsumerGroupRouteDefinition {
  /** Kafka consumer group id. Default: `kafka['group.id']`. */
  consumerGroup?: string;
  topics: TopicRouteDefinition[];
  /** Settings per subscription group, by the name topics give in `subscriptionGroup` (`'default'` for those that give none). */
  subscriptionGroups?: Record<string, SubscriptionGroupRouteDefinition>;
}

/** The routing table: one entry per consumer group. */
export type RoutesDefinition = ConsumerGroupRouteDefinition[];
