// The virtual partitions strategy: each poll's batch of a partition is split by the route's
// partitioner and reducer into up to `maxPartitions` jobs, one consumer instance per virtual
// partition, run at once (across threads, and inside one with concurrentJobsPerThread). The
// virtual ledger commits only the contiguous prefix and keeps what ran ahead in the commit
// metadata. When a job fails the partition collapses: it pauses, and is retried from its first
// unprocessed message with the backoff, in ONE job in Kafka order — skipping what was processed
// already — until it is past the offset the failing poll reached; then it splits again. Retries,
// the dead letter queue and the control-flow errors apply to the collapsed job exactly as on a
// partition without virtual partitions. A partitioner that throws runs its batch as one virtual
// partition and is reported; it never stops the partition.
import type { JobOutcome, PartitionControl, PartitionStrategy, ConsumeJob, FetchedMessage, MessageRun } from '@decanter/consumer-core/features';
import { controlFlowOf, defaultStrategy } from '@decanter/consumer-core/features';
import { distribute, skewOf } from './distributors/distribution';
import { partitionerOf, type PartitionableMessage, type Partitioner, type VirtualKey } from './distributors/partitioners';
import { hashReducer } from './distributors/reducers';
import { SKEW_WARNING, type ResolvedVirtualPartitions } from './options';
import { PartitionerFailedError } from './errors';
import { VirtualLedger } from './virtual-ledger';

export const VIRTUAL_PARTITIONS_STRATEGY = 'virtual-partitions';

/** Where one partition's split stands. */
interface SplitState {
  /** Collapsed (one job, Kafka order) until this offset (exclusive), or null. */
  collapseUntil: number | null;
  /** The poll whose failure paused the partition (its jobs' readyAt): its other jobs' results change nothing. */
  failedPoll: number | null;
  /** End (last offset + 1) of the latest poll's messages. */
  pollEnd: number;
  /** Highest end of a job that succeeded: where the partition stands. */
  advancedTo: number;
  /** Virtual partitions of the latest split, and its skew. */
  used: number;
  skew: number;
  /** Polls in a row whose skew was above the warning threshold. */
  skewedPolls: number;
}

/** What statistics.emitted says about a virtual-partitioned partition. */
export interface VirtualPartitionsStatistics {
  /** Virtual partitions the latest poll was split into. */
  readonly used: number;
  /** Largest share ÷ mean share of the latest split (1 = even). */
  readonly skew: number;
  /** Processed in one job, in Kafka order, after a failure. */
  readonly collapsed: boolean;
  /** Messages processed ahead of the committable offset (in the commit metadata). */
  readonly processedAhead: number;
  /** Commits that went without that metadata, over the broker's offset.metadata.max.bytes (a restart may then run those messages again). */
  readonly metadataDropped: number;
}

export class VirtualPartitionsStrategy implements PartitionStrategy {
  readonly name = VIRTUAL_PARTITIONS_STRATEGY;
  readonly offsetMetadata: boolean;
  readonly #settings: ResolvedVirtualPartitions;
  readonly #partitioner: Partitioner;
  readonly #collapsed = defaultStrategy();
  readonly #states = new Map<number, SplitState>();
  readonly #ledgers = new Map<number, VirtualLedger>();

  constructor(settings: ResolvedVirtualPartitions) {
    this.#settings = settings;
    this.#partitioner = partitionerOf(settings.partitioner);
    this.offsetMetadata = settings.offsetMetadata;
  }

