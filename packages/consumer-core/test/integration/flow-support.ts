// Helpers of the error-handling and flow-control integration tests (not a test file): raw
// messages with any bytes and headers in, every message of a topic out, both with raw KafkaJS;
// and an App whose one route has a dead letter queue.
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { brokers, waitUntil } from '@decanter/test-helpers';
import { App, type AppOptions } from '@decanter/consumer-core';
import { Producer as DecanterProducer } from '@decanter/producer';
import { baseKafka } from './support';

export interface ReadMessage {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

let producer: Producer | undefined;

/** Produces raw messages (any bytes, headers, timestamps) with raw KafkaJS. */
export async function produceRaw(
  topic: string,
  messages: Array<{ partition: number; key?: string; value: string | null; headers?: Record<string, string>; timestamp?: number }>,
): Promise<void> {
  if (producer === undefined) {
    producer = new Kafka({ clientId: 'consumer-core-flow-tests', brokers: brokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  }
  await producer.send({
    topic,
    acks: -1,
    messages: messages.map((m) => ({
      partition: m.partition,
      key: m.key ?? null,
      value: m.value,
      headers: m.headers,
      timestamp: m.timestamp === undefined ? undefined : String(m.timestamp),
    })),
  });
}

export async function disconnectRawProducer(): Promise<void> {
  await producer?.disconnect();
  producer = undefined;
}

/** Reads `count` messages of `topic` from the beginning with raw KafkaJS (headers as UTF-8 strings). */
export async function readAll(topic: string, count: number): Promise<ReadMessage[]> {
  const kafka = new Kafka({ clientId: `reader-${topic}`, brokers: brokers(), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}` });
  const out: ReadMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(Array.isArray(v) ? v[0] : v);
      out.push({ partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers });
    },
  });
  try {
    await waitUntil(`${count} messages read from ${topic}`, () => out.length >= count, { timeoutMs: 30_000 });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/**
 * An App consuming `topic` with an export of fixtures/failing-consumer.ts, its failures going to
 * `dlq` after `maxRetries`, through a Decanter producer of its own (close it after `app.stop()`).
 * `options` override the App's (batching, backoff, concurrency).
 */
export function deadLetterApp(args: {
  group: string;
  topic: string;
  dlq: string;
  consumer: string;
  maxRetries: number;
  options?: Partial<AppOptions>;
}): { app: App; producer: DecanterProducer } {
  const producer = new DecanterProducer({ kafka: { 'bootstrap.servers': brokers().join(','), 'queue.buffering.max.ms': 1 } });
  const app = new App({
    kafka: baseKafka(args.group),
    maxWaitTimeMs: 50,
    ...args.options,
    producer,
    routes: [
      {
        topics: [
          {
            topic: args.topic,
            consumer: { module: join(__dirname, 'fixtures', 'failing-consumer'), export: args.consumer },
            deadLetterQueue: { topic: args.dlq, maxRetries: args.maxRetries },
          },
        ],
      },
    ],
  });
  return { app, producer };
}
