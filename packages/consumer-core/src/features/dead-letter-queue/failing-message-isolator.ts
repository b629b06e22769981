// Finds which message of a failing batch really fails, so the dead letter queue never takes a
// healthy one. A batch that exhausted its retries without saying where it failed (the consumer
// marks nothing, and no UnrecoverableError named an offset) is not given up on at its first
// unmarked message, as Karafka does: it is searched. The partition's next jobs take only a part of
// it — the first half of the suspects, then the first half of what is still suspect — until the
// suspect is one message; that message goes to the DLQ once it failed alone 1 + maxRetries times
// in a row (at once for an UnrecoverableError). A part that succeeds is marked like any job, in
// order; a part that fails narrows the suspects to it. The search lasts until the partition is past
// the failing batch: after the message was sent, or when every suspect succeeded (the failure did
// not come back), the rest of the batch runs as one job, and a failure there is searched at once.
//
// Known failing messages are not searched: the one an UnrecoverableError named, the only message
// of its job, the first unmarked one on a manualOffsetManagement route (the consumer's marks are
// the truth there) and the first unmarked one when a failing run of the batch had marked messages
// (a consumer that marks as it goes stopped right there). State is kept per partition coordinator,
// so every assignment starts over, as the partition's failure count does. Never narrows a poll to
// nothing and never skips a message: what a poll holds back is fetched again (narrowedPoll).
import type { DeadLetterIsolation } from '../../events';
import type { MessageRun } from '../../messages/packed-chunk';
import type { JobFailure } from '../../processing/strategies/failure-policy';
import type { PartitionControl } from '../../processing/strategies/partition-strategy';

/** One partition's search for the failing message of a batch. */
interface Search {
  /** Offsets of the failing batch from its first unmarked message, ascending. */
  readonly batch: readonly number[];
  /** The suspects: batch[from..to] (inclusive). */
  from: number;
  to: number;
  /** The next job takes batch[from..probeTo]. */
  probeTo: number;
  /** Jobs the search handed out. */
  jobs: number;
}

interface PartitionState {
  /** A failing run marked messages and stopped here (restart offset): the consumer marks as it goes. */
  pinnedAt: number | null;
  search: Search | null;
}

/** What to do with a failure: send `failure.message` to the DLQ now (with its count and how it was found), or retry. */
export type IsolationVerdict =
  | { readonly send: true; readonly attempts: number; readonly isolation: DeadLetterIsolation | null }
  | { readonly send: false };

const RETRY: IsolationVerdict = { send: false };

/** The first half (rounded up) of batch[from..to]: its last index. */
const half = (from: number, to: number): number => from + Math.ceil((to - from + 1) / 2) - 1;

export class FailingMessageIsolator {
  // keyed by the partition's coordinator: a new assignment is a new coordinator, so it starts over
  readonly #states = new WeakMap<PartitionControl, PartitionState>();

  constructor(private readonly maxRetries: number) {}

  /** How many of the poll's first messages the partition's next job takes: the part being tried, or all. */
  narrow(messages: MessageRun, partition: PartitionControl): number {
    const state = this.#states.get(partition);
    const search = state?.search ?? null;
    const start = messages.offsetAt(0);
    if (state === undefined || search === null || start === undefined) return messages.length;
    const { batch } = search;
    // the partition went back before what the search knows as done (a consumer's seek): start over
    const floor = search.from === 0 ? batch[0]! : batch[search.from - 1]! + 1;
    if (start < floor) {
      state.search = null;
      return messages.length;
    }
    // the partition got past what lies before `start`: those messages succeeded (or were sent)
    while (search.from < batch.length && batch[search.from]! < start) search.from += 1;
    if (search.from >= batch.length) {
      state.search = null; // past the failing batch: done
      return messages.length;
    }
    if (search.from > search.to) {
      // every suspect succeeded (or the one that failed was sent): the rest of the batch runs whole
      search.to = batch.length - 1;
      search.probeTo = search.to;
    } else if (search.from > search.probeTo) {
      // the part succeeded: what fails is in the rest of the suspects; try its first half
      search.probeTo = half(search.from, search.to);
    }
    search.jobs += 1;
    return Math.max(1, messages.countBefore(batch[search.probeTo]! + 1));
  }

