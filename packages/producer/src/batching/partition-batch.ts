// The open (or sealed) batch of one topic-partition: what becomes one record batch in a Produce
// request. Records keep their order; a record's offset is the batch's base offset + its index.
import type { ProduceRecord } from './produce-record';

export function partitionBatchId(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class PartitionBatch {
  readonly records: ProduceRecord[] = [];
  bytes = 0;
  /** `topic\0partition`: identifies the partition across batches. */
  readonly id: string;

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** Leader node id when the batch was opened (-1 unknown): requests are grouped per leader. */
    readonly leader: number,
    /** The id, when the caller keeps one per partition (one string, hashed once, for every batch). */
    id?: string,
  ) {
    this.id = id ?? partitionBatchId(topic, partition);
  }

  add(record: ProduceRecord): void {
    record.partition = this.partition;
    this.records.push(record);
    this.bytes += record.bytes;
  }

  /** Appends the records of a later sealed batch of the same partition, keeping their order. */
  absorb(later: PartitionBatch): void {
    for (const record of later.records) this.records.push(record);
    this.bytes += later.bytes;
  }

  /** Removes and returns the first `count` records (those that timed out). */
  takeFirst(count: number): ProduceRecord[] {
    const first = this.records.splice(0, count);
    for (const record of first) this.bytes -= record.bytes;
    return first;
  }
}
