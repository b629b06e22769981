// Each partition's next sequence number for an idempotent producer, with Kafka's arithmetic:
// sequences are int32 and wrap past 2^31 - 1 to 0 (Java's DefaultRecordBatch.incrementSequence;
// the broker expects the record after 2^31 - 1 to be 0), so a batch may straddle the wrap. The
// numbers belong to one producer id and epoch: a new identity starts every partition at 0.
// Kept here rather than in KafkaJS's EOS manager, whose updateSequence resets to 0 on reaching
// 2^31 - 1, dropping the remainder of a batch that straddles it: the broker would then refuse
// the next batch (OUT_OF_ORDER_SEQUENCE_NUMBER) after 2^31 records on a partition.

const SEQUENCE_SPAN = 2 ** 31;

/** `sequence` moved by `by` records (negative: back), wrapped as Kafka wraps it. */
export function addToSequence(sequence: number, by: number): number {
  return (((sequence + by) % SEQUENCE_SPAN) + SEQUENCE_SPAN) % SEQUENCE_SPAN;
}

export class SequenceNumbers {
  readonly #next = new Map<string, number>();
  #identity = '';

  /** Forgets every partition's numbers when the producer id or epoch is not the last one seen. */
  useIdentity(producerId: string | number, producerEpoch: number): void {
    const identity = `${producerId}/${producerEpoch}`;
    if (identity === this.#identity) return;
    this.#identity = identity;
    this.#next.clear();
  }

  next(topic: string, partition: number): number {
    return this.#next.get(`${topic}\u0000${partition}`) ?? 0;
  }

  advance(topic: string, partition: number, by: number): void {
    const key = `${topic}\u0000${partition}`;
    this.#next.set(key, addToSequence(this.#next.get(key) ?? 0, by));
  }
}
