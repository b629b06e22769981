// The open (or sealed) batch of one topic-partition: what becomes one record batch in a Produce
// request. Records keep their order; a record's offset is the batch's base offset + its index.
// On Decanter's encoder a batch also carries its bytes, written as records are added
// (encoding/batch-encoding.ts). Those bytes must always hold exactly `records`: whatever changes
// the records otherwise (a merge re-encodes the merged ones; a removal drops the encoding, and
// the send path encodes the batch afresh) keeps them so.
import type { BatchEncoding } from '../encoding/batch-encoding';
import type { ProduceRecord } from './produce-record';

export function partitionBatchId(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class PartitionBatch {
  readonly records: ProduceRecord[] = [];
  bytes = 0;
  /**
   * Handed to KafkaJS at least once. Only a batch never sent may be merged into; with
   * idempotence, KafkaJS gave its records sequence numbers (see delivery/dispatcher.ts).
   */
  sent = false;
  /**
   * An attempt to send it may have been written by the broker although it was not acknowledged
   * (a request timed out, a connection lost mid-request, a request abandoned at the deadline).
   */
  mayBeWritten = false;
  /** `topic\0partition`: identifies the partition across batches. */
  readonly id: string;
  /**
   * The records' bytes so far (Decanter's encoder), or null: not encoded at admission (KafkaJS's
   * encoder), or no longer in step with `records`. The send path encodes a batch without one and
   * keeps the result here, so a resend reuses it.
   */
  encoding: BatchEncoding | null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** Leader node id when the batch was opened (-1 unknown): requests are grouped per leader. */
    readonly leader: number,
    /** The id, when the caller keeps one per partition (one string, hashed once, for every batch). */
    id?: string,
    encoding: BatchEncoding | null = null,
  ) {
    this.id = id ?? partitionBatchId(topic, partition);
    this.encoding = encoding;
  }

  add(record: ProduceRecord): void {
    record.partition = this.partition;
    this.records.push(record);
    this.bytes += record.bytes;
    if (this.encoding !== null) this.encode(record);
  }

  /**
   * Appends the records of a later sealed batch of the same partition, keeping their order. Their
   * bytes are written again: offset and timestamp deltas count from this batch's first record.
   */
  absorb(later: PartitionBatch): void {
    for (const record of later.records) {
      this.records.push(record);
      if (this.encoding !== null) this.encode(record);
    }
    this.bytes += later.bytes;
  }

  private encode(record: ProduceRecord): void {
    try {
      this.encoding!.append(record.key, record.value, record.createTime, record.headers);
    } catch (error) {
      // Anything but a refused record (a timestamp too far from the batch's first to write as a
      // delta) is a broken invariant, such as a record added to a batch already sealed: it must
      // not be hidden, or a resend could carry other bytes than the first attempt.
      if (!(error instanceof RangeError)) throw error;
      // The send path encodes the batch from its records, and the refusal then fails the
      // batch's request with the encoder's own error, as it did before encoding at admission.
      this.encoding = null;
    }
  }

  /** Removes and returns the records already settled (failed by their deadline in flight). */
  removeSettled(): ProduceRecord[] {
    const records = this.records;
    const removed: ProduceRecord[] = [];
    let kept = 0;
    for (let i = 0; i < records.length; i += 1) {
      const record = records[i] as ProduceRecord;
      if (record.settled) {
        removed.push(record);
        this.bytes -= record.bytes;
      } else records[kept++] = record;
    }
    records.length = kept;
    if (removed.length > 0) this.encoding = null;
    return removed;
  }

  /** Removes and returns the first `count` records (those that timed out). */
  takeFirst(count: number): ProduceRecord[] {
    const first = this.records.splice(0, count);
    for (const record of first) this.bytes -= record.bytes;
    if (first.length > 0) this.encoding = null;
    return first;
  }
}
