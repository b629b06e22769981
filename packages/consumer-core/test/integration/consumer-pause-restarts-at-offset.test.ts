// Claim: a consumer's `pause(offset, timeoutMs)` stops its partition for about timeoutMs and then
// restarts it exactly at `offset` (nothing skipped, nothing before it repeated); other
// partitions keep flowing meanwhile.
import { join } from 'node:path';
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, type PartitionPausedEvent } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('pause(offset, 700) restarts the partition at offset after ~700 ms', async () => {
  const topic = await createTopic('cc-pause', { partitions: 2 });
  topics.push(topic);
  await produce(topic, Array.from({ length: 10 }, (_, n) => ({ partition: 0, payload: { n, fail: n === 4 } })));
  await produce(topic, Array.from({ length: 10 }, (_, n) => ({ partition: 1, payload: { n: 100 + n } })));
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-pause-group')),
    concurrency: 2,
    maxMessages: 100,
    maxWaitTimeMs: 100,
    routes: [
      {
        topics: [{ topic, consumer: { module: join(__dirname, 'fixtures', 'pausing-consumer'), export: 'PausingConsumer' }, manualOffsetManagement: true }],
      },
    ],
  });
  const paused: PartitionPausedEvent[] = [];
  const resumed: PartitionPausedEvent[] = [];
  app.on('partition.paused', (e) => paused.push(e));
  app.on('partition.resumed', (e) => resumed.push(e));
  await app.start();
  try {
    await waitUntil('20 processed messages', () => processed(topic).length >= 20, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  const lines = processed(topic) as unknown as Array<{ partition: number; offset: number; at: number }>;
  const p0 = lines.filter((l) => l.partition === 0);
  expect(p0.map((l) => l.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(p0[4]!.at - p0[3]!.at).toBeGreaterThanOrEqual(600);
  expect(lines.filter((l) => l.partition === 1)).toHaveLength(10);
  expect(paused.map((e) => [e.partition, e.offset, e.timeoutMs, e.reason])).toEqual([[0, 4, 700, 'request']]);
  expect(resumed).toHaveLength(1);
});
