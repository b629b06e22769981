// What happens to a partition whose job failed, beyond "retry from the first unmarked message
// after the backoff": the failure count (how many failures in a row this one makes) and a way to
// take the failing message off the partition's path (the dead letter queue). Features bring
// policies; a strategy applies the topic's policy and never needs to know which feature it is.
import type { FetchedMessage } from '../../messages/fetched-message';
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
}

export interface FailurePolicy {
  /** Failures in a row once this one (restarting at `restart`) is counted. Default: one more than before. */
  count?(previous: Readonly<FailureCount>, restart: number): number;
  /**
   * Takes the failing message off the partition's path (e.g. produces it to a dead letter queue
   * and marks it). Resolves true when the partition may go on right after the message, false to
   * retry it after the backoff. Never rejects.
   */
  divert?(failure: JobFailure, partition: PartitionControl): Promise<boolean>;
}

/** The policies of several features as one: the first `count` that is defined, then each `divert` in turn until one takes the message. */
export function combineFailurePolicies(policies: readonly FailurePolicy[]): FailurePolicy {
  const counter = policies.find((p) => p.count !== undefined);
  const diverters = policies.filter((p) => p.divert !== undefined);
  const combined: FailurePolicy = {};
  if (counter?.count !== undefined) combined.count = counter.count.bind(counter);
  if (diverters.length > 0) {
    combined.divert = async (failure, partition) => {
      for (const p of diverters) if (await p.divert!(failure, partition)) return true;
      return false;
    };
  }
  return combined;
}
