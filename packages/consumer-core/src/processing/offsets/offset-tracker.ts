// Offsets of one subscription group's partitions, in the main thread. Tracks the fetch position
// (where the listener reads next) apart from the commit position (what was processed). Must never
// let a commit go past a message that was not processed: that rule belongs to each partition's
// offset ledger (the contiguous one by default; a strategy may bring another), which accepts only
// what was dispatched to a job, and only from that job's own result. Each ownership of a partition
// has an epoch: a job's marks count only under the epoch it was dispatched in, so a job that
// finishes after its partition was lost (and perhaps assigned back) can never commit. Offsets a
// transaction committed are never committed again by the normal path. Commit metadata longer than
// the broker's `offset.metadata.max.bytes` is dropped, not sent (the broker would refuse the
// whole commit): what it described is then processed again, never lost.
import { partitionKey } from '../../connection/prefetch-buffer';
import type { OffsetEntry } from '../../events';
import { ContiguousLedger } from './contiguous-ledger';
import type { OffsetLedger, OffsetLedgerFactory, OffsetRun, RewindReason } from './offset-ledger';

interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  /** Ownership epoch: new each time the partition is assigned after not being owned. */
  readonly epoch: number;
  readonly ledger: OffsetLedger;
  /** Transactions carrying this partition's offsets that have not ended yet. */
  transactions: number;
  /** Next offset the listener will read (last buffered + 1). */
  fetchPosition: number | null;
  /** First offset handed to a job in this ownership (where it started from the committed offset). */
  origin: number | null;
  /**
   * Messages below the mark are not handed out again: true from an assignment (KafkaJS fetches a
   * kept partition again from its committed offset, which may lag the mark) until the partition
   * is repositioned on purpose (a seek, a pause, a retry), which wants exactly what it asked for.
   */
  skipMarked: boolean;
  committed: number | null;
  committedMetadata: string | null;
  highWatermark: number | null;
}

/** One partition's offsets as statistics, rebalances and tests see them. */
export interface PartitionOffsetsView {
  readonly topic: string;
  readonly partition: number;
  readonly epoch: number;
  readonly fetchPosition: number | null;
  /** Highest offset handed to a job, + 1. */
  readonly dispatched: number | null;
  readonly origin: number | null;
  /** Next offset to commit: everything before it was processed. */
  readonly marked: number | null;
  readonly committed: number | null;
  readonly highWatermark: number | null;
}

/** Kafka's default `offset.metadata.max.bytes`. */
export const DEFAULT_OFFSET_METADATA_MAX_BYTES = 4096;

let lastEpoch = 0;

export class OffsetTracker {
  readonly #partitions = new Map<string, PartitionOffsets>();

  constructor(private metadataMaxBytes = DEFAULT_OFFSET_METADATA_MAX_BYTES) {}

  /**
   * The broker refused the commit of `refused` for its metadata (OFFSET_METADATA_TOO_LARGE): its
   * offset.metadata.max.bytes is lower than the one configured, so metadata as long as the
   * shortest of them, or longer, is not sent again (the offsets still are). The offsets go again
   * without metadata at once, so each entry's metadata counts as dropped, as pending() counts
   * what it leaves out over the cap: else the first refusal would go uncounted.
   */
  metadataRefused(refused: readonly OffsetEntry[]): void {
    let shortest = Infinity;
    for (const e of refused) {
      if (e.metadata === undefined) continue;
      const bytes = Buffer.byteLength(e.metadata);
      shortest = Math.min(shortest, bytes);
      this.#partitions.get(partitionKey(e.topic, e.partition))?.ledger.metadataDropped?.(bytes);
    }
    if (Number.isFinite(shortest)) this.metadataMaxBytes = Math.min(this.metadataMaxBytes, shortest - 1);
  }

