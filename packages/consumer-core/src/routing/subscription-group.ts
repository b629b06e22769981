import type { ResolvedFetchSettings } from '../options';
import type { Topic } from './topic';

/**
 * Topics consumed through one KafkaJS consumer, one prefetch buffer and one poll loop. Topics
 * land together only when their fetch settings and poll settings are equal.
 */
export interface SubscriptionGroup {
  readonly id: string;
  readonly consumerGroup: string;
  readonly topics: readonly Topic[];
  readonly maxMessages: number;
  readonly maxWaitTimeMs: number;
  readonly fetch: ResolvedFetchSettings;
}