  /**
   * A job of the partition failed (its failure already counted in `partition.failures`): whether
   * the dead letter queue takes `failure.message` now. May start or narrow the search, which
   * restarts the count for the narrower part.
   */
  judge(failure: JobFailure, partition: PartitionControl): IsolationVerdict {
    const state = this.#stateOf(partition);
    const search = state.search;
    if (search !== null && this.#handedOut(search, failure)) return this.#narrowed(search, failure, partition);
    state.search = null; // a job the search did not hand out (e.g. a seek moved the partition): start over
    const { job, message } = failure;
    const exhausted = failure.unrecoverable || failure.attempts > this.maxRetries;
    const known = (): IsolationVerdict =>
      exhausted ? { send: true, attempts: failure.attempts, isolation: null } : RETRY;
    if (failure.named || job.manualOffsetManagement) return known();
    const restart = message.offset;
    if (failure.marked) state.pinnedAt = restart;
    else if (state.pinnedAt !== restart) state.pinnedAt = null;
    const suspects = offsetsFrom(job.messages, restart);
    if (suspects.length <= 1 || state.pinnedAt === restart) return known();
    if (!exhausted) return RETRY;
    // the batch failed 1 + maxRetries times (or unrecoverably) and does not say where: search it
    state.search = {
      batch: suspects,
      from: 0,
      to: suspects.length - 1,
      probeTo: half(0, suspects.length - 1),
      jobs: 0,
    };
    state.pinnedAt = null;
    partition.failures.attempts = 1; // the first part is tried after the first backoff, not the batch's longest
    return RETRY;
  }

  /** `offset` went to the DLQ (its produce acknowledged): the search goes on after it, with the rest of the batch whole. */
  sent(partition: PartitionControl, offset: number): void {
    const search = this.#states.get(partition)?.search ?? null;
    if (search === null) return;
    const at = search.batch.indexOf(offset);
    if (at === -1) return;
    search.from = at + 1;
    search.to = search.batch.length - 1;
    search.probeTo = search.to;
  }

  /** A part the search handed out failed: the suspects narrow to what it did not get past. */
  #narrowed(search: Search, failure: JobFailure, partition: PartitionControl): IsolationVerdict {
    const { batch } = search;
    const report = (): DeadLetterIsolation => ({
      firstOffset: batch[0]!,
      lastOffset: batch[batch.length - 1]!,
      messages: batch.length,
      jobs: search.jobs,
    });
    const failures = partition.failures;
    // the consumer named the message itself: it goes now, the search goes on after it
    if (failure.named) return { send: true, attempts: failures.attempts, isolation: report() };
    const job = failure.job.messages;
    const lastOfJob = job.offsetAt(job.length - 1) as number;
    const from = firstIndexAtOrAfter(batch, failure.message.offset, search.from);
    const to = Math.max(from, lastIndexAtOrBefore(batch, lastOfJob, search.probeTo));
    const alone = search.from === search.to && from === search.from && to === search.to;
    search.from = from;
    search.to = to;
    search.probeTo = from === to ? to : half(from, to);
    // a narrower part counts its own failures, from this one; a message alone keeps counting
    if (!alone) failures.attempts = 1;
    if (from === to && (failure.unrecoverable || failures.attempts > this.maxRetries)) {
      return { send: true, attempts: failures.attempts, isolation: report() };
    }
    return RETRY;
  }

  /** The failing job is one the search handed out: within the part it was to take. */
  #handedOut(search: Search, failure: JobFailure): boolean {
    const { batch } = search;
    const job = failure.job.messages;
    const first = job.offsetAt(0);
    const last = job.offsetAt(job.length - 1);
    if (first === undefined || last === undefined) return false;
    const floor = search.from === 0 ? batch[0]! : batch[search.from - 1]! + 1;
    return first >= floor && last <= batch[search.probeTo]! && failure.message.offset >= batch[search.from]!;
  }

  #stateOf(partition: PartitionControl): PartitionState {
    let state = this.#states.get(partition);
    if (state === undefined) {
      state = { pinnedAt: null, search: null };
      this.#states.set(partition, state);
    }
    return state;
  }
}

/** Offsets of the run's messages at or after `offset`. */
function offsetsFrom(run: MessageRun, offset: number): number[] {
  const out: number[] = [];
  for (let i = run.countBefore(offset); i < run.length; i++) out.push(run.offsetAt(i) as number);
  return out;
}

/** First index >= `from` whose offset is >= `offset` (the batch's length when none). */
function firstIndexAtOrAfter(batch: readonly number[], offset: number, from: number): number {
  let i = from;
  while (i < batch.length && batch[i]! < offset) i += 1;
  return i;
}

/** Last index <= `to` whose offset is <= `offset`. */
function lastIndexAtOrBefore(batch: readonly number[], offset: number, to: number): number {
  let i = to;
  while (i > 0 && batch[i]! > offset) i -= 1;
  return i;
}
