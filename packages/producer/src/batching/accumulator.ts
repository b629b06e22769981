// Collects the records of one variant into one open batch per topic-partition and seals a batch
// when it reaches batch.size / batch.num.messages, or when the linger expires. Linger 0 seals on
// setImmediate (no timer): records produced in the same tick still share a batch, none waits for
// a timer. With a linger, one timer per accumulator fires linger ms after the oldest open batch
// was opened and seals every open batch, so no record waits longer than the linger.
// It never sends anything itself: sealed batches go to `onSealed` (the dispatcher).
import { PartitionBatch } from './partition-batch';
import type { ProduceRecord } from './produce-record';

export interface AccumulatorLimits {
  lingerMs: number;
  batchSizeBytes: number;
  batchMaxMessages: number;
}

export class Accumulator {
  private readonly open = new Map<string, Array<PartitionBatch | undefined>>();
  private openCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** While true (closing, flushing a transaction) records do not linger. */
  urgent = false;

  constructor(
    private readonly limits: AccumulatorLimits,
    private readonly onSealed: (batch: PartitionBatch) => void,
    /** After the linger (or a flush) sealed batches: send them now. */
    private readonly onFlushed: () => void = () => undefined,
  ) {}

  get openBatches(): number {
    return this.openCount;
  }

  append(record: ProduceRecord, topic: string, partition: number, leader: number): void {
    let byPartition = this.open.get(topic);
    if (byPartition === undefined) {
      byPartition = [];
      this.open.set(topic, byPartition);
    }
    let batch = byPartition[partition];
    const { batchSizeBytes, batchMaxMessages } = this.limits;
    if (batch !== undefined && batch.records.length > 0 && batch.bytes + record.bytes > batchSizeBytes) {
      this.seal(batch, byPartition);
      batch = undefined;
    }
    if (batch === undefined) {
      batch = new PartitionBatch(topic, partition, leader);
      byPartition[partition] = batch;
      this.openCount += 1;
      this.armLinger();
    }
    batch.add(record);
    if (batch.bytes >= batchSizeBytes || batch.records.length >= batchMaxMessages) this.seal(batch, byPartition);
  }

  /** Seals every open batch now and hands them to the dispatcher at once. */
  sealAll(): void {
    this.clearLinger();
    if (this.openCount === 0) return;
    for (const byPartition of this.open.values()) {
      for (const batch of byPartition) if (batch !== undefined) this.seal(batch, byPartition);
    }
    this.onFlushed();
  }

  private seal(batch: PartitionBatch, byPartition: Array<PartitionBatch | undefined>): void {
    byPartition[batch.partition] = undefined;
    this.openCount -= 1;
    if (this.openCount === 0) this.clearLinger();
    this.onSealed(batch);
  }

  private armLinger(): void {
    if (this.timer !== undefined || this.immediate !== undefined) return;
    if (this.limits.lingerMs === 0 || this.urgent) {
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.sealAll();
      });
    } else {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.sealAll();
      }, this.limits.lingerMs);
    }
  }

  private clearLinger(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}
