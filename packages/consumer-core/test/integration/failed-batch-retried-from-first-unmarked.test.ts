// Claim: when consume() throws in the middle of a batch, only that partition is paused; it is
// retried from the first message that was not marked, so nothing is skipped and what was marked
// before the failure is not processed again; the committed offset never passes the failed
// message until it was processed.
import { join } from 'node:path';
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, type ErrorOccurredEvent, type OffsetEntry } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('a failing batch restarts at its first unmarked message', async () => {
  const topic = await createTopic('cc-retry', { partitions: 2 });
  topics.push(topic);
  // partition 0: offset 5 fails once; partition 1 keeps flowing
  await produce(topic, Array.from({ length: 20 }, (_, n) => ({ partition: 0, payload: { n, fail: n === 5 } })));
  await produce(topic, Array.from({ length: 20 }, (_, n) => ({ partition: 1, payload: { n: 100 + n } })));
  const app = new App({
    kafka: { ...baseKafka(uniqueTopicName('cc-retry-group')), 'auto.commit.interval.ms': 100 },
    concurrency: 2,
    maxMessages: 10,
    maxWaitTimeMs: 100,
    pauseTimeoutMs: 300,
    routes: [
      {
        topics: [
          { topic, consumer: { module: join(__dirname, 'fixtures', 'flaky-consumer'), export: 'FlakyConsumer' }, manualOffsetManagement: true },
        ],
      },
    ],
  });
  const errors: ErrorOccurredEvent[] = [];
  const commits: OffsetEntry[] = [];
  app.on('error.occurred', (e) => errors.push(e));
  app.on('offsets.committed', (e) => commits.push(...e.offsets));
  await app.start();
  try {
    await waitUntil('40 processed messages', () => processed(topic).length >= 40, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  const lines = processed(topic);
  const p0 = lines.filter((l) => l.partition === 0).map((l) => l.offset);
  // every offset exactly once: 0-4 before the failure (marked, not redone), then 5.. on retry
  expect(p0).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(lines.filter((l) => l.partition === 1)).toHaveLength(20);
  expect(errors.map((e) => [e.type, e.partition, e.offset])).toEqual([['consumer.consume.error', 0, 5]]);
  // before offset 5 was processed, no commit of partition 0 went past it
  const p0Commits = commits.filter((c) => c.partition === 0).map((c) => c.offset);
  expect(p0Commits[p0Commits.length - 1]).toBe(20);
  expect(p0Commits.filter((o) => o > 5 && o < 20).every((o) => o >= 6)).toBe(true);
  expect(processed(`${topic}.hooks`).map((h) => (h as unknown as { hook: string }).hook)).toEqual(['shutdown', 'shutdown']);
});
