// Claim: a consumer steers its partition by throwing. A RetryLaterError pauses the partition for
// its delay and restarts at the first unmarked message without counting a failure (this.attempt
// stays 1, the DLQ's maxRetries is not consumed, nothing on error.occurred). An UnrecoverableError
// sends the first unmarked message to the route's dead letter queue at its first failure,
// although maxRetries allows three retries. Nothing else is skipped, the order holds, and the
// committed offset passes the end.
import { join } from 'node:path';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, topicMessageCount, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, DLQ_HEADERS, type PartitionPausedEvent } from '@decanter/consumer-core';
import { Producer } from '@decanter/producer';
import { baseKafka, committedOffsets, processed } from './support';
import { disconnectRawProducer, produceRaw, readAll } from './flow-support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectRawProducer();
  await disconnectSharedAdmin();
});

test('RetryLaterError pauses without counting a failure; UnrecoverableError goes to the DLQ at once', async () => {
  const topic = await createTopic('cc-steer', { partitions: 1 });
  const dlq = await createTopic('cc-steer-dlq', { partitions: 1 });
  topics.push(topic, dlq);
  await produceRaw(
    topic,
    Array.from({ length: 8 }, (_, n) => ({ partition: 0, key: `k${n}`, value: JSON.stringify({ n, later: n === 2, broken: n === 5 }) })),
  );
  const group = uniqueTopicName('cc-steer-group');
  const producer = new Producer({ kafka: { 'bootstrap.servers': brokers().join(','), 'queue.buffering.max.ms': 1 } });
  const app = new App({
    kafka: { ...baseKafka(group), 'auto.commit.interval.ms': 200 },
    concurrency: 2,
    maxMessages: 20,
    maxWaitTimeMs: 50,
    pauseTimeoutMs: 50,
    producer,
    routes: [
      {
        topics: [
          {
            topic,
            consumer: { module: join(__dirname, 'fixtures', 'failing-consumer'), export: 'SteeringConsumer' },
            deadLetterQueue: { topic: dlq, maxRetries: 3 },
          },
        ],
      },
    ],
  });
  const paused: Array<PartitionPausedEvent & { at: number }> = [];
  const resumed: Array<PartitionPausedEvent & { at: number }> = [];
  const errors: string[] = [];
  app.on('partition.paused', (e) => paused.push({ ...e, at: Date.now() }));
  app.on('partition.resumed', (e) => resumed.push({ ...e, at: Date.now() }));
  app.on('error.occurred', (e) => errors.push(`${e.type}: ${e.error.message}`));
  await app.start();
  try {
    await waitUntil('7 processed messages', () => processed(topic).length >= 7, { timeoutMs: 30_000 });
    await waitUntil('committed past the end', async () => (await committedOffsets(group, topic))[0] === 8, { timeoutMs: 15_000 });
  } finally {
    await app.stop();
    await producer.close();
  }
  // every message but the unrecoverable one, once each, in order
  expect((processed(topic) as unknown as Array<{ offset: number }>).map((l) => l.offset)).toEqual([0, 1, 2, 3, 4, 6, 7]);
  // two "later"s, each a pause of 400 ms at the message, then the DLQ's skip past offset 5
  expect(paused.map((p) => [p.reason, p.offset, p.timeoutMs])).toEqual([
    ['retry', 2, 400],
    ['retry', 2, 400],
    ['dlq', 6, 0],
  ]);
  const retryResumes = resumed.filter((r) => r.reason === 'retry');
  expect(retryResumes).toHaveLength(2);
  retryResumes.forEach((r, i) => expect(r.at - paused[i]!.at).toBeGreaterThanOrEqual(390));
  // no run counted as a retry: the "later"s are not failures, the unrecoverable one had no retry
  const runs = processed(`${topic}.runs`) as unknown as Array<{ attempt: number }>;
  expect(runs.map((r) => r.attempt).every((a) => a === 1)).toBe(true);
  expect(errors.filter((e) => /not yet/.test(e))).toEqual([]);
  expect(errors.filter((e) => e.startsWith('consumer.consume.error') && /can never be handled/.test(e))).toHaveLength(1);
  // exactly the unrecoverable message went to the DLQ, after one run
  expect(await topicMessageCount(dlq)).toBe(1);
  const [copy] = await readAll(dlq, 1);
  expect(copy!.key).toBe('k5');
  expect(copy!.headers).toMatchObject({
    [DLQ_HEADERS.offset]: '5',
    [DLQ_HEADERS.attempts]: '1',
    [DLQ_HEADERS.errorClass]: 'UnrecoverableError',
    [DLQ_HEADERS.errorMessage]: 'message 5 can never be handled',
  });
});
