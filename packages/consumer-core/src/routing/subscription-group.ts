import type { ResolvedFetchSettings } from './fetch-settings';
import type { SubscriptionGroupSettings } from './route-extension';
import type { Topic } from './topic';

/**
 * Topics consumed through one KafkaJS consumer, one prefetch buffer and one poll loop. Topics
 * land together only when their fetch settings and poll settings are equal. Features' settings
 * (an entry of the route's `subscriptionGroups`) are under their fields (SubscriptionGroupSettings).
 */
export interface SubscriptionGroup extends SubscriptionGroupSettings {
  readonly id: string;
  readonly consumerGroup: string;
  readonly topics: readonly Topic[];
  readonly maxMessages: number;
  readonly maxWaitTimeMs: number;
  readonly fetch: ResolvedFetchSettings;
}
