// Claim: when a worker thread dies mid-job (process.exit inside consume()), the job's batch is
// retried after the backoff on a NEW thread (piscina replaces the dead one), nothing is lost,
// the other partition keeps flowing, and the death is reported as a worker.error.
import { join } from 'node:path';
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, type ErrorOccurredEvent } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, gaps, processed, produce } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('a worker thread killed mid-job: batch retried on a new thread, nothing lost', async () => {
  const topic = await createTopic('cc-die', { partitions: 2 });
  topics.push(topic);
  await produce(topic, Array.from({ length: 20 }, (_, n) => ({ partition: 0, payload: { n, die: n === 7 } as never })));
  await produce(topic, Array.from({ length: 20 }, (_, n) => ({ partition: 1, payload: { n: 100 + n } })));
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-die-group')),
    concurrency: 2,
    maxMessages: 40,
    maxWaitTimeMs: 100,
    pauseTimeoutMs: 200,
    routes: [{ topics: [{ topic, consumer: { module: join(__dirname, 'fixtures', 'failing-consumer'), export: 'DyingConsumer' } }] }],
  });
  const errors: ErrorOccurredEvent[] = [];
  app.on('error.occurred', (e) => errors.push(e));
  await app.start();
  try {
    await waitUntil('40 processed messages', () => new Set(processed(topic).map((l) => `${l.partition}/${l.offset}`)).size >= 40, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  const lines = processed(topic);
  expect(gaps(lines, { 0: 20, 1: 20 })).toEqual({});
  const runs = processed(`${topic}.runs`) as unknown as Array<{ partition: number; threadId: number; attempt: number; died: boolean }>;
  const died = runs.filter((r) => r.died);
  expect(died).toHaveLength(1);
  // the retry ran on a replacement thread, as attempt 2
  const after = runs.filter((r, i) => i > runs.indexOf(died[0]!) && r.partition === died[0]!.partition);
  expect(after[0]!.attempt).toBe(2);
  expect(after[0]!.threadId).not.toBe(died[0]!.threadId);
  expect(errors.map((e) => [e.type, e.partition])).toEqual([['worker.error', 0]]);
});