  /**
   * Records an assignment; returns the ownership epoch. A partition kept through an eager
   * rebalance keeps its epoch, ledger and marks (jobs of the old generation may still mark), but
   * KafkaJS fetches it again from the committed offset. A new ownership gets a ledger from `ledger`.
   */
  assign(topic: string, partition: number, ledger: OffsetLedgerFactory = () => new ContiguousLedger()): number {
    const key = partitionKey(topic, partition);
    const existing = this.#partitions.get(key);
    if (existing !== undefined) {
      existing.fetchPosition = null;
      existing.skipMarked = true;
      return existing.epoch;
    }
    lastEpoch += 1;
    this.#partitions.set(key, {
      topic,
      partition,
      epoch: lastEpoch,
      ledger: ledger(),
      transactions: 0,
      origin: null,
      fetchPosition: null,
      skipMarked: true,
      committed: null,
      committedMetadata: null,
      highWatermark: null,
    });
    return lastEpoch;
  }

  /** Forgets a lost partition; returns what it knew (marked vs committed tells the duplicates to come). */
  revoke(topic: string, partition: number): PartitionOffsetsView | undefined {
    const key = partitionKey(topic, partition);
    const p = this.#partitions.get(key);
    this.#partitions.delete(key);
    return p === undefined ? undefined : view(p);
  }

  owns(topic: string, partition: number, epoch?: number): boolean {
    const p = this.#partitions.get(partitionKey(topic, partition));
    return p !== undefined && (epoch === undefined || p.epoch === epoch);
  }

  /** Epoch of the current ownership, or null when not owned. */
  epochOf(topic: string, partition: number): number | null {
    return this.#partitions.get(partitionKey(topic, partition))?.epoch ?? null;
  }

  /** Next offset to commit (everything before it was processed in this ownership), or null. */
  markedOffset(topic: string, partition: number): number | null {
    return this.#partitions.get(partitionKey(topic, partition))?.ledger.firstUnprocessed() ?? null;
  }

  /** Offset below which fetched messages are not handed out (already processed), or null. */
  skipBelow(topic: string, partition: number): number | null {
    const p = this.#partitions.get(partitionKey(topic, partition));
    return p !== undefined && p.skipMarked ? p.ledger.firstUnprocessed() : null;
  }

  /** Next offset the listener reads for the partition, or null. */
  fetchPositionOf(topic: string, partition: number): number | null {
    return this.#partitions.get(partitionKey(topic, partition))?.fetchPosition ?? null;
  }

  fetched(topic: string, partition: number, lastOffset: number, highWatermark: number): void {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined) return;
    p.fetchPosition = lastOffset + 1;
    p.highWatermark = highWatermark;
  }

  /** A job was handed `run` of this partition. */
  dispatchedRun(topic: string, partition: number, run: OffsetRun): void {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined || run.length === 0) return;
    p.origin ??= run.offsetAt(0) as number;
    p.ledger.dispatched(run);
  }

  /** Messages of a poll no job gets because they were processed already: dispatched and processed at once. */
  skippedRun(topic: string, partition: number, run: OffsetRun, epoch?: number): void {
    const p = this.#owned(topic, partition, epoch);
    if (p === undefined || run.length === 0) return;
    p.origin ??= run.offsetAt(0) as number;
    if (p.ledger.skipped !== undefined) {
      p.ledger.skipped(run);
      return;
    }
    p.ledger.dispatched(run);
    p.ledger.processed(run, run.length, true);
  }

  /** The partition's ledger (a strategy reads its own kind), or undefined when not owned. */
  ledgerOf(topic: string, partition: number): OffsetLedger | undefined {
    return this.#partitions.get(partitionKey(topic, partition))?.ledger;
  }

  /** A job was handed the messages `firstOffset`..`lastOffset` (every offset in between). */
  dispatched(topic: string, partition: number, lastOffset: number, firstOffset = lastOffset): void {
    this.dispatchedRun(topic, partition, offsetRange(firstOffset, lastOffset));
  }

  /**
   * The job of `run`, dispatched under `epoch`, processed its first `count` messages (`settled`:
   * it ended successfully). Rejected (false) for a partition no longer owned, or owned again
   * under another epoch, or a run that is not dispatched there (any more).
   */
  processed(topic: string, partition: number, run: OffsetRun, count: number, settled: boolean, epoch?: number): boolean {
    const p = this.#owned(topic, partition, epoch);
    return p !== undefined && p.ledger.processed(run, count, settled);
  }

  /**
   * Records that everything before `nextOffset` was processed. Rejected (false) for a partition no
   * longer owned (or owned again under another epoch than `epoch`), beyond what was dispatched,
   * or not ahead of the current mark.
   */
  mark(topic: string, partition: number, nextOffset: number, epoch?: number): boolean {
    const p = this.#owned(topic, partition, epoch);
    return p !== undefined && p.ledger.markBelow(nextOffset);
  }

  /** The partition restarts at `offset` (seek, or retry after an error; `reason`: the pause's). */
  rewind(topic: string, partition: number, offset: number, reason?: RewindReason): void {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined) return;
    p.fetchPosition = offset;
    p.ledger.rewind(offset, reason);
    p.skipMarked = false;
  }

  /** On assignment: the group's committed offset and metadata, for the partition's ledger. */
  restore(topic: string, partition: number, committed: number | null, metadata: string | null): void {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined) return;
    if (committed !== null && (p.committed === null || committed > p.committed)) {
      p.committed = committed;
      p.committedMetadata = metadata;
    }
    p.ledger.restore(committed, metadata);
  }

  /**
   * The offset a consumer's transaction that asks for `requested` may commit: what the ledger
   * allows, or null when that is not ahead of the committed offset (committing it would move the
   * group's offset back; the transaction then carries its messages only).
   */
  transactionOffset(topic: string, partition: number, requested: number): number | null {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined) return requested;
    const allowed = p.ledger.transactionOffset?.(requested) ?? requested;
    return p.committed !== null && allowed <= p.committed ? null : allowed;
  }

  /** A transaction will carry this partition's offsets: the normal commit path leaves it alone until it ends. */
  beginTransaction(topic: string, partition: number): void {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p !== undefined) p.transactions += 1;
  }

  /**
   * The transaction ended; when it committed `nextOffset` (under `epoch`), that offset counts as
   * marked and committed, so the normal path neither commits it again nor anything below it.
   */
  endTransaction(topic: string, partition: number, epoch: number, committedOffset: number | null): void {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined || p.epoch !== epoch) return;
    p.transactions = Math.max(0, p.transactions - 1);
    if (committedOffset === null) return;
    p.ledger.markBelow(committedOffset, false);
    if (p.committed === null || committedOffset > p.committed) {
      p.committed = committedOffset;
      p.committedMetadata = null;
    }
  }

  /** Marked offsets not yet committed, with their metadata (partitions with a transaction in flight excluded). */
  pending(): OffsetEntry[] {
    const out: OffsetEntry[] = [];
    for (const p of this.#partitions.values()) {
      if (p.transactions > 0) continue;
      const next = p.ledger.committable();
      if (next === null) continue;
      const metadata = next.metadata !== null && Buffer.byteLength(next.metadata) <= this.metadataMaxBytes ? next.metadata : null;
      if (next.offset === p.committed && (metadata ?? null) === p.committedMetadata) continue;
      if (next.metadata !== null && metadata === null) p.ledger.metadataDropped?.(Buffer.byteLength(next.metadata));
      out.push(metadata === null ? { topic: p.topic, partition: p.partition, offset: next.offset } : { topic: p.topic, partition: p.partition, offset: next.offset, metadata });
    }
    return out;
  }

  committed(entries: OffsetEntry[]): void {
    for (const e of entries) {
      const p = this.#partitions.get(partitionKey(e.topic, e.partition));
      if (p === undefined || (p.committed !== null && e.offset < p.committed)) continue;
      p.committed = e.offset;
      p.committedMetadata = e.metadata ?? null;
    }
  }

  partitions(): PartitionOffsetsView[] {
    return [...this.#partitions.values()].map(view);
  }

  #owned(topic: string, partition: number, epoch: number | undefined): PartitionOffsets | undefined {
    const p = this.#partitions.get(partitionKey(topic, partition));
    return p === undefined || (epoch !== undefined && p.epoch !== epoch) ? undefined : p;
  }
}

function view(p: PartitionOffsets): PartitionOffsetsView {
  return {
    topic: p.topic,
    partition: p.partition,
    epoch: p.epoch,
    fetchPosition: p.fetchPosition,
    dispatched: p.ledger.dispatchedTo,
    origin: p.origin,
    marked: p.ledger.firstUnprocessed(),
    committed: p.committed,
    highWatermark: p.highWatermark,
  };
}

/** The offsets first..last, every one of them (a dispatch described by its bounds). */
function offsetRange(first: number, last: number): OffsetRun {
  return { length: Math.max(0, last - first + 1), offsetAt: (i) => (i >= 0 && i <= last - first ? first + i : undefined) };
}
