// The delivery deadline of a request in flight: a timer at the earliest deadline of the records
// it carries that are not settled yet, so that a record settles at its deadline even while
// KafkaJS still holds its request (connecting, fetching metadata, waiting for the broker's
// answer — each attempt may take request.timeout.ms + 5 s). It only says which records' time
// is up; it never takes a record out of its batch: the request still carries it, and a record's
// offset is its index in the batch as sent.
import type { PartitionBatch } from '../batching/partition-batch';
import type { ProduceRecord } from '../batching/produce-record';

export class RequestDeadline {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly batches: readonly PartitionBatch[],
    /** Told, per batch, the records whose deadline has passed (not settled yet: they must be). */
    private readonly expired: (batch: PartitionBatch, records: ProduceRecord[]) => void,
  ) {
    this.arm(earliestDeadline(batches));
  }

  /** The request was answered: its answer settles what is left. */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(at: number): void {
    if (at === Infinity) return;
    this.timer = setTimeout(this.fire, Math.max(0, at - Date.now()));
    // The records' queue room keeps the process alive while KafkaJS holds the request, not this
    // timer (network/kafkajs-handles.ts): a fake wire that never answers must not either.
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = Date.now();
    for (const batch of this.batches) {
      let due: ProduceRecord[] | undefined;
      for (const record of batch.records) {
        if (!record.settled && record.deadline <= now) (due ??= []).push(record);
      }
      if (due !== undefined) this.expired(batch, due);
    }
    this.arm(earliestDeadline(this.batches));
  };
}

/**
 * The earliest deadline of the unsettled records of `batches` (Infinity: none). Records join a
 * batch in the order they were produced, so a batch's first unsettled record is its earliest.
 */
export function earliestDeadline(batches: readonly PartitionBatch[]): number {
  let earliest = Infinity;
  for (const batch of batches) {
    for (const record of batch.records) {
      if (record.settled) continue;
      if (record.deadline < earliest) earliest = record.deadline;
      break;
    }
  }
  return earliest;
}
