// What a feature adds to one topic's partitions whatever strategy runs them: job options,
// failure handling, and hook jobs for partitions a poll left idle. One behaviour is made per
// topic and subscription group runner (so state it keeps, e.g. a partition's end, is that
// runner's); the core merges the behaviours of every registered feature and never branches on
// which feature brought what.
import type { PartitionBounds } from '../connection/offset-lookups';
import type { Monitor } from '../instrumentation/monitor';
import type { GroupScope } from '../events';
import type { ProducedMessage, ProducedReport } from '../options';
import type { FailurePolicy } from '../processing/strategies/failure-policy';
import type { HookKind } from '../processing/strategies/partition-strategy';
import type { Topic } from '../routing/topic';

/** A partition of the topic that got no messages in a poll, as an idle hook sees it. */
export interface IdlePartition {
  readonly partition: number;
  /** Where the partition stands: next offset after its last successful job, or where a pause restarts it; null before either. */
  readonly position: number | null;
  /** Paused (after an error, or by the consumer) right now. */
  readonly paused: boolean;
  /** When a job last ran on the partition, ms since epoch. */
  readonly lastJobAt: number;
  /** Messages of the partition are buffered, or fetched and about to be. */
  readonly buffered: boolean;
}

/** What an idle hook may use when partitions are assigned. */
export interface AssignmentContext {
  /** Where these partitions start and end, and the group's committed offsets, as the broker says now. */
  bounds(partitions: ReadonlyArray<{ topic: string; partition: number }>): Promise<PartitionBounds[]>;
  /** The partition will be consumed from `offset`: sets its position when not known yet (true), else leaves it (false). */
  startsAt(partition: number, offset: number): boolean;
  /** Makes the poll loop look at the partitions again (a hook may now be due). */
  wake(): void;
  /** Reports a failure outside any job (error.occurred, poll.error); ignored once the app stops. */
  report(error: unknown): void;
}

/** Runs hook jobs (`tick`, `eofed`) for partitions of the topic that a poll left idle. */
export interface IdleHook {
  /** The hook to run on `partition` now, or null. Asked once a poll for each owned idle partition. */
  due(partition: IdlePartition, now: number): HookKind | null;
  /** Partitions of the topic were assigned (after every rebalance: each starts over). */
  assigned?(partitions: readonly number[], context: AssignmentContext): void;
  /** A batch of `partition` was buffered; the partition's end was then `highWatermark`. */
  fetched?(partition: number, highWatermark: number): void;
}

export interface TopicBehaviour {
  /** Jobs of the topic mark nothing when consume() returns: only markAsConsumed() marks. */
  readonly manualOffsetManagement?: boolean;
  /** How failures of the topic's jobs are counted and whether a failing message is diverted. */
  readonly failures?: FailurePolicy;
  /** Hook jobs for idle partitions. */
  readonly idle?: IdleHook;
}

/** Produces a message where the app sends what it diverts (its producer; the testing kit records it). */
export type DivertedSink = (message: ProducedMessage) => Promise<ProducedReport>;

/** What a behaviour is made with: where it reports, and the app's producer. */
export interface BehaviourContext {
  readonly monitor: Monitor;
  readonly scope: GroupScope;
  /** Produces through the app's producer; rejects with PRODUCER_UNAVAILABLE when the app has none. */
  readonly produce: DivertedSink;
}

/** Builds a feature's behaviour for one topic, or null when the topic does not use the feature. */
export type TopicBehaviourFactory = (topic: Topic, context: BehaviourContext) => TopicBehaviour | null;
