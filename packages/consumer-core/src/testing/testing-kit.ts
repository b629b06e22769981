// The testing kit (like karafka-testing): builds consumers from the app's own routes and runs
// their consume() in the test's process and thread, with an in-memory partition log instead of a
// broker and a recording producer instead of Kafka. It never connects anywhere. What consumers
// produce is in `produced`, what the dead letter queue sent in `deadLettered`: nothing a test
// could assert on goes unrecorded. (Code that produces outside consumers: FakeProducer of
// @decanter/producer/testing.)
import type { App } from '../app';
import type { Consumer } from '../consumer';
import { resolveAppOptions } from '../contract';
import { IssueList } from '../contract-rules';
import { FeatureSet } from '../features/feature-set';
import { Monitor } from '../instrumentation/monitor';
import type { AppOptions, ProducedMessage } from '../options';
import type { ConsumerGroup } from '../routing/consumer-group';
import type { RoutesDefinition } from '../routing/routes';
import type { Topic } from '../routing/topic';
import { FakeProducer } from './fake-producer';
import { PartitionLog, type FedMessage, type TestMessageOptions } from './partition-log';
import { TestConsumer } from './test-consumer';

/** What a kit is built from: an App (not started), its options, or just the routing table. */
export type TestingKitSource = (Pick<App, 'routing'> & Partial<Pick<App, 'features'>>) | AppOptions | RoutesDefinition;

/** Which consumer `consumerFor` returns. */
export interface ConsumerForOptions {
  /** Default 0. */
  partition?: number;
  /** Needed only when several consumer groups route the topic. */
  consumerGroup?: string;
}

/** Consumer group of bare routes that name none (no `kafka['group.id']` to fall back on). */
export const TESTING_CONSUMER_GROUP = 'decanter-testing';

function resolve(source: TestingKitSource): { routing: readonly ConsumerGroup[]; features: FeatureSet } {
  if (Array.isArray(source)) {
    // Bare routes go through the App's own contract (same errors, same defaults); the broker
    // address only satisfies the contract: the kit never connects.
    return resolveAppOptions(
      {
        kafka: { 'bootstrap.servers': '127.0.0.1:9092', 'group.id': TESTING_CONSUMER_GROUP },
        routes: source,
      },
      { checkProducer: false },
    );
  }
  if ('routing' in source) return { routing: source.routing, features: source.features ?? new FeatureSet(undefined, new IssueList()) };
  // the kit's recording producer stands in for the app's: a dead letter queue needs no `producer`
  return resolveAppOptions(source, { checkProducer: false });
}

export class TestingKit {
  readonly #topics: readonly Topic[];
  readonly #logs = new Map<string, PartitionLog>();
  readonly #consumers = new Map<string, TestConsumer<Consumer>>();
  readonly #producer = new FakeProducer();
  readonly #features: FeatureSet;
  /** Events of what the kit runs (dead letter queue dispatches); nobody listens unless a test does. */
  readonly monitor = new Monitor();

  /** Validates the routes like `new App()` does (a ConfigurationError lists every problem). */
  constructor(source: TestingKitSource) {
    const { routing, features } = resolve(source);
    this.#topics = routing.flatMap((cg) => cg.subscriptionGroups.flatMap((sg) => sg.topics));
    this.#features = features;
  }

  readonly #deadLettered: ProducedMessage[] = [];

  /**
   * Every message consumers produced through `this.producer` or committed transactions, in
   * order, across all consumers. Messages the dead letter queue sent are not here: they are in
   * `deadLettered`.
   */
  get produced(): readonly ProducedMessage[] {
    return this.#producer.produced;
  }

  /**
   * Every message a route's dead letter queue sent, in order, across all consumers: the failed
   * message as it is produced to the DLQ topic (its key, payload and headers, plus the DLQ
   * headers: source topic, partition, offset, attempts, error class and message). Each
   * partition's own are in `consumerFor(...).deadLettered`.
   */
  get deadLettered(): readonly ProducedMessage[] {
    return this.#deadLettered;
  }

