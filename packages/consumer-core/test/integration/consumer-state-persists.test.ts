// Claim: a partition's consumer instance persists across batches: a counter kept in a field of
// RecordingConsumer goes 1, 2, 3, … over the batches of each partition (a fresh instance per batch
// would report 1 every time).
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('instance fields survive from batch to batch of a partition', async () => {
  const topic = await createTopic('cc-state', { partitions: 2 });
  topics.push(topic);
  await produce(topic, spread(100, 2));
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-state-group')),
    concurrency: 2,
    maxMessages: 10,
    maxWaitTimeMs: 100,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  await app.start();
  try {
    await waitUntil('100 processed messages', () => processed(topic).length >= 100, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  const lines = processed(topic);
  for (const p of [0, 1]) {
    const batchNos = [...new Set(lines.filter((l) => l.partition === p).map((l) => l.batchNo))];
    expect(batchNos.length).toBeGreaterThan(1);
    expect(batchNos).toEqual(Array.from({ length: batchNos.length }, (_, i) => i + 1));
  }
});
