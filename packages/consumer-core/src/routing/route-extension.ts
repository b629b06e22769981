// A key a feature adds to the routing table, with its own declarative contract: the core router
// knows only its own keys and asks the registered features for every other one, so a misspelt
// key still fails at construction naming its path, and a key of a feature that is not registered
// names the package to register. The resolved value is stored on the resolved Topic (or
// SubscriptionGroup) under `field`. Route types grow with features through declaration merging:
// a feature package augments TopicRouteExtensions / SubscriptionGroupRouteExtensions (the keys
// users write) and TopicSettings / SubscriptionGroupSettings (the resolved values).
import type { IssueList } from '../contract-rules';

/** Where an extension's key is written. */
export type RouteLevel = 'topic' | 'subscriptionGroup';

/** What a resolver knows about the route it resolves a key of. */
export interface RouteContext {
  /** The topic's name (topic level), or the subscription group's name. */
  readonly name: string;
}

/** What a cross-field check knows about the app. */
export interface AppContext {
  /** Whether the app has a `producer`; null when nothing runs it (the testing kit resolves bare routes). */
  readonly producer: boolean | null;
  /** The app's worker threads and jobs per thread (resolved, defaults applied). */
  readonly concurrency: number;
  readonly concurrentJobsPerThread: number;
}

export interface RouteExtension<T = unknown> {
  /** The key users write (camelCase). */
  readonly key: string;
  /** Other spellings of the key (Karafka's snake_case). A conflict between them is reported. */
  readonly aliases?: readonly string[];
  readonly level: RouteLevel;
  /** Property of the resolved Topic / SubscriptionGroup that holds the result. Default: `key`. */
  readonly field?: string;
  /**
   * Resolves the value users wrote (undefined when absent: return the default) at `path`, adding
   * every problem to `issues` with its full path. Runs once, at construction.
   */
  resolve(value: unknown, path: string, issues: IssueList, route: RouteContext, app: AppContext): T;
  /** Cross-field rules against the app, once every route is resolved. */
  check?(resolved: T, path: string, issues: IssueList, app: AppContext): void;
}

/**
 * Keys features add to a topic route. Empty here; a feature package augments it:
 * `declare module '@decanter/consumer-core' { interface TopicRouteExtensions { myKey?: MyDefinition } }`.
 */
export interface TopicRouteExtensions {}

/** Keys features add to an entry of a consumer group route's `subscriptionGroups` (augmented like TopicRouteExtensions). */
export interface SubscriptionGroupRouteExtensions {}

/** The resolved values of feature keys on a Topic (augmented by features, under each extension's `field`). */
export interface TopicSettings {}

/** The resolved values of feature keys on a SubscriptionGroup (augmented like TopicSettings). */
export interface SubscriptionGroupSettings {}
