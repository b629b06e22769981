// How many connections (KafkaJS consumers, each a member of the consumer group with its own
// listener, prefetch buffer, poll loop and commits) a subscription group gets. The core runs one;
// a feature (multiplexing) plans more. The connection index travels in client ids and events.
import type { SubscriptionGroup } from '../routing/subscription-group';

/** Connections of one subscription group: how many at start, and the bounds a scaler keeps to. */
export interface ConnectionCount {
  readonly boot: number;
  readonly min: number;
  readonly max: number;
}

export interface ConnectionsPlan {
  /** The connections of `group`, or null when the feature leaves the group alone. */
  connections(group: SubscriptionGroup): ConnectionCount | null;
}

/** The core's plan: one connection per subscription group. */
export const SINGLE_CONNECTION: ConnectionCount = Object.freeze({ boot: 1, min: 1, max: 1 });