  ledger(): VirtualLedger {
    return new VirtualLedger(this.#settings.offsetMetadata);
  }

  distribute(messages: MessageRun, partition: PartitionControl): readonly ConsumeJob[] {
    const state = this.#state(partition.partition);
    const ledger = this.#ledgerOf(partition);
    // read in place, message by message: building every FetchedMessage of a poll on the main
    // thread cost more than the split itself (a key is all the usual partitioner reads)
    const all = partitionables(messages, partition.partition);
    // what a sibling ran ahead before a failure, or the previous owner (commit metadata), is not run again
    const kept: number[] = [];
    const skipped: number[] = [];
    all.forEach((m, i) => (ledger?.isProcessed(m.offset) === true ? skipped : kept).push(i));
    if (skipped.length > 0) partition.skipped(messages.select(skipped));
    // a poll the commit metadata (or a failure's siblings) had done entirely makes no job, but the
    // skip is reported still: it is what shows the metadata saved those messages a second run
    if (kept.length === 0) {
      this.#reportDistributed(partition, 0, skipped.length, 0, 1, state.collapseUntil !== null);
      return [];
    }
    state.pollEnd = all[all.length - 1]!.offset + 1;
    state.failedPoll = null;
    if (state.collapseUntil !== null) {
      state.used = 1;
      state.skew = 1;
      // the collapsed retry is where what the failing poll's other shares processed is skipped
      this.#reportDistributed(partition, kept.length, skipped.length, 1, 1, true);
      return [partition.job(messages.select(kept), 0, { virtualPartition: 0, collapsed: true })];
    }
    let keys: VirtualKey[];
    try {
      keys = kept.map((i) => this.#partitioner(all[i]!));
    } catch (cause) {
      const error = new PartitionerFailedError(`The virtual partitions partitioner of ${partition.topic.routePath} threw on ${partition.topic.name}-${partition.partition}: the batch runs as one virtual partition`, { cause });
      partition.monitor.notify('error.occurred', { type: 'virtual_partitions.partitioner.error', error, ...partition.scope, topic: partition.topic.name, partition: partition.partition });
      keys = kept.map(() => null);
    }
    const shares = distribute(keys, this.#settings.maxPartitions, this.#settings.reducer ?? hashReducer, this.#settings.distribution);
    state.used = shares.length;
    state.skew = skewOf(shares);
    this.#watchSkew(state, partition);
    this.#reportDistributed(partition, kept.length, skipped.length, shares.length, state.skew, false);
    return shares.map((share) => partition.job(messages.select(share.positions.map((k) => kept[k]!)), share.index, { virtualPartition: share.index, collapsed: false }));
  }

  async settle(job: ConsumeJob, outcome: JobOutcome, partition: PartitionControl): Promise<void> {
    const state = this.#state(partition.partition);
    const last = job.messages.offsetAt(job.messages.length - 1);
    if (last === undefined) return;
    if (job.details?.collapsed === true) {
      await this.#collapsed.settle(job, outcome, partition);
      // past the offset the failing poll reached: split again
      const ok = !('crashed' in outcome) && outcome.result.error === null;
      if (ok && state.collapseUntil !== null && last + 1 >= state.collapseUntil) state.collapseUntil = null;
      if (ok) state.advancedTo = Math.max(state.advancedTo, last + 1);
      return;
    }
    const error = 'crashed' in outcome ? outcome.crashed : outcome.result.error;
    if (state.failedPoll === job.readyAt) return; // a sibling failed: the partition restarts from its first unprocessed message anyway
    if (error === null) {
      const { result } = outcome as { result: NonNullable<Extract<JobOutcome, { result: unknown }>['result']> };
      partition.failures.attempts = 0;
      partition.failures.failedAt = null;
      state.advancedTo = Math.max(state.advancedTo, last + 1);
      partition.advanced(state.advancedTo);
      if (result.pause !== null) partition.pause(result.pause.offset, result.pause.timeoutMs, 'request');
      else if ((result.seek ?? null) !== null) await partition.seek(result.seek!);
      return;
    }
    state.failedPoll = job.readyAt;
    // the lowest message no virtual partition processed yet (the siblings still running included)
    const restart = partition.markedOffset() ?? (job.messages.offsetAt(0) as number);
    const control = 'crashed' in outcome ? { kind: 'failure' as const } : controlFlowOf(error);
    if (control.kind === 'retry-later') {
      partition.pause(restart, control.delayMs, 'retry', partition.failures.attempts);
      return;
    }
    // collapse: the retry runs in one job, in Kafka order, so a message that keeps failing is found
    // exactly (and goes to the dead letter queue as on any partition)
    partition.reportFailure(job, restart, error);
    const failures = partition.failures;
    failures.attempts = partition.failurePolicy.count?.(failures, restart) ?? failures.attempts + 1;
    failures.failedAt = restart;
    state.collapseUntil = Math.max(state.pollEnd, state.collapseUntil ?? 0);
    partition.pause(restart, partition.backoff(failures.attempts), 'error', failures.attempts);
  }

  statistics(partition: number): { virtualPartitions: VirtualPartitionsStatistics } {
    const state = this.#states.get(partition);
    return {
      virtualPartitions: {
        used: state?.used ?? 0,
        skew: Math.round((state?.skew ?? 1) * 100) / 100,
        collapsed: (state?.collapseUntil ?? null) !== null,
        processedAhead: this.#ledgers.get(partition)?.processedAhead ?? 0,
        metadataDropped: this.#ledgers.get(partition)?.droppedMetadataCommits ?? 0,
      },
    };
  }

  #state(partition: number): SplitState {
    let state = this.#states.get(partition);
    if (state === undefined) {
      state = { collapseUntil: null, failedPoll: null, pollEnd: 0, advancedTo: 0, used: 0, skew: 1, skewedPolls: 0 };
      this.#states.set(partition, state);
    }
    return state;
  }

  #ledgerOf(partition: PartitionControl): VirtualLedger | undefined {
    const ledger = partition.ledger();
    if (!(ledger instanceof VirtualLedger)) return undefined;
    this.#ledgers.set(partition.partition, ledger);
    return ledger;
  }

  #reportDistributed(partition: PartitionControl, messages: number, skipped: number, virtualPartitions: number, skew: number, collapsed: boolean): void {
    partition.monitor.notify('virtual_partitions.distributed', { ...partition.scope, topic: partition.topic.name, partition: partition.partition, messages, skipped, virtualPartitions, skew, collapsed });
  }

