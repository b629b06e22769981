// Claim: the dead letter queue works under virtual partitions: a message that keeps failing (its
// consumer marks each message as it goes, as with any DLQ) is found by the collapsed retry and produced to the DLQ topic with its source headers
// after maxRetries; every other message is processed and the committed offset reaches the end.
import { App } from '@decanter/consumer-core';
import { Producer } from '@decanter/producer';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { virtualPartitions } from '@decanter/virtual-partitions';
import { Kafka, logLevel } from 'kafkajs';
import { baseKafka, committed, disconnectProducer, gaps, processed, produce, vpMarkingConsumer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('the poison message goes to the DLQ with its source headers; the rest is processed', async () => {
  const topic = await createTopic('vp-dlq');
  const dlq = await createTopic('vp-dlq-target');
  topics.push(topic, dlq);
  const count = 120;
  await produce(topic, Array.from({ length: count }, (_, n) => ({ key: `k${n % 5}`, payload: { n, poison: n === 42 } })));
  const group = uniqueTopicName('vp-dlq-group');
  const producer = new Producer({ kafka: { 'bootstrap.servers': brokers().join(','), 'queue.buffering.max.ms': 0 } });
  const app = new App({
    kafka: baseKafka(group),
    features: [virtualPartitions()],
    producer,
    concurrency: 2,
    maxMessages: 30,
    maxWaitTimeMs: 100,
    pauseTimeoutMs: 50,
    routes: [{ topics: [{ topic, consumer: vpMarkingConsumer, virtualPartitions: { partitioner: 'key', maxPartitions: 4 }, deadLetterQueue: { topic: dlq, maxRetries: 1 } }] }],
  });
  await app.start();
  try {
    await waitUntil('every healthy message processed and the mark at the end', async () => new Set(processed(topic).map((l) => l.offset)).size >= count - 1 && (await committed(group, topic)).offset === count, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
  } finally {
    const seen = new Set(processed(topic).map((l) => l.offset));
    console.log(`vp dlq: missing ${JSON.stringify(Array.from({ length: count }, (_, i) => i).filter((o) => !seen.has(o)))}, committed ${JSON.stringify(await committed(group, topic))}`);
    await app.stop();
    await producer.close();
  }
  expect({ gaps: gaps(processed(topic), count) }).toEqual({ gaps: [42] });
  const reader = new Kafka({ clientId: 'vp-dlq-reader', brokers: brokers(), logLevel: logLevel.NOTHING }).consumer({ groupId: uniqueTopicName('vp-dlq-reader') });
  const received: Array<Record<string, string>> = [];
  await reader.connect();
  await reader.subscribe({ topics: [dlq], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      received.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
    },
  });
  try {
    await waitUntil('the DLQ copy', () => received.length >= 1, { timeoutMs: 20_000 });
  } finally {
    await reader.disconnect();
  }
  expect({ 'exactly the poison message, with its source': received.map((h) => [h['source_topic'], h['source_offset'], h['error_message']]) }).toEqual({
    'exactly the poison message, with its source': [[topic, '42', 'poison 42']],
  });
}, 90_000);
