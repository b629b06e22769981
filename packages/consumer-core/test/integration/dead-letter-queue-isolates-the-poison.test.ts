// Claim (issue 16, "healthy messages dead-lettered"): a consumer that never calls markAsConsumed
// and fails on one poison message of a batch of 20 gets exactly the poison sent to the DLQ — with
// its key, payload, own headers and the source headers — not the batch's first (healthy) message:
// once the batch exhausted 1 + maxRetries runs, its halves run as their own jobs (the partition
// restarts right after each part, `partition.paused` reason `isolation`) until the poison is
// alone; it is sent after failing alone 1 + maxRetries times and `dlq.dispatched` says it was
// isolated. Every other message succeeds in exactly one job, and the committed offset ends past
// the batch.
import {
  createTopic,
  deleteTopics,
  disconnectSharedAdmin,
  topicMessageCount,
  uniqueTopicName,
  waitUntil,
} from '@decanter/test-helpers';
import { DLQ_HEADERS, type DeadLetteredEvent, type PartitionPausedEvent } from '@decanter/consumer-core';
import { baseKafka, committedOffsets, processed } from './support';
import { deadLetterApp, disconnectRawProducer, produceRaw, readAll } from './flow-support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectRawProducer();
  await disconnectSharedAdmin();
});

test('only the poison of a batch that marks nothing reaches the DLQ; the rest is processed once and committed', async () => {
  const topic = await createTopic('cc-isolate', { partitions: 1 });
  const dlq = await createTopic('cc-isolate-dlq', { partitions: 1 });
  topics.push(topic, dlq);
  const POISON = 13;
  await produceRaw(
    topic,
    Array.from({ length: 20 }, (_, n) => ({
      partition: 0,
      key: `k${n}`,
      value: JSON.stringify({ n, fail: n === POISON }),
      headers: { origin: `test-${n}` },
    })),
  );
  const group = uniqueTopicName('cc-isolate-group');
  const { app, producer } = deadLetterApp({
    group,
    topic,
    dlq,
    consumer: 'UnmarkedFailingConsumer',
    maxRetries: 2,
    options: {
      kafka: { ...baseKafka(group), 'auto.commit.interval.ms': 200 },
      concurrency: 1,
      maxMessages: 100,
      pauseTimeoutMs: 50,
    },
  });
  const dispatched: DeadLetteredEvent[] = [];
  const pauses: PartitionPausedEvent[] = [];
  app.on('dlq.dispatched', (e) => void dispatched.push(e));
  app.on('partition.paused', (e) => void pauses.push(e));
  await app.start();
  try {
    await waitUntil('19 messages processed', () => processed(topic).length >= 19, { timeoutMs: 60_000 });
    await waitUntil(
      'the committed offset past the batch',
      async () => (await committedOffsets(group, topic))[0] === 20,
      { timeoutMs: 15_000 },
    );
  } finally {
    await app.stop();
    await producer.close();
  }

  // exactly the poison went to the DLQ, once, with its own key, payload and headers and the source headers
  expect(await topicMessageCount(dlq)).toBe(1);
  const [copy] = await readAll(dlq, 1);
  expect(copy!.key).toBe(`k${POISON}`);
  expect(JSON.parse(copy!.value!)).toEqual({ n: POISON, fail: true });
  expect(copy!.headers).toEqual({
    origin: `test-${POISON}`,
    [DLQ_HEADERS.topic]: topic,
    [DLQ_HEADERS.partition]: '0',
    [DLQ_HEADERS.offset]: String(POISON),
    [DLQ_HEADERS.consumerGroup]: group,
    [DLQ_HEADERS.attempts]: '3',
    [DLQ_HEADERS.errorClass]: 'TypeError',
    [DLQ_HEADERS.errorMessage]: `cannot handle ${POISON}`,
  });
  // the event says it was isolated from the batch (the whole fetch: one produce, one batch)
  expect(
    dispatched.map((d) => [
      d.offset,
      d.attempts,
      d.isolation?.firstOffset,
      d.isolation?.lastOffset,
      d.isolation?.messages,
    ]),
  ).toEqual([[POISON, 3, 0, 19, 20]]);
  expect(pauses.some((p) => p.reason === 'isolation' && p.timeoutMs === 0)).toBe(true);

  // every healthy message succeeded in exactly one job, in order
  const offsets = (processed(topic) as unknown as Array<{ offset: number }>).map((l) => l.offset);
  expect(offsets).toEqual(Array.from({ length: 20 }, (_, o) => o).filter((o) => o !== POISON));
  // the poison ran alone 1 + maxRetries times, and those were its last runs
  const runs = processed(`${topic}.runs`) as unknown as Array<{ first: number; last: number; ok: boolean }>;
  expect(runs.filter((r) => r.first === POISON && r.last === POISON).map((r) => r.ok)).toEqual([false, false, false]);
  // once it was sent, the rest of the batch ran as one job, right after it
  expect(runs.filter((r) => r.first > POISON).map((r) => [r.first, r.ok])).toEqual([[POISON + 1, true]]);
});