  /** The guide: keep the partitioner and reducer balanced. A skew that lasts is logged, once per streak. */
  #watchSkew(state: SplitState, partition: PartitionControl): void {
    if (state.used < 2 || state.skew <= SKEW_WARNING.skew) {
      state.skewedPolls = 0;
      return;
    }
    state.skewedPolls += 1;
    if (state.skewedPolls !== SKEW_WARNING.polls) return;
    partition.monitor.notify('feature.warning', {
      ...partition.scope,
      topic: partition.topic.name,
      partition: partition.partition,
      feature: 'virtual-partitions',
      message: `virtual partitions of ${partition.topic.name}-${partition.partition} stayed skewed for ${SKEW_WARNING.polls} polls (largest share ${state.skew.toFixed(1)}× the mean over ${state.used}): check the partitioner and reducer of ${partition.topic.routePath}`,
    });
  }
}

/** What a partitioner sees of message `i` of a chunk: offset at once, key and headers read when asked. */
class ChunkMessage implements PartitionableMessage {
  readonly offset: number;
  constructor(
    private readonly chunk: PackedChunkView,
    private readonly index: number,
    readonly partition: number,
  ) {
    this.offset = chunk.offsetAt(index);
  }

  get key(): Buffer | null {
    return this.chunk.keyAt(this.index);
  }

  get headers(): FetchedMessage['headers'] {
    return this.chunk.message(this.index).headers;
  }
}

type PackedChunkView = MessageRun['slices'][number]['chunk'];

function partitionables(messages: MessageRun, partition: number): ChunkMessage[] {
  const out: ChunkMessage[] = [];
  for (const s of messages.slices) for (let i = s.from; i < s.to; i++) out.push(new ChunkMessage(s.chunk, i, partition));
  return out;
}
