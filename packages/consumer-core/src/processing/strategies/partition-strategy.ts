// How the jobs of one topic's partitions are made and settled: the seam features plug into. A
// strategy turns a partition's share of a poll into jobs (one for the default; several for a
// strategy that splits partitions) and settles each finished job: what it processed is already
// in the partition's offset ledger (the strategy's own kind of ledger); the strategy decides what
// comes next — go on, pause, seek, retry after a backoff, or divert the failing message (dead
// letter queue). It acts on its partition through PartitionControl only, which the runner's
// partition coordinator implements, and the testing kit too, so a test runs the same rules.
import type { MessageRun } from '../../messages/packed-chunk';
import type { Topic } from '../../routing/topic';
import type { JobKind, SeekRequest } from '../../consumer';
import type { GroupScope, PartitionPausedEvent, PartitionStatisticsExtensions } from '../../events';
import type { Monitor } from '../../instrumentation/monitor';
import type { ConsumeJob, JobDetails } from '../job';
import type { OffsetLedger } from '../offsets/offset-ledger';
import type { SerializedError } from '../serialized-error';
import type { ConsumeResult } from '../worker-protocol';
import type { FailureCount, FailurePolicy } from './failure-policy';

/** How a job ended: its worker's result, or the worker thread died while running it. */
export type JobOutcome = { readonly result: ConsumeResult } | { readonly crashed: { readonly name: string; readonly message: string } };

/** What a strategy may see of, and do with, one owned partition. */
export interface PartitionControl {
  readonly topic: Topic;
  readonly partition: number;
  /** Failures in a row and where the last one restarted (the strategy updates it). */
  readonly failures: FailureCount;
  /** The topic's failure policy, from its features (dead letter queue, counting). */
  readonly failurePolicy: FailurePolicy;
  /** A job of this partition for `messages`, run by its consumer instance `parallelKey` (default 0). */
  job(messages: MessageRun, parallelKey?: number, details?: JobDetails): ConsumeJob;
  /** The next offset to commit (every dispatched message before it was processed), or null. */
  markedOffset(): number | null;
  /** The partition's offset ledger (the one the strategy's `ledger()` made), or null when not owned. */
  ledger(): OffsetLedger | null;
  /** Messages of the poll the strategy hands to no job because they were processed already: they count as dispatched and processed. */
  skipped(messages: MessageRun): void;
  /** Where the strategy reports (events of its own, error.occurred), and the scope its events carry. */
  readonly monitor: Monitor;
  readonly scope: GroupScope;
  /** Records that the job processed its first `count` messages (outside its own result, e.g. a diverted message). False once the partition is not owned under the job's epoch. */
  processed(job: ConsumeJob, count: number): boolean;
  /** True while the partition is still owned under the epoch `job` was dispatched in. */
  owns(job: ConsumeJob): boolean;
  /** The partition was consumed up to `nextOffset` (for partition-end detection and hooks). */
  advanced(nextOffset: number): void;
  /** Stops the partition (only it) and restarts it at `offset` after `timeoutMs` (Infinity: until resume()). */
  pause(offset: number, timeoutMs: number, reason: PartitionPausedEvent['reason'], attempt?: number): void;
  /** Restarts the partition at a point in time or either end (resolved against the broker). */
  seek(target: Exclude<SeekRequest, { offset: number }>): Promise<void>;
  /** Lifts a pause now. */
  resume(): void;
  /** How long the partition waits before retry number `attempts` (the App's pause.* settings). */
  backoff(attempts: number): number;
  /** Reports a failed consume() of `job` at `offset` (error.occurred, consumer.consume.error). */
  reportFailure(job: ConsumeJob, offset: number, error: SerializedError): void;
}

export interface PartitionStrategy {
  /** The strategy's name (events, statistics, docs). */
  readonly name: string;
  /** Jobs for one partition's messages of a poll (in offset order; at least one when there are messages). */
  distribute(messages: MessageRun, partition: PartitionControl): readonly ConsumeJob[];
  /** Settles a job that ended (its processed messages are already recorded). Never rejects. */
  settle(job: ConsumeJob, outcome: JobOutcome, partition: PartitionControl): Promise<void>;
  /** The ledger of a newly owned partition. Default: the contiguous ledger. */
  ledger?(): OffsetLedger;
  /** The ledger writes commit metadata: it is read back on assignment (an OffsetFetch before the first batch). Default false. */
  readonly offsetMetadata?: boolean;
  /** What statistics.emitted adds to the partition's entry (see PartitionStatisticsExtensions). */
  statistics?(partition: number): Partial<PartitionStatisticsExtensions>;
}

/** Builds a strategy for a topic it claims, or returns null to leave the topic to others (the default strategy last). */
export type StrategyFactory = (topic: Topic) => PartitionStrategy | null;

/** The hook a job without messages runs. */
export type HookKind = Exclude<JobKind, 'consume'>;
