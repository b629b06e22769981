// Offsets of one subscription group's partitions, in the main thread. Tracks the fetch position
// (where the listener reads next) apart from the commit position (what was processed). Must never
// let a commit go past a message that was not processed: a mark is accepted only for an offset
// that was dispatched to a job, only from that job's own result, and marks only move forward.
// Each ownership of a partition has an epoch: a job's marks count only under the epoch it was
// dispatched in, so a job that finishes after its partition was lost (and perhaps assigned back)
// can never commit. Offsets a transaction committed are never committed again by the normal path.
import { partitionKey } from '../connection/prefetch-buffer';
import type { OffsetEntry } from '../events';

interface PartitionOffsets {
  topic: string;
  partition: number;
  /** Ownership epoch: new each time the partition is assigned after not being owned. */
  epoch: number;
  /** Transactions carrying this partition's offsets that have not ended yet. */
  transactions: number;
  /** Next offset the listener will read (last buffered + 1). */
  fetchPosition: number | null;
  /** Highest offset handed to a job, + 1. */
  dispatched: number | null;
  /** First offset handed to a job in this ownership (where it started from the committed offset). */
  origin: number | null;
  /** Next offset to commit: everything before it was processed. */
  marked: number | null;
  /**
   * Messages below `marked` are not handed out again: true from an assignment (KafkaJS fetches a
   * kept partition again from its committed offset, which may lag the mark) until the partition
   * is repositioned on purpose (a seek, a pause, a retry), which wants exactly what it asked for.
   */
  skipMarked: boolean;
  committed: number | null;
  highWatermark: number | null;
}

let lastEpoch = 0;

export class OffsetTracker {
  readonly #partitions = new Map<string, PartitionOffsets>();

  /**
   * Records an assignment; returns the ownership epoch. A partition kept through an eager
   * rebalance keeps its epoch, marks and dispatched bound (jobs of the old generation may still
   * mark), but KafkaJS fetches it again from the committed offset.
   */
  assign(topic: string, partition: number): number {
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
      transactions: 0,
      origin: null,
      fetchPosition: null,
      dispatched: null,
      marked: null,
      skipMarked: true,
      committed: null,
      highWatermark: null,
    });
    return lastEpoch;
  }

  /** Forgets a lost partition; returns what it knew (marked vs committed tells the duplicates to come). */
  revoke(topic: string, partition: number): Readonly<PartitionOffsets> | undefined {
    const key = partitionKey(topic, partition);
    const p = this.#partitions.get(key);
    this.#partitions.delete(key);
    return p;
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
    return this.#partitions.get(partitionKey(topic, partition))?.marked ?? null;
  }

  /** Offset below which fetched messages are not handed out (already processed), or null. */
  skipBelow(topic: string, partition: number): number | null {
    const p = this.#partitions.get(partitionKey(topic, partition));
    return p !== undefined && p.skipMarked ? p.marked : null;
  }

  fetched(topic: string, partition: number, lastOffset: number, highWatermark: number): void {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined) return;
    p.fetchPosition = lastOffset + 1;
    p.highWatermark = highWatermark;
  }

  dispatched(topic: string, partition: number, lastOffset: number, firstOffset = lastOffset): void {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined) return;
    p.origin ??= firstOffset;
    p.dispatched = Math.max(p.dispatched ?? 0, lastOffset + 1);
  }

  /**
   * Records that everything before `nextOffset` was processed. Rejected (false) for a partition no
   * longer owned (or owned again under another epoch than `epoch`), beyond what was dispatched,
   * or not ahead of the current mark.
   */
  mark(topic: string, partition: number, nextOffset: number, epoch?: number): boolean {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined || (epoch !== undefined && p.epoch !== epoch)) return false;
    if (p.dispatched === null || nextOffset > p.dispatched) return false;
    if (p.marked !== null && nextOffset <= p.marked) return false;
    p.marked = nextOffset;
    return true;
  }

  /** The partition restarts at `offset` (seek, or retry after an error). */
  rewind(topic: string, partition: number, offset: number): void {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined) return;
    p.fetchPosition = offset;
    p.dispatched = Math.min(p.dispatched ?? offset, offset);
    p.skipMarked = false;
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
    p.marked = Math.max(p.marked ?? 0, committedOffset);
    p.committed = Math.max(p.committed ?? 0, committedOffset);
  }

  /** Marked offsets not yet committed (partitions with a transaction in flight excluded). */
  pending(): OffsetEntry[] {
    const out: OffsetEntry[] = [];
    for (const p of this.#partitions.values()) {
      if (p.transactions === 0 && p.marked !== null && p.marked !== p.committed) out.push({ topic: p.topic, partition: p.partition, offset: p.marked });
    }
    return out;
  }

  committed(entries: OffsetEntry[]): void {
    for (const e of entries) {
      const p = this.#partitions.get(partitionKey(e.topic, e.partition));
      if (p !== undefined) p.committed = Math.max(p.committed ?? 0, e.offset);
    }
  }

  partitions(): ReadonlyArray<Readonly<PartitionOffsets>> {
    return [...this.#partitions.values()];
  }
}
