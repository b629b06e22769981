// A feature of the consumer framework: keys it adds to the routing table (each with its own
// contract), and the parts it plugs into the core — a partition strategy for the topics it claims,
// a behaviour for the topics that use it, a connections plan for subscription groups. Users
// register features explicitly (`new App({ features: [virtualPartitions()] })`); the built-in ones
// (dead letter queue, manual offset management, periodic ticks, partition EOF) are registered by
// default. See "Writing a feature" in docs/consumer.md.
import type { ConnectionsPlan } from '../connection/connections-plan';
import type { StrategyFactory } from '../processing/strategies/partition-strategy';
import type { RouteExtension } from '../routing/route-extension';
import type { TopicBehaviourFactory } from './topic-behaviour';

export interface Feature {
  /** Unique among the registered features (kebab-case, e.g. `'virtual-partitions'`). */
  readonly name: string;
  /** The npm package that ships the feature, named in errors about its keys. */
  readonly packageName?: string;
  /** Keys the feature adds to topic routes and subscription groups, with their contracts. */
  readonly routes?: readonly RouteExtension[];
  /** Claims topics: builds their partition strategy (at most one feature may claim a topic). */
  readonly strategy?: StrategyFactory;
  /** What the feature adds to a topic's partitions whatever strategy runs them. */
  readonly behaviour?: TopicBehaviourFactory;
  /** How many connections a subscription group gets. */
  readonly connections?: ConnectionsPlan;
}
