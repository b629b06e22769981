// One queued message on its way to Kafka. It doubles as the KafkaJS message object (key, value,
// headers, timestamp, partition are read by KafkaJS's encoder) so the hot path allocates one
// object per message, and it carries the callbacks that settle the caller's promise.
import type { IHeaders } from 'kafkajs';
import type { DeliveryReport, ProduceMessage } from '../types';

/**
 * Who learns the outcome: a promise's resolvers (sync produce) or a DeliveryHandle (async).
 * Success is passed as ingredients (batch base offset + index) so a handle nobody waits on never
 * builds its report.
 */
export interface DeliverySink {
  delivered(topic: string, partition: number, baseOffset: string | null, index: number): void;
  reject(error: Error): void;
}

/** The offset of the `index`-th record of a batch at `baseOffset` (a decimal int64 string). */
export function offsetAt(baseOffset: string | null, index: number): string | null {
  if (baseOffset === null) return null;
  if (index === 0) return baseOffset;
  const base = Number(baseOffset);
  return Number.isSafeInteger(base + index) ? String(base + index) : String(BigInt(baseOffset) + BigInt(index));
}

export function buildReport(message: ProduceMessage, topic: string, partition: number, offset: string | null): DeliveryReport {
  return message.label === undefined ? { topic, partition, offset } : { topic, partition, offset, label: message.label };
}

/** The sink of a produceSync call: settles its promise. */
export class PromiseSink implements DeliverySink {
  constructor(
    private readonly message: ProduceMessage,
    private readonly resolve: (report: DeliveryReport) => void,
    readonly reject: (error: Error) => void,
  ) {}

  delivered(topic: string, partition: number, baseOffset: string | null, index: number): void {
    this.resolve(buildReport(this.message, topic, partition, offsetAt(baseOffset, index)));
  }
}

export class ProduceRecord {
  // Public fields are what KafkaJS reads (it spreads each message into its Record encoder, so
  // they are kept few); the rest is #private: own but invisible to a spread.
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers: IHeaders | undefined;
  /** Only when the caller gave one: KafkaJS stamps the others at send time. */
  readonly timestamp: string | undefined;
  partition = -1;
  readonly #message: ProduceMessage;
  readonly #createTime: number;
  readonly #bytes: number;
  readonly #enqueuedAt: number;
  readonly #deadline: number;
  readonly #sink: DeliverySink;
  /** Set by the first of delivered/reject: a record has one outcome, whatever answers later. */
  #settled = false;

  constructor(
    message: ProduceMessage,
    bytes: number,
    enqueuedAt: number,
    deadline: number,
    sink: DeliverySink,
    /** Date.now() at admission: the CreateTime of a record the caller gave no timestamp. */
    admittedAt: number = Date.now(),
  ) {
    this.key = message.key ?? null;
    this.value = message.payload;
    this.headers = message.headers;
    const ts = message.timestamp;
    const given = ts === undefined ? undefined : typeof ts === 'number' ? ts : ts.getTime();
    this.timestamp = given === undefined ? undefined : String(given);
    this.#createTime = given ?? admittedAt;
    this.#message = message;
    this.#bytes = bytes;
    this.#enqueuedAt = enqueuedAt;
    this.#deadline = deadline;
    this.#sink = sink;
  }

  get message(): ProduceMessage {
    return this.#message;
  }
  /**
   * The record's CreateTime (ms): the caller's timestamp, or when it was admitted, as Java's
   * producer stamps it. Decanter's encoder writes this one; KafkaJS's stamps `timestamp`-less
   * records when it builds their request instead.
   */
  get createTime(): number {
    return this.#createTime;
  }
  /** Estimated record bytes, counted against batch.size and the queue limit. */
  get bytes(): number {
    return this.#bytes;
  }
  /** performance.now() at enqueue. */
  get enqueuedAt(): number {
    return this.#enqueuedAt;
  }
  /** Date.now() after which the record is failed instead of retried. */
  get deadline(): number {
    return this.#deadline;
  }
  /**
   * True once the record's outcome was given (delivered or failed). A record failed by its
   * delivery deadline while its request is in flight is still in that request: its late answer
   * must not give it a second outcome.
   */
  get settled(): boolean {
    return this.#settled;
  }
  /** Reports the delivery; false (and nothing reported) when the record was settled already. */
  delivered(topic: string, partition: number, baseOffset: string | null, index: number): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#sink.delivered(topic, partition, baseOffset, index);
    return true;
  }
  /** Reports the failure; false (and nothing reported) when the record was settled already. */
  reject(error: Error): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#sink.reject(error);
    return true;
  }
}
