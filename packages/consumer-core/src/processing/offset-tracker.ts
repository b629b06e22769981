// Offsets of one subscription group's partitions, in the main thread. Tracks the fetch position
// (where the listener reads next) apart from the commit position (what was processed). Must never
// let a commit go past a message that was not processed: a mark is accepted only for an offset
// that was dispatched to a job, only from that job's own result, and marks only move forward.
import { partitionKey } from '../connection/prefetch-buffer';
import type { OffsetEntry } from '../events';

interface PartitionOffsets {
  topic: string;
  partition: number;
  /** Next offset the listener will read (last buffered + 1). */
  fetchPosition: number | null;
  /** Highest offset handed to a job, + 1. */
  dispatched: number | null;
  /** Next offset to commit: everything before it was processed. */
  marked: number | null;
  committed: number | null;
  highWatermark: number | null;
}

export class OffsetTracker {
  readonly #partitions = new Map<string, PartitionOffsets>();

  assign(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    const existing = this.#partitions.get(key);
    if (existing !== undefined) {
      // eager rebalance: KafkaJS fetches again from the committed offset
      existing.fetchPosition = null;
      existing.dispatched = null;
      return;
    }
    this.#partitions.set(key, {
      topic,
      partition,
      fetchPosition: null,
      dispatched: null,
      marked: null,
      committed: null,
      highWatermark: null,
    });
  }

  revoke(topic: string, partition: number): void {
    this.#partitions.delete(partitionKey(topic, partition));
  }

  owns(topic: string, partition: number): boolean {
    return this.#partitions.has(partitionKey(topic, partition));
  }

  fetched(topic: string, partition: number, lastOffset: number, highWatermark: number): void {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined) return;
    p.fetchPosition = lastOffset + 1;
    p.highWatermark = highWatermark;
  }

  dispatched(topic: string, partition: number, lastOffset: number): void {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined) return;
    p.dispatched = Math.max(p.dispatched ?? 0, lastOffset + 1);
  }

  /**
   * Records that everything before `nextOffset` was processed. Rejected (false) for a partition no
   * longer owned, beyond what was dispatched, or not ahead of the current mark.
   */
  mark(topic: string, partition: number, nextOffset: number): boolean {
    const p = this.#partitions.get(partitionKey(topic, partition));
    if (p === undefined || p.dispatched === null || nextOffset > p.dispatched) return false;
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
  }

  /** Marked offsets not yet committed. */
  pending(): OffsetEntry[] {
    const out: OffsetEntry[] = [];
    for (const p of this.#partitions.values()) {
      if (p.marked !== null && p.marked !== p.committed) out.push({ topic: p.topic, partition: p.partition, offset: p.marked });
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