  /**
   * Appends one message to a routed topic's partition, as a producer would. Buffers and strings
   * are the raw value, null is a tombstone, anything else is JSON-encoded; the route's
   * deserializer turns it back into `message.payload` on first access.
   */
  produce(topic: string, payload: unknown, options: TestMessageOptions = {}): FedMessage {
    this.#routesOf(topic);
    return this.#log(topic, options.partition ?? 0).append(payload, options);
  }

  /**
   * The consumer of one topic-partition, built from its route (one per consumer group, topic and
   * partition: asking again returns the same one, so state persists between calls). `C` is the
   * class the route points at; it is trusted, not checked.
   */
  consumerFor<C extends Consumer = Consumer>(topic: string, options: ConsumerForOptions = {}): TestConsumer<C> {
    const partition = options.partition ?? 0;
    const candidates = this.#routesOf(topic);
    const route =
      options.consumerGroup === undefined
        ? candidates[0]
        : candidates.find((t) => t.consumerGroup === options.consumerGroup);
    if (route === undefined) {
      throw new Error(
        `Consumer group '${options.consumerGroup}' does not route topic '${topic}' (groups that do: ${candidates.map((t) => t.consumerGroup).join(', ')})`,
      );
    }
    if (options.consumerGroup === undefined && candidates.length > 1) {
      throw new Error(
        `Topic '${topic}' is routed in several consumer groups (${candidates.map((t) => t.consumerGroup).join(', ')}): pass { consumerGroup }`,
      );
    }
    const key = `${route.consumerGroup}/${topic}/${partition}`;
    let consumer = this.#consumers.get(key);
    if (consumer === undefined) {
      const scope = { consumerGroup: route.consumerGroup, subscriptionGroup: route.subscriptionGroup };
      // what the route's dead letter queue produces is recorded on the partition's consumer (deadLettered)
      consumer = new TestConsumer<Consumer>(route, this.#log(topic, partition), this.#producer, (deadLetters) =>
        this.#features.forTopic(route, {
          monitor: this.monitor,
          scope,
          produce: async (message) => {
            const sent = { ...message, headers: asConsumerSees(message.headers) };
            deadLetters.push(sent);
            this.#deadLettered.push(sent);
            return { topic: message.topic, partition: 0, offset: null };
          },
        }),
        { monitor: this.monitor, scope },
      );
      this.#consumers.set(key, consumer);
    }
    return consumer as unknown as TestConsumer<C>;
  }

  /**
   * Makes every `this.producer` call reject, from now until called with null, with the error a
   * consumer sees in production when the producer fails (PRODUCER_UNAVAILABLE, `cause` = `error`).
   * Nothing is recorded while it fails.
   */
  failProducing(error: Error | null): void {
    this.#producer.failure = error;
  }

  /** Runs `shutdown()` of every consumer instance the kit created, as a stopping app does. */
  async shutdown(): Promise<void> {
    for (const consumer of this.#consumers.values()) await consumer.shutdown();
  }

  #routesOf(topic: string): Topic[] {
    const routes = this.#topics.filter((t) => t.name === topic);
    if (routes.length === 0) {
      const known = [...new Set(this.#topics.map((t) => t.name))].join(', ');
      throw new Error(`Topic '${topic}' is not routed to any active consumer (routed topics: ${known})`);
    }
    return routes;
  }

  #log(topic: string, partition: number): PartitionLog {
    if (!Number.isInteger(partition) || partition < 0)
      throw new RangeError(`partition must be an integer >= 0 (got ${partition})`);
    const key = `${topic}/${partition}`;
    let log = this.#logs.get(key);
    if (log === undefined) {
      log = new PartitionLog(topic, partition);
      this.#logs.set(key, log);
    }
    return log;
  }
}

/** Header values as a consumer sees them (UTF-8 strings), which is how a test fed them. */
function asConsumerSees(headers: ProducedMessage['headers']): ProducedMessage['headers'] {
  if (headers === undefined) return undefined;
  const text = (v: string | Buffer): string => (typeof v === 'string' ? v : v.toString('utf8'));
  const out: NonNullable<ProducedMessage['headers']> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = value === undefined ? undefined : Array.isArray(value) ? value.map(text) : text(value);
  }
  return out;
}

/** Builds a testing kit from an App (not started), its options, or a routing table. */
export function createTestingKit(source: TestingKitSource): TestingKit {
  return new TestingKit(source);
}
