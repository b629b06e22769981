// What happens to a partition whose job failed, beyond "retry from the first unmarked message
// after the backoff": the failure count (how many failures in a row this one makes), a way to
// take the failing message off the partition's path (the dead letter queue), and a way to hand the
// partition's next job only a part of its poll (the dead letter queue isolating a failing message
// of a batch). Features bring policies; a strategy applies the topic's policy and never needs to
// know which feature it is. A narrowed poll never loses what it held back: the partition restarts
// right after the part it handed out, so the rest is fetched again.
import type { FetchedMessage } from '../../messages/fetched-message';
import type { MessageRun } from '../../messages/packed-chunk';
import type { ConsumeJob } from '../job';
import type { PartitionControl } from './partition-strategy';

/** Failures in a row of a partition, and where the last one restarted it. */
export interface FailureCount {
  /** Failures in a row (0 after a successful job or a diverted message). */
  attempts: number;
  /** Restart offset of the last failure, or null. */
  failedAt: number | null;
}

/** One failure of a job, at the message the partition would restart from (or the one an UnrecoverableError named). */
export interface JobFailure {
  readonly job: ConsumeJob;
  readonly message: FetchedMessage;
  /** Failures in a row, this one included. */
  readonly attempts: number;
  readonly error: { readonly name: string; readonly message: string };
  /** The consumer threw an UnrecoverableError for this message: no retry can fix it. */
  readonly unrecoverable: boolean;
  /** The consumer named this message as the failing one (the `offset` of its UnrecoverableError). */
  readonly named: boolean;
  /** The failing run marked messages of its job before it threw (the consumer marks as it goes). */
  readonly marked: boolean;
}

export interface FailurePolicy {
  /** Failures in a row once this one (restarting at `restart`) is counted. Default: one more than before. */
  count?(previous: Readonly<FailureCount>, restart: number): number;
  /**
   * Takes the failing message off the partition's path (e.g. produces it to a dead letter queue
   * and marks it). Resolves true when the partition may go on right after the message, false to
   * retry it after the backoff. Never rejects. It may set `partition.failures.attempts` (a policy
   * that narrows the next job restarts the count of the narrower piece): the backoff follows the
   * count it leaves.
   */
  divert?(failure: JobFailure, partition: PartitionControl): Promise<boolean>;
  /**
   * How many of the first messages of a poll of the partition its next jobs take (at least 1; a
   * policy isolating a failing message hands out a part of its batch). Asked for every poll of
   * the partition before its strategy distributes it. Default: all of them.
   */
  narrow?(messages: MessageRun, partition: PartitionControl): number;
}

/**
 * The policies of several features as one: the first `count` that is defined, then each `divert`
 * in turn until one takes the message; the narrowest `narrow`.
 */
export function combineFailurePolicies(policies: readonly FailurePolicy[]): FailurePolicy {
  const counter = policies.find((p) => p.count !== undefined);
  const diverters = policies.filter((p) => p.divert !== undefined);
  const narrowers = policies.filter((p) => p.narrow !== undefined);
  const combined: FailurePolicy = {};
  if (counter?.count !== undefined) combined.count = counter.count.bind(counter);
  if (diverters.length > 0) {
    combined.divert = async (failure, partition) => {
      for (const p of diverters) if (await p.divert!(failure, partition)) return true;
      return false;
    };
  }
  if (narrowers.length > 0) {
    combined.narrow = (messages, partition) => Math.min(...narrowers.map((p) => p.narrow!(messages, partition)));
  }
  return combined;
}

/**
 * The part of a poll of the partition its jobs get: all of it, or the first messages the failure
 * policy narrows it to. What is held back is never skipped: the partition restarts right after
 * the part handed out (a pause of 0 ms, reason `isolation`), so it is fetched again. Used by the
 * jobs builder and the testing kit alike, before the strategy distributes the poll.
 */
export function narrowedPoll(messages: MessageRun, partition: PartitionControl): MessageRun {
  const policy = partition.failurePolicy;
  if (policy.narrow === undefined || messages.length === 0) return messages;
  const take = Math.floor(policy.narrow(messages, partition));
  // at least one message (a job per poll keeps the partition moving); anything else takes them all
  if (!(take >= 1) || take >= messages.length) return messages;
  const next = messages.offsetAt(take) as number;
  partition.pause(next, 0, 'isolation');
  return messages.before(next);
}
