// One queued message on its way to Kafka. It doubles as the KafkaJS message object (key, value,
// headers, timestamp, partition are read by KafkaJS's encoder) so the hot path allocates one
// object per message, and it carries the callbacks that settle the caller's promise.
import type { IHeaders } from 'kafkajs';
import type { DeliveryReport, ProduceMessage } from '../types';

export class ProduceRecord {
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers: IHeaders | undefined;
  /** Only when the caller gave one: KafkaJS stamps the others at send time. */
  readonly timestamp: string | undefined;
  partition = -1;

  constructor(
    readonly message: ProduceMessage,
    /** Estimated record bytes, counted against batch.size and the queue limit. */
    readonly bytes: number,
    /** performance.now() at enqueue. */
    readonly enqueuedAt: number,
    /** Date.now() after which the record is failed instead of retried. */
    readonly deadline: number,
    readonly resolve: (report: DeliveryReport) => void,
    readonly reject: (error: Error) => void,
  ) {
    this.key = message.key ?? null;
    this.value = message.payload;
    this.headers = message.headers;
    const ts = message.timestamp;
    this.timestamp = ts === undefined ? undefined : String(typeof ts === 'number' ? ts : ts.getTime());
  }
}
