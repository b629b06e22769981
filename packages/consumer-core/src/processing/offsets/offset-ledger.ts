// What one partition's offsets look like to its partition strategy: which messages were handed
// to jobs, which of them were processed, and so what may be committed. A ledger lives behind the
// offset tracker, one per owned partition, and is the one place that decides the committable
// offset: it must never answer an offset past a dispatched message that was not processed.
// Strategies that split a partition over several jobs bring their own ledger (e.g. processed
// ranges plus commit metadata); the default is the contiguous ledger.

/** The offsets of one job's messages, ascending (not necessarily contiguous): a MessageRun. */
export interface OffsetRun {
  readonly length: number;
  offsetAt(index: number): number | undefined;
}

/** What a commit of the partition carries. */
export interface Committable {
  /** Next offset to read: every dispatched message before it was processed. */
  readonly offset: number;
  /** Commit metadata (Kafka's OffsetCommit `metadata` string), or null. */
  readonly metadata: string | null;
}

export interface OffsetLedger {
  /** A job was handed `run` (messages of this partition). */
  dispatched(run: OffsetRun): void;
  /**
   * The job of `run` processed its first `count` messages. `settled`: the job has ended
   * successfully, so what it left unmarked is its own choice (manual offset management) and
   * holds nothing back; a failed job's remainder keeps blocking until the partition is rewound.
   * False when `run` is not (or no longer) dispatched here.
   */
  processed(run: OffsetRun, count: number, settled: boolean): boolean;
  /**
   * Everything before `offset` is processed (a transaction committed it, or a mark made outside
   * a job's own run). Refused (false) beyond what was dispatched (unless `anyDispatch` is false
   * for an offset a transaction already committed) or not ahead of the current mark.
   */
  markBelow(offset: number, checkDispatched?: boolean): boolean;
  /**
   * Messages of a poll the strategy hands to no job because they were processed already. Called
   * before the poll's jobs are dispatched (same event-loop turn): a ledger must not let the mark
   * pass them before it knows those jobs. Default: dispatched and processed at once.
   */
  skipped?(run: OffsetRun): void;
  /**
   * The partition restarts at `offset`: what was dispatched from there on is void. `reason` is
   * the pause's: `'request'` (the consumer's own pause or seek, which asks for those messages
   * again), or `'error'`, `'retry'`, `'dlq'`, `'isolation'` (a ledger that knows what was processed ahead may
   * keep that knowledge, so the retry skips it).
   */
  rewind(offset: number, reason?: RewindReason): void;
  /** Highest dispatched offset + 1 (lowered by a rewind), or null before the first dispatch. */
  readonly dispatchedTo: number | null;
  /** The first offset not known as processed: the committable offset, or null before any mark. */
  firstUnprocessed(): number | null;
  /** What a commit of the partition would carry now, or null when nothing was marked yet. */
  committable(): Committable | null;
  /** On assignment: the group's committed offset and its metadata (null when none or unknown). */
  restore(committed: number | null, metadata: string | null): void;
  /**
   * A commit went without the metadata `committable()` gave: it was `bytes` long, over the
   * broker's offset.metadata.max.bytes (left out by the tracker's cap, or refused by the broker as
   * OFFSET_METADATA_TOO_LARGE and sent again without it). The offset is committed; what the
   * metadata said is lost (the next owner may process those messages again). For the ledger to count it.
   */
  metadataDropped?(bytes: number): void;
  /**
   * A consumer's transaction asks to commit `requested` with its messages: the highest offset it
   * may commit instead (at most `requested`). A ledger whose jobs finish out of order (virtual partitions) returns no
   * more than its first unprocessed dispatched message, so a transaction never commits past
   * another job's messages. Default: `requested` (one job in flight holds the whole prefix).
   */
  transactionOffset?(requested: number): number;
}

/** Why a partition is rewound: the reason of the pause that restarts it. */
export type RewindReason = 'error' | 'request' | 'dlq' | 'retry' | 'isolation';

/** Makes the ledger of one newly owned partition. */
export type OffsetLedgerFactory = () => OffsetLedger;
