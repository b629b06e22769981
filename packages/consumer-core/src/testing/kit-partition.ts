// The testing kit's stand-in for a partition coordinator: the partition as a strategy sees it
// (PartitionControl), kept in memory — where the next consume() starts, the pause asked for, the
// failure count, and an offset ledger of the strategy's kind — so the kit settles every job with
// the route's own strategy and failure policy (the same restart rule, dead letter queue and
// counting as production). Pauses do not wait: they only move the position. Like production's
// coordinator it lasts one assignment: a revocation makes a new one over the same ledger.
import type { SeekRequest } from '../consumer';
import type { GroupScope, PartitionPausedEvent } from '../events';
import type { Monitor } from '../instrumentation/monitor';
import type { TopicFeatures } from '../features/feature-set';
import type { MessageRun } from '../messages/packed-chunk';
import { backoffDelay } from '../processing/backoff';
import { jobKeys, type ConsumeJob, type JobDetails } from '../processing/job';
import { ContiguousLedger } from '../processing/offsets/contiguous-ledger';
import type { OffsetLedger } from '../processing/offsets/offset-ledger';
import type { FailureCount, FailurePolicy } from '../processing/strategies/failure-policy';
import type { PartitionControl } from '../processing/strategies/partition-strategy';
import type { Topic } from '../routing/topic';
import { defaultAppOptions } from '../options';

/** Where a seek to a time or an end lands in the kit's partition log. */
export type SeekResolver = (target: Exclude<SeekRequest, { offset: number }>) => number | null;

export class KitPartition implements PartitionControl {
  readonly failures: FailureCount = { attempts: 0, failedAt: null };
  /** The partition's offset ledger (the strategy's kind). */
  readonly offsets: OffsetLedger;
  /** Offset the next consume() starts from (null: the partition's first message). */
  position: number | null = null;
  /** The pause a job or a RetryLaterError asked for (the kit does not wait it out), or null. */
  pauseRequest: { readonly offset: number; readonly timeoutMs: number } | null = null;
  readyAt = 0;

  constructor(
    readonly topic: Topic,
    readonly partition: number,
    readonly features: TopicFeatures,
    private readonly resolveSeek: SeekResolver,
    private readonly context: { readonly monitor: Monitor; readonly scope: GroupScope },
    ledger?: OffsetLedger,
  ) {
    this.offsets = ledger ?? features.strategy.ledger?.() ?? new ContiguousLedger();
  }

  /**
   * The partition assigned again after a revocation, as a new coordinator in production: no
   * failures, no pause, nothing the features kept about it (e.g. an isolation under way); the
   * same ledger, restarting at its marked offset (what would have been committed).
   */
  reassigned(): KitPartition {
    const next = new KitPartition(this.topic, this.partition, this.features, this.resolveSeek, this.context, this.offsets);
    next.position = this.offsets.firstUnprocessed();
    if (next.position !== null) next.offsets.rewind(next.position);
    return next;
  }

  get failurePolicy(): FailurePolicy {
    return this.features.failurePolicy;
  }

  job(messages: MessageRun, parallelKey = 0, details?: JobDetails): ConsumeJob {
    return {
      ...jobKeys(this.topic, this.partition, parallelKey),
      topic: this.topic,
      partition: this.partition,
      messages,
      readyAt: this.readyAt,
      manualOffsetManagement: this.features.manualOffsetManagement,
      ...(details === undefined ? {} : { details }),
    };
  }

  markedOffset(): number | null {
    return this.offsets.firstUnprocessed();
  }

  ledger(): OffsetLedger {
    return this.offsets;
  }

  get monitor(): Monitor {
    return this.context.monitor;
  }

  get scope(): GroupScope {
    return this.context.scope;
  }

  skipped(messages: MessageRun): void {
    if (this.offsets.skipped !== undefined) return this.offsets.skipped(messages);
    this.offsets.dispatched(messages);
    this.offsets.processed(messages, messages.length, true);
  }

  processed(job: ConsumeJob, count: number): boolean {
    return this.offsets.processed(job.messages, count, false);
  }

  owns(): boolean {
    return true;
  }

  advanced(nextOffset: number): void {
    this.position = nextOffset;
  }

  // a retry backoff, a message sent to the DLQ or a poll narrowed by an isolation only moves the
  // position; what a consumer asked for (its pause, a RetryLaterError) is kept for the test to see
  pause(offset: number, timeoutMs: number, reason: PartitionPausedEvent['reason']): void {
    this.position = offset;
    this.pauseRequest = reason === 'request' || reason === 'retry' ? Object.freeze({ offset, timeoutMs }) : null;
    this.offsets.rewind(offset, reason);
  }

  async seek(target: Exclude<SeekRequest, { offset: number }>): Promise<void> {
    this.pauseRequest = null;
    this.position = this.resolveSeek(target);
    if (this.position !== null) this.offsets.rewind(this.position, 'request');
  }

  resume(): void {
    this.pauseRequest = null;
  }

  backoff(attempts: number): number {
    return backoffDelay({ timeoutMs: defaultAppOptions.pauseTimeoutMs, maxTimeoutMs: defaultAppOptions.pauseMaxTimeoutMs, exponential: true }, attempts);
  }

  reportFailure(): void {
    // the kit rethrows what consume() threw: the test sees it
  }
}
