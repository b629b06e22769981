// The default partition strategy (Karafka's default): one job per partition per poll, run by the
// partition's one consumer instance. When it succeeds the partition goes on after it (or where the
// consumer paused or sought it to); when it fails the partition restarts at its first unmarked
// message of the job after the backoff, unless the topic's failure policy takes the failing
// message off its path (the dead letter queue). A RetryLaterError pauses without counting a
// failure. Never restarts past a message that was not processed, and never acts on a partition
// lost while the job ran.
import { controlFlowOf } from '../control-flow';
import type { MessageRun } from '../../messages/packed-chunk';
import type { ConsumeJob } from '../job';
import type { FailurePolicy, JobFailure } from './failure-policy';
import type { JobOutcome, PartitionControl, PartitionStrategy } from './partition-strategy';

export const DEFAULT_STRATEGY = 'default';

/**
 * Where a failed job's partition restarts: its first unmarked message in this job, at or after
 * what the job marked, and never below what the job's transactions committed (the ledger counts
 * those as marked). With manual offset management an earlier batch may have succeeded without
 * marking; it is not processed again (see the limits in docs/consumer.md): going back there
 * would take the dead letter queue's count and the backoff with it.
 */
export function firstUnmarked(job: ConsumeJob, markedByJob: number | null, markedOffset: number | null): number {
  const first = job.messages.offsetAt(0) as number;
  const last = job.messages.offsetAt(job.messages.length - 1) as number;
  return Math.max(first, markedByJob ?? first, Math.min(markedOffset ?? first, last + 1));
}

/** What the failing run said about where it failed (see JobFailure). */
export interface FailureEvidence {
  /** The UnrecoverableError named the message at `unrecoverableAt` (its `offset`). Default false. */
  readonly named?: boolean;
  /** The run marked messages of its job before it threw. Default false. */
  readonly marked?: boolean;
}

/**
 * A job failed with its first unmarked message at `restart`: count the failure, then let the
 * failure policy divert the failing message (`unrecoverableAt`, the one an UnrecoverableError
 * named, or the one at `restart`) — the partition then goes on right after it — or retry from
 * `restart` after the backoff (the count the policy leaves decides it).
 */
export async function retryOrDivert(
  job: ConsumeJob,
  restart: number,
  error: { name: string; message: string },
  partition: PartitionControl,
  unrecoverableAt: number | null = null,
  evidence: FailureEvidence = {},
): Promise<void> {
  const failures = partition.failures;
  const policy: FailurePolicy = partition.failurePolicy;
  failures.attempts = policy.count?.(failures, restart) ?? failures.attempts + 1;
  failures.failedAt = restart;
  const failing = job.messages.atOffset(unrecoverableAt ?? restart);
  if (failing !== undefined && policy.divert !== undefined) {
    const failure: JobFailure = {
      job,
      message: failing,
      attempts: failures.attempts,
      error,
      unrecoverable: unrecoverableAt !== null,
      named: evidence.named === true && unrecoverableAt !== null,
      marked: evidence.marked === true,
    };
    const diverted = await policy.divert(failure, partition);
    // lost while the policy worked: the next owner starts from the committed offset
    if (!partition.owns(job)) return;
    if (diverted) {
      failures.attempts = 0;
      failures.failedAt = null;
      partition.pause(failing.offset + 1, 0, 'dlq');
      return;
    }
  }
  partition.pause(restart, partition.backoff(failures.attempts), 'error', failures.attempts);
}

/** One job a poll for each partition; failures restart at the first unmarked message. */
export function defaultStrategy(): PartitionStrategy {
  return {
    name: DEFAULT_STRATEGY,
    distribute(messages: MessageRun, partition: PartitionControl): readonly ConsumeJob[] {
      return [partition.job(messages)];
    },
    async settle(job: ConsumeJob, outcome: JobOutcome, partition: PartitionControl): Promise<void> {
      const { messages } = job;
      const last = messages.offsetAt(messages.length - 1);
      if (last === undefined) return;
      if ('crashed' in outcome) {
        // the thread died (piscina replaces it): what the job did not mark is retried
        await retryOrDivert(job, firstUnmarked(job, null, partition.markedOffset()), outcome.crashed, partition);
        return;
      }
      const { result } = outcome;
      if (result.error !== null) {
        const restart = firstUnmarked(job, result.markedOffset, partition.markedOffset());
        const control = controlFlowOf(result.error);
        if (control.kind === 'retry-later') {
          // the consumer asked for it: not a failure, so the failure count stays where it was
          partition.pause(restart, control.delayMs, 'retry', partition.failures.attempts);
          return;
        }
        // an UnrecoverableError steers only for an unmarked message of this job: else it is an ordinary failure
        const named = control.kind === 'unrecoverable' ? (control.offset ?? restart) : null;
        const unrecoverableAt = named !== null && named >= restart && messages.atOffset(named) !== undefined ? named : null;
        partition.reportFailure(job, unrecoverableAt ?? restart, result.error);
        const evidence = { named: control.kind === 'unrecoverable' && control.offset !== null, marked: result.markedOffset !== null };
        await retryOrDivert(job, restart, result.error, partition, unrecoverableAt, evidence);
        return;
      }
      partition.failures.attempts = 0;
      partition.failures.failedAt = null;
      partition.advanced(last + 1);
      if (result.pause !== null) {
        partition.pause(result.pause.offset, result.pause.timeoutMs, 'request');
      } else if ((result.seek ?? null) !== null) {
        await partition.seek(result.seek!);
      }
    },
  };
}
