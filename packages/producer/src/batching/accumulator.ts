// Collects the records of one variant into one open batch per topic-partition and seals a batch
// when it reaches batch.size / batch.num.messages, or when the linger expires. Linger 0 seals on
// a microtask, at the end of the synchronous run that opened the batch: records produced together
// (a loop, produceMany) still share a batch, and none waits for a timer or for a turn of the event
// loop. Records produced while their partition's request is in flight are sealed as small batches
// that the dispatcher merges, as they come, into the batch waiting for that partition's next
// request. With a linger, one timer per accumulator fires linger ms after the oldest open batch was
// opened and seals every open batch, so no record waits longer than the linger.
// It never sends anything itself: sealed batches go to `onSealed` (the dispatcher). On a send path
// that takes batches encoded at admission (Decanter's encoder), each batch it opens gets an
// encoding from `openEncoding`, and each record is encoded as it is appended. Its buffer is sized
// like the partition's previous batch (like its first record, for the first), growing as it must:
// a partition sent one record at a time (linger 0, awaited calls) takes a few hundred bytes from
// Node's buffer pool per batch instead of batch.size.
import type { BatchEncoding } from '../encoding/batch-encoding';
import { PartitionBatch, partitionBatchId } from './partition-batch';
import type { ProduceRecord } from './produce-record';

// Promise.then rather than queueMicrotask: Node wraps every queueMicrotask callback in an
// AsyncResource, which costs more than the seal it schedules on the linger-0 hot path.
const settled = Promise.resolve();

export interface AccumulatorLimits {
  lingerMs: number;
  batchSizeBytes: number;
  batchMaxMessages: number;
}

/** A topic's open batch per partition, and its partitions' ids (made once: the dispatcher's maps key on them). */
interface OpenTopic {
  readonly batches: Array<PartitionBatch | undefined>;
  readonly ids: string[];
  /** Estimated bytes of each partition's last sealed batch: the next one's encoding is sized by it. */
  readonly lastBytes: number[];
}

export class Accumulator {
  private readonly open = new Map<string, OpenTopic>();
  private openCount = 0;
  private timer: NodeJS.Timeout | undefined;
  /** A linger-0 (or urgent) seal is queued on a microtask; clearing it cancels that seal. */
  private sealQueued = false;
  /** While true (closing, flushing a transaction) records do not linger. */
  urgent = false;

  constructor(
    private readonly limits: AccumulatorLimits,
    /** `flushing`: onFlushed follows at once (the dispatcher need not schedule a drain). */
    private readonly onSealed: (batch: PartitionBatch, flushing: boolean) => void,
    /** After the linger (or a flush) sealed batches: send them now. */
    private readonly onFlushed: () => void = () => undefined,
    /**
     * Opens a new batch's encoding for about `expectedBytes` (estimated record bytes); undefined:
     * batches are encoded when sent.
     */
    private readonly openEncoding?: (expectedBytes: number) => BatchEncoding,
  ) {}

  get openBatches(): number {
    return this.openCount;
  }

  append(record: ProduceRecord, topic: string, partition: number, leader: number): void {
    let openTopic = this.open.get(topic);
    if (openTopic === undefined) {
      openTopic = { batches: [], ids: [], lastBytes: [] };
      this.open.set(topic, openTopic);
    }
    const byPartition = openTopic.batches;
    let batch = byPartition[partition];
    const { batchSizeBytes, batchMaxMessages } = this.limits;
    if (batch !== undefined && batch.records.length > 0 && batch.bytes + record.bytes > batchSizeBytes) {
      this.seal(batch, openTopic);
      batch = undefined;
    }
    if (batch === undefined) {
      batch = new PartitionBatch(
        topic,
        partition,
        leader,
        (openTopic.ids[partition] ??= partitionBatchId(topic, partition)),
        this.openEncoding === undefined ? null : this.openEncoding(openTopic.lastBytes[partition] ?? record.bytes),
      );
      byPartition[partition] = batch;
      this.openCount += 1;
      this.armLinger();
    }
    batch.add(record);
    if (batch.bytes >= batchSizeBytes || batch.records.length >= batchMaxMessages) this.seal(batch, openTopic);
  }

  /** Seals every open batch now and hands them to the dispatcher at once. */
  sealAll(): void {
    this.clearLinger();
    if (this.openCount === 0) return;
    for (const openTopic of this.open.values()) {
      for (const batch of openTopic.batches) if (batch !== undefined) this.seal(batch, openTopic, true);
    }
    this.onFlushed();
  }

  private seal(batch: PartitionBatch, openTopic: OpenTopic, flushing = false): void {
    openTopic.batches[batch.partition] = undefined;
    openTopic.lastBytes[batch.partition] = batch.bytes;
    this.openCount -= 1;
    if (this.openCount === 0) this.clearLinger();
    this.onSealed(batch, flushing);
  }

  private armLinger(): void {
    if (this.timer !== undefined || this.sealQueued) return;
    if (this.limits.lingerMs === 0 || this.urgent) {
      this.sealQueued = true;
      void settled.then(this.sealIfQueued);
    } else {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.sealAll();
      }, this.limits.lingerMs);
    }
  }

  private readonly sealIfQueued = (): void => {
    if (!this.sealQueued) return; // sealed meanwhile (batch.size, a flush)
    this.sealQueued = false;
    this.sealAll();
  };

  private clearLinger(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.sealQueued = false;
  }
}
