// Claim: jobs of different partitions run on different worker threads, and each partition sticks
// to one thread (its consumer instance lives there): 4 partitions on concurrency 2 use both
// threads, and every partition's messages were all processed by a single thread.
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('partitions spread over threads, one thread per partition', async () => {
  const topic = await createTopic('cc-threads', { partitions: 4 });
  topics.push(topic);
  await produce(topic, spread(400, 4));
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-threads-group')),
    concurrency: 2,
    maxMessages: 20,
    maxWaitTimeMs: 100,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  await app.start();
  try {
    await waitUntil('400 processed messages', () => processed(topic).length >= 400, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  const lines = processed(topic);
  const threadsOf = (p: number): Set<number> => new Set(lines.filter((l) => l.partition === p).map((l) => l.threadId));
  for (const p of [0, 1, 2, 3]) expect(threadsOf(p).size).toBe(1);
  expect(new Set(lines.map((l) => l.threadId)).size).toBe(2);
  expect(lines.every((l) => l.threadId !== 0)).toBe(true); // 0 is the main thread
});
