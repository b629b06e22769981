import type { SubscriptionGroup } from './subscription-group';

/** A Kafka consumer group and the subscription groups that consume for it. */
export interface ConsumerGroup {
  readonly id: string;
  readonly subscriptionGroups: readonly SubscriptionGroup[];
}
