// A Producer for unit tests of code that produces outside consumers (what karafka-testing's
// buffered producer is to WaterDrop): the real Producer class — the same API, validation,
// partitioning, linger and batching, reports, events, variants and transactions — over an
// in-memory broker instead of Kafka. It never opens a connection. What reaches the broker is
// recorded; `failProducing` makes it refuse everything, as a broker that is down or forbids it.
// It is a Producer (a subclass), so it goes wherever a Producer is expected.
import type { ITopicMetadata, RecordMetadata } from 'kafkajs';
import type { ProduceRecord } from '../batching/produce-record';
import type { SendBatchRequest } from '../delivery/dispatcher';
import type { ProducerWire, WireTransaction } from '../network/producer-wire';
import type { ProducerKafkaSettings, ProducerOptions } from '../options';
import { Producer } from '../producer';
import type { ProduceMessage, TransactionOffsets } from '../types';
import { ProducedLog, type WrittenMessage } from './produced-log';

export interface FakeProducerOptions extends Omit<ProducerOptions, 'kafka'> {
  /**
   * A Producer's `kafka` settings, checked the same way. `bootstrap.servers` is not needed
   * (nothing connects); the linger (`queue.buffering.max.ms` / `linger.ms`) defaults to 0 here,
   * so a produce is written without waiting.
   */
  kafka?: Partial<ProducerKafkaSettings>;
  /**
   * Partitions of each topic the broker knows. Keys pick a partition among them as in
   * production (Java-compatible murmur2), and a message naming a partition a topic does not
   * have fails as it would against Kafka. Default 1 for every topic.
   */
  partitions?: Readonly<Record<string, number>>;
}

/** One transaction the broker saw end. */
export interface FakeTransaction {
  /** Its messages, as given, in the order written. */
  readonly messages: readonly ProduceMessage[];
  /** Every `tx.sendOffsets(...)` of it. */
  readonly offsets: readonly TransactionOffsets[];
  readonly outcome: 'committed' | 'aborted';
}

export class FakeProducer extends Producer {
  readonly #broker: FakeBroker;

  constructor(options: FakeProducerOptions = {}) {
    const broker = new FakeBroker(options.partitions ?? {});
    const rest: Omit<FakeProducerOptions, 'kafka' | 'partitions'> & { partitions?: unknown; kafka?: unknown } = { ...options };
    delete rest.partitions;
    delete rest.kafka;
    const kafka = options.kafka ?? {};
    const lingerGiven = kafka['queue.buffering.max.ms'] !== undefined || kafka['linger.ms'] !== undefined;
    super(
      {
        id: 'fake-producer',
        ...rest,
        kafka: { 'bootstrap.servers': '127.0.0.1:9092', ...(lingerGiven ? {} : { 'queue.buffering.max.ms': 0 }), ...kafka },
      },
      broker,
    );
    this.#broker = broker;
  }

  /**
   * Every message the broker wrote, as it was given (a copy), in the order written: produced
   * outside transactions, and those of committed transactions once they commit.
   */
  get produced(): readonly ProduceMessage[] {
    return this.#broker.log.produced;
  }

  /** The same messages with the partition and offset each was written at. */
  get written(): ReadonlyArray<WrittenMessage<ProduceMessage>> {
    return this.#broker.log.written;
  }

  /** Every transaction that ended, committed or aborted, in order. */
  get transactions(): readonly FakeTransaction[] {
    return this.#broker.transactions;
  }

  /**
   * From now until called with null, the broker refuses every produce request with `error`:
   * produce calls reject with DELIVERY_FAILED (`cause` = `error`; an error with
   * `retriable: true` is retried until the delivery timeout first), transactions abort. Nothing
   * is written meanwhile.
   */
  failProducing(error: Error | null): void {
    this.#broker.failure = error;
  }

  /** Forgets what was written and which transactions ended (offsets go on). */
  clear(): void {
    this.#broker.log.clear();
    this.#broker.transactions.length = 0;
  }
}

/** The in-memory broker behind a FakeProducer: one leader (0), offsets per partition from 0. */
class FakeBroker implements ProducerWire {
  readonly log = new ProducedLog<ProduceMessage>();
  readonly transactions: FakeTransaction[] = [];
  failure: Error | null = null;

  constructor(private readonly partitions: Readonly<Record<string, number>>) {}

  async connect(): Promise<void> {}

  async disconnect(): Promise<void> {}

  readonly sendBatch = async (request: SendBatchRequest): Promise<RecordMetadata[]> => {
    this.refuseIfFailing();
    return this.write(request, (message, partition, offset) => this.log.record(message, partition, offset));
  };

  readonly metadata = {
    // answers even while failing: a refused request fails at once, where unanswered metadata would be retried
    fetchTopicMetadata: async (options?: { topics: string[] }): Promise<{ topics: ITopicMetadata[] }> => {
      return {
        topics: (options?.topics ?? Object.keys(this.partitions)).map((name) => ({
          name,
          partitions: Array.from({ length: this.partitions[name] ?? 1 }, (_, partitionId) => ({
            partitionErrorCode: 0,
            partitionId,
            leader: 0,
            replicas: [0],
            isr: [0],
            offlineReplicas: [],
          })),
        })),
      };
    },
  };

  async transaction(): Promise<WireTransaction> {
    this.refuseIfFailing();
    const pending: Array<{ message: ProduceMessage; partition: number; offset: number }> = [];
    const offsets: TransactionOffsets[] = [];
    const end = (outcome: FakeTransaction['outcome']): void => {
      if (outcome === 'committed') for (const p of pending) this.log.record(p.message, p.partition, p.offset);
      this.transactions.push(Object.freeze({ messages: pending.map((p) => ({ ...p.message })), offsets, outcome }));
    };
    return {
      sendBatch: async (request) => {
        this.refuseIfFailing();
        // written now (the offsets are taken), visible once committed, as read_committed consumers see it
        return this.write(request, (message, partition, offset) => pending.push({ message, partition, offset }));
      },
      sendOffsets: async (given) => {
        this.refuseIfFailing();
        offsets.push(given);
      },
      commit: async () => {
        this.refuseIfFailing();
        end('committed');
      },
      abort: async () => {
        end('aborted');
      },
    };
  }

  private refuseIfFailing(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** Gives each topic-partition of the request its offsets, hands each record to `keep`, and answers as Kafka does. */
  private write(request: SendBatchRequest, keep: (message: ProduceMessage, partition: number, offset: number) => void): RecordMetadata[] {
    const results: RecordMetadata[] = [];
    for (const { topic, messages } of request.topicMessages) {
      const byPartition = new Map<number, ProduceRecord[]>();
      for (const record of messages as unknown as ProduceRecord[]) {
        const list = byPartition.get(record.partition) ?? [];
        list.push(record);
        byPartition.set(record.partition, list);
      }
      for (const [partition, records] of byPartition) {
        if (partition >= (this.partitions[topic] ?? 1)) {
          throw Object.assign(new Error(`This server does not host this topic-partition (${topic}/${partition})`), { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: false });
        }
        const base = this.log.take(topic, partition, records.length);
        records.forEach((record, i) => keep(record.message, partition, base + i));
        results.push({ topicName: topic, partition, errorCode: 0, baseOffset: String(base), logAppendTime: '-1', logStartOffset: '0' });
      }
    }
    return results;
  }
}
