// One owned partition of a subscription group, for the length of one assignment (KafkaJS
// rebalances eagerly, so every assignment starts each partition over: unpaused, no failures).
// Holds the partition's flow state — failures in a row, the pause in effect, where it stands,
// when a job last ran — and is what the topic's strategy acts through (PartitionControl): it
// makes the jobs, reads the ledger, and hands pauses and seeks to the pauses manager. Never marks
// for a job dispatched under another ownership epoch.
import type { SeekRequest } from '../consumer';
import type { GroupScope, PartitionPausedEvent } from '../events';
import { ConsumeFailedError } from '../errors';
import type { TopicFeatures } from '../features/feature-set';
import type { Monitor } from '../instrumentation/monitor';
import type { MessageRun } from '../messages/packed-chunk';
import type { Topic } from '../routing/topic';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { jobKeys, type ConsumeJob, type JobDetails } from './job';
import type { OffsetLedger } from './offsets/offset-ledger';
import type { OffsetTracker } from './offsets/offset-tracker';
import { reviveError, type SerializedError } from './serialized-error';
import type { FailureCount, FailurePolicy } from './strategies/failure-policy';
import type { PartitionControl } from './strategies/partition-strategy';

/** What moves a partition: the pauses manager, as the coordinator uses it. */
export interface PartitionMover {
  pause(partition: PartitionCoordinator, offset: number, timeoutMs: number, reason: PartitionPausedEvent['reason'], attempt: number): void;
  seek(partition: PartitionCoordinator, target: Exclude<SeekRequest, { offset: number }>): Promise<void>;
  resume(partition: PartitionCoordinator): void;
}

/** What a coordinator needs of its subscription group. */
export interface CoordinatorContext {
  readonly tracker: OffsetTracker;
  readonly mover: PartitionMover;
  readonly monitor: Monitor;
  readonly scope: GroupScope;
  readonly backoff: BackoffPolicy;
}

export class PartitionCoordinator implements PartitionControl {
  readonly failures: FailureCount = { attempts: 0, failedAt: null };
  /** Restart offset of the pause in effect, or null when not paused. */
  pausedAt: number | null = null;
  /** When a job last ran on the partition (periodic ticks), ms since epoch. */
  lastJobAt = Date.now();
  /** Where the partition stands: next offset after its last successful job, or where a pause restarts it. */
  position: number | null = null;
  /** When the poll whose jobs are being made handed them out (the jobs' readyAt). */
  readyAt = 0;

  constructor(
    readonly topic: Topic,
    readonly partition: number,
    /** The ownership epoch of this assignment (a job's marks count only under it). */
    readonly epoch: number,
    readonly features: TopicFeatures,
    private readonly context: CoordinatorContext,
  ) {}

  get failurePolicy(): FailurePolicy {
    return this.features.failurePolicy;
  }

  get paused(): boolean {
    return this.pausedAt !== null;
  }

  job(messages: MessageRun, parallelKey = 0, details?: JobDetails): ConsumeJob {
    return {
      ...jobKeys(this.topic, this.partition, parallelKey),
      topic: this.topic,
      partition: this.partition,
      messages,
      readyAt: this.readyAt,
      epoch: this.epoch,
      manualOffsetManagement: this.features.manualOffsetManagement,
      ...(details === undefined ? {} : { details }),
    };
  }

  markedOffset(): number | null {
    return this.context.tracker.markedOffset(this.topic.name, this.partition);
  }

  ledger(): OffsetLedger | null {
    return this.context.tracker.ledgerOf(this.topic.name, this.partition) ?? null;
  }

  skipped(messages: MessageRun): void {
    this.context.tracker.skippedRun(this.topic.name, this.partition, messages, this.epoch);
  }

  get monitor(): Monitor {
    return this.context.monitor;
  }

  get scope(): GroupScope {
    return this.context.scope;
  }

  processed(job: ConsumeJob, count: number): boolean {
    return this.context.tracker.processed(this.topic.name, this.partition, job.messages, count, false, job.epoch);
  }

  owns(job: ConsumeJob): boolean {
    return this.context.tracker.owns(this.topic.name, this.partition, job.epoch);
  }

  advanced(nextOffset: number): void {
    this.position = nextOffset;
  }

  pause(offset: number, timeoutMs: number, reason: PartitionPausedEvent['reason'], attempt = 0): void {
    this.context.mover.pause(this, offset, timeoutMs, reason, attempt);
  }

  seek(target: Exclude<SeekRequest, { offset: number }>): Promise<void> {
    return this.context.mover.seek(this, target);
  }

  resume(): void {
    this.context.mover.resume(this);
  }

  backoff(attempts: number): number {
    return backoffDelay(this.context.backoff, attempts);
  }

  reportFailure(job: ConsumeJob, offset: number, error: SerializedError): void {
    const { monitor, scope } = this.context;
    const where = { ...scope, topic: this.topic.name, partition: this.partition, offset };
    const failure = new ConsumeFailedError(`${job.topic.consumer.export}.consume() failed on ${this.topic.name}-${this.partition}: ${error.message}`, {
      cause: reviveError(error),
      context: where,
    });
    monitor.notify('error.occurred', { type: 'consumer.consume.error', error: failure, ...where });
  }
}
