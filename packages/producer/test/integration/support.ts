// Shared pieces of the producer's integration tests: producers that are always closed, counters
// of the Produce requests that really went to the broker (KafkaJS's own REQUEST instrumentation),
// and a KafkaJS reader of what a consumer sees.
import { Kafka, logLevel } from 'kafkajs';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, waitUntil } from '@decanter/test-helpers';
import { Producer, type ProducerKafkaSettings, type ProducerOptions } from '@decanter/producer';

const producers: Producer[] = [];
const topics: string[] = [];

export function newProducer(kafka: ProducerKafkaSettings = {}, rest: Omit<ProducerOptions, 'kafka'> = {}): Producer {
  const producer = new Producer({ id: 'test-producer', ...rest, kafka: { 'bootstrap.servers': brokers().join(','), ...kafka } });
  producers.push(producer);
  return producer;
}

export async function topic(prefix: string, partitions = 1): Promise<string> {
  const name = await createTopic(`producer-${prefix}`, { partitions });
  topics.push(name);
  return name;
}

/** Call from afterAll: closes every producer of the file and deletes its topics. */
export async function cleanUp(): Promise<void> {
  await Promise.allSettled(producers.splice(0).map((p) => p.close()));
  await deleteTopics(topics.splice(0));
  await disconnectSharedAdmin();
}

/** Counts the Produce requests the producer's KafkaJS client sends (acks 0 ones included). */
export function countProduceRequests(producer: Producer): { readonly count: number } {
  const counter = { count: 0 };
  const client = producer.kafkaJsProducer;
  client.on(client.events.REQUEST, (event) => {
    if (event.payload.apiName === 'Produce') counter.count += 1;
  });
  return counter;
}

export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestamp: string;
}

/**
 * Reads `topic` from the beginning with a KafkaJS consumer until `until(records)` holds.
 * `readCommitted` hides aborted transactional messages.
 */
export async function readTopic(
  name: string,
  until: (records: ReadRecord[]) => boolean,
  options: { readCommitted?: boolean; timeoutMs?: number; brokers?: string[] } = {},
): Promise<ReadRecord[]> {
  const kafka = new Kafka({ clientId: 'producer-tests-reader', brokers: options.brokers ?? brokers(), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `${name}-reader-${Math.random().toString(36).slice(2)}`,
    readUncommitted: !(options.readCommitted ?? false),
  });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: name, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        records.push({
          partition,
          offset: message.offset,
          key: message.key === null ? null : message.key.toString(),
          value: message.value === null ? null : message.value.toString(),
          headers,
          timestamp: message.timestamp,
        });
      },
    });
    await waitUntil(`reading ${name}`, () => until(records), { timeoutMs: options.timeoutMs ?? 30_000 });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
