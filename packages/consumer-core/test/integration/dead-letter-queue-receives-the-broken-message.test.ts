// Claim: with deadLetterQueue { maxRetries: 2 }, a message that keeps failing is run 1 + 2 times,
// then produced to the DLQ topic — exactly that message, with its key, payload and headers plus
// source topic/partition/offset/consumer group/attempts/error class/error message headers — is
// marked, and consumption goes on after it (the partition's committed offset passes it).
import { createTopic, deleteTopics, disconnectSharedAdmin, topicMessageCount, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { DLQ_HEADERS, type DeadLetteredEvent } from '@decanter/consumer-core';
import { baseKafka, committedOffsets, processed } from './support';
import { deadLetterApp, disconnectRawProducer, produceRaw, readAll } from './flow-support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectRawProducer();
  await disconnectSharedAdmin();
});

test('the DLQ receives exactly the broken message after 1 + maxRetries attempts, with its headers', async () => {
  const topic = await createTopic('cc-dlq', { partitions: 2 });
  const dlq = await createTopic('cc-dlq-target', { partitions: 1 });
  topics.push(topic, dlq);
  await produceRaw(
    topic,
    Array.from({ length: 10 }, (_, n) => ({
      partition: 0,
      key: `k${n}`,
      value: JSON.stringify({ n, fail: n === 4 }),
      headers: { origin: `test-${n}` },
    })),
  );
  await produceRaw(topic, Array.from({ length: 10 }, (_, n) => ({ partition: 1, value: JSON.stringify({ n: 100 + n }) })));
  const group = uniqueTopicName('cc-dlq-group');
  const { app, producer } = deadLetterApp({
    group,
    topic,
    dlq,
    consumer: 'MarkingFailingConsumer',
    maxRetries: 2,
    options: { kafka: { ...baseKafka(group), 'auto.commit.interval.ms': 200 }, concurrency: 2, maxMessages: 20, pauseTimeoutMs: 50 },
  });
  const dispatched: DeadLetteredEvent[] = [];
  app.on('dlq.dispatched', (e) => dispatched.push(e));
  await app.start();
  try {
    await waitUntil('19 processed messages', () => processed(topic).length >= 19, { timeoutMs: 30_000 });
    await waitUntil('partition 0 committed past the broken message', async () => (await committedOffsets(group, topic))[0] === 10, { timeoutMs: 15_000 });
  } finally {
    await app.stop();
    await producer.close();
  }
  // exactly the broken message went to the DLQ, once
  expect(await topicMessageCount(dlq)).toBe(1);
  const [copy] = await readAll(dlq, 1);
  expect(copy!.key).toBe('k4');
  expect(JSON.parse(copy!.value!)).toEqual({ n: 4, fail: true });
  expect(copy!.headers).toEqual({
    origin: 'test-4',
    [DLQ_HEADERS.topic]: topic,
    [DLQ_HEADERS.partition]: '0',
    [DLQ_HEADERS.offset]: '4',
    [DLQ_HEADERS.consumerGroup]: group,
    [DLQ_HEADERS.attempts]: '3',
    [DLQ_HEADERS.errorClass]: 'TypeError',
    [DLQ_HEADERS.errorMessage]: 'cannot handle 4',
  });
  // it ran 1 + maxRetries times; the others were processed exactly once, in order
  // (the first run of the broken message may have started at an earlier offset of its batch)
  const p0Runs = (processed(`${topic}.runs`) as unknown as Array<{ partition: number; first: number; attempt: number }>).filter((r) => r.partition === 0);
  const runsOn4 = p0Runs.filter((r, i) => r.first <= 4 && (r.attempt > 1 || p0Runs.slice(i + 1).some((x) => x.first === 4 && x.attempt === 2)));
  expect(runsOn4.map((r) => r.attempt)).toEqual([1, 2, 3]);
  expect(runsOn4.slice(1).map((r) => r.first)).toEqual([4, 4]);
  expect(p0Runs.filter((r) => r.first === 5)).toHaveLength(1);
  const p0 = (processed(topic) as unknown as Array<{ partition: number; offset: number }>).filter((l) => l.partition === 0).map((l) => l.offset);
  expect(p0).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
  expect(dispatched.map((d) => [d.partition, d.offset, d.attempts, d.deadLetterTopic])).toEqual([[0, 4, 3, dlq]]);
});
