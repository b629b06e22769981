// Claim: an App routed to a topic with messages already in it consumes every message of every
// partition exactly once from the earliest offset, in worker threads, and commits them.
import { createTopic, deleteTopics, disconnectSharedAdmin, sharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('every message is consumed once from earliest and committed', async () => {
  const topic = await createTopic('cc-earliest', { partitions: 3 });
  topics.push(topic);
  await produce(topic, spread(300, 3));
  const group = uniqueTopicName('cc-earliest-group');
  const app = new App({
    kafka: baseKafka(group),
    concurrency: 2,
    maxMessages: 50,
    maxWaitTimeMs: 200,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  await app.start();
  try {
    await waitUntil('300 processed messages', () => processed(topic).length >= 300, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  const lines = processed(topic);
  expect(lines).toHaveLength(300);
  expect(new Set(lines.map((l) => l.n)).size).toBe(300);
  const offsets = await (await sharedAdmin()).fetchOffsets({ groupId: group, topics: [topic] });
  const committed = offsets[0]!.partitions.map((p) => Number(p.offset)).sort();
  expect(committed).toEqual([100, 100, 100]);
});
