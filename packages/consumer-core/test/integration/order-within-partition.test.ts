// Claim: within a partition, messages are processed in offset order (and so in produce order),
// across batches and polls, while several partitions are processed in parallel.
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('offsets of each partition are processed strictly in order', async () => {
  const topic = await createTopic('cc-order', { partitions: 3 });
  topics.push(topic);
  // produced in several sends so batches and polls cut the stream in different places
  for (let i = 0; i < 5; i++) await produce(topic, spread(120, 3).map((m) => ({ ...m, payload: { n: i * 120 + m.payload.n } })));
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-order-group')),
    concurrency: 3,
    maxMessages: 7,
    maxWaitTimeMs: 50,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  await app.start();
  try {
    await waitUntil('600 processed messages', () => processed(topic).length >= 600, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  const lines = processed(topic);
  for (const p of [0, 1, 2]) {
    const mine = lines.filter((l) => l.partition === p);
    expect(mine.map((l) => l.offset)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const ns = mine.map((l) => l.n);
    expect(ns).toEqual([...ns].sort((a, b) => a - b));
  }
});
