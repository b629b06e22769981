// Claim: a consumer steers its partition by throwing. A RetryLaterError pauses the partition for
// its delay and restarts at the first unmarked message without counting a failure (after one
// ordinary failure, this.attempt stays 2 through the "later"s; nothing of them on
// error.occurred). An UnrecoverableError naming its offset sends that message to the route's
// dead letter queue at its first failure, although maxRetries allows three retries, and the
// messages before it count as done although the consumer marked nothing. Nothing else is
// skipped or processed twice, the order holds, and the committed offsets pass the end.
import { createTopic, deleteTopics, disconnectSharedAdmin, topicMessageCount, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { DLQ_HEADERS, type PartitionPausedEvent } from '@decanter/consumer-core';
import { baseKafka, committedOffsets, processed } from './support';
import { deadLetterApp, disconnectRawProducer, produceRaw, readAll } from './flow-support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectRawProducer();
  await disconnectSharedAdmin();
});

test('RetryLaterError pauses without counting a failure; UnrecoverableError goes to the DLQ at once', async () => {
  const topic = await createTopic('cc-steer', { partitions: 2 });
  const dlq = await createTopic('cc-steer-dlq', { partitions: 1 });
  topics.push(topic, dlq);
  // partition 0: a message that fails once, then asks twice to be retried later; partition 1: a broken one
  await produceRaw(topic, Array.from({ length: 8 }, (_, n) => ({ partition: 0, key: `a${n}`, value: JSON.stringify({ n, later: n === 2 }) })));
  await produceRaw(topic, Array.from({ length: 8 }, (_, n) => ({ partition: 1, key: `b${n}`, value: JSON.stringify({ n, broken: n === 5 }) })));
  const group = uniqueTopicName('cc-steer-group');
  const { app, producer } = deadLetterApp({
    group,
    topic,
    dlq,
    consumer: 'SteeringConsumer',
    maxRetries: 3,
    options: { kafka: { ...baseKafka(group), 'auto.commit.interval.ms': 200 }, concurrency: 2, maxMessages: 20, pauseTimeoutMs: 50 },
  });
  const paused: Array<PartitionPausedEvent & { at: number }> = [];
  const resumed: Array<PartitionPausedEvent & { at: number }> = [];
  const errors: string[] = [];
  app.on('partition.paused', (e) => paused.push({ ...e, at: Date.now() }));
  app.on('partition.resumed', (e) => resumed.push({ ...e, at: Date.now() }));
  app.on('error.occurred', (e) => errors.push(`${e.type}: ${e.error.message}`));
  await app.start();
  try {
    await waitUntil('15 processed messages', () => processed(topic).length >= 15, { timeoutMs: 30_000 });
    await waitUntil('committed past the end', async () => {
      const committed = await committedOffsets(group, topic);
      return committed[0] === 8 && committed[1] === 8;
    }, { timeoutMs: 15_000 });
  } finally {
    await app.stop();
    await producer.close();
  }
  const lines = processed(topic) as unknown as Array<{ partition: number; offset: number }>;
  const runs = processed(`${topic}.runs`) as unknown as Array<{ partition: number; first: number; attempt: number }>;
  const on = (p: number) => ({
    offsets: lines.filter((l) => l.partition === p).map((l) => l.offset),
    pauses: paused.filter((e) => e.partition === p),
    attempts: runs.filter((r) => r.partition === p).map((r) => r.attempt),
  });

  // partition 0: every message once, in order; a backoff after the TypeError, then two pauses of
  // 400 ms for the "later"s, which kept the failure count at 1 (so the runs were attempt 2)
  const p0 = on(0);
  expect(p0.offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(p0.pauses.map((e) => [e.reason, e.offset, e.timeoutMs, e.attempt])).toEqual([
    ['error', 2, 50, 1],
    ['retry', 2, 400, 1],
    ['retry', 2, 400, 1],
  ]);
  // (the first fetch may have split the partition into two batches: both run as attempt 1)
  expect(p0.attempts.filter((a) => a > 1)).toEqual([2, 2, 2]);
  const retryResumes = resumed.filter((r) => r.partition === 0 && r.reason === 'retry');
  expect(retryResumes).toHaveLength(2);
  retryResumes.forEach((r, i) => expect(r.at - p0.pauses[i + 1]!.at).toBeGreaterThanOrEqual(390));
  expect(errors.filter((e) => /not yet/.test(e))).toEqual([]);
  expect(errors.filter((e) => e.startsWith('consumer.consume.error') && /flaky at 2/.test(e))).toHaveLength(1);

  // partition 1: the broken message went to the DLQ after one run, and the partition went on
  // after it; the messages before it, processed but never marked, were not processed again
  const p1 = on(1);
  expect(p1.offsets).toEqual([0, 1, 2, 3, 4, 6, 7]);
  expect(p1.pauses.map((e) => [e.reason, e.offset])).toEqual([['dlq', 6]]);
  expect(p1.attempts.every((a) => a === 1)).toBe(true);
  expect(errors.filter((e) => e.startsWith('consumer.consume.error') && /can never be handled/.test(e))).toHaveLength(1);
  expect(await topicMessageCount(dlq)).toBe(1);
  const [copy] = await readAll(dlq, 1);
  expect(copy!.key).toBe('b5');
  expect(copy!.headers).toMatchObject({
    [DLQ_HEADERS.partition]: '1',
    [DLQ_HEADERS.offset]: '5',
    [DLQ_HEADERS.attempts]: '1',
    [DLQ_HEADERS.errorClass]: 'UnrecoverableError',
    [DLQ_HEADERS.errorMessage]: 'message 5 can never be handled',
  });
});
