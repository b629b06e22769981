// Claim: a message whose payload cannot be deserialized takes the same path as any failure: with
// deadLetterQueue { maxRetries: 0 } it goes to the DLQ at its first failure (error class
// SyntaxError in the headers), with no retry and no backoff; the listener never crashes and the
// messages after it are consumed.
import { createTopic, deleteTopics, disconnectSharedAdmin, topicMessageCount, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { DLQ_HEADERS, type ErrorOccurredEvent, type PartitionPausedEvent } from '@decanter/consumer-core';
import { processed } from './support';
import { deadLetterApp, disconnectRawProducer, produceRaw, readAll } from './flow-support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectRawProducer();
  await disconnectSharedAdmin();
});

test('an undeserializable message goes straight to the DLQ with maxRetries 0', async () => {
  const topic = await createTopic('cc-deser', { partitions: 1 });
  const dlq = await createTopic('cc-deser-dlq', { partitions: 1 });
  topics.push(topic, dlq);
  await produceRaw(topic, [
    ...Array.from({ length: 3 }, (_, n) => ({ partition: 0, value: JSON.stringify({ n }) })),
    { partition: 0, key: 'broken', value: '{"n": 3, oops' },
    ...Array.from({ length: 3 }, (_, n) => ({ partition: 0, value: JSON.stringify({ n: 4 + n }) })),
  ]);
  const { app, producer } = deadLetterApp({
    group: uniqueTopicName('cc-deser-group'),
    topic,
    dlq,
    consumer: 'MarkingFailingConsumer',
    maxRetries: 0,
    options: {
      concurrency: 1,
      maxMessages: 100,
      pauseTimeoutMs: 60_000, // a retry would wait a minute: the test would time out
      pauseMaxTimeoutMs: 60_000,
    },
  });
  const errors: ErrorOccurredEvent[] = [];
  const pauses: PartitionPausedEvent[] = [];
  app.on('error.occurred', (e) => errors.push(e));
  app.on('partition.paused', (e) => pauses.push(e));
  await app.start();
  try {
    await waitUntil('6 processed messages', () => processed(topic).length >= 6, { timeoutMs: 20_000 });
  } finally {
    await app.stop();
    await producer.close();
  }
  expect((processed(topic) as unknown as Array<{ offset: number }>).map((l) => l.offset)).toEqual([0, 1, 2, 4, 5, 6]);
  expect(await topicMessageCount(dlq)).toBe(1);
  const [copy] = await readAll(dlq, 1);
  expect(copy).toMatchObject({ key: 'broken', value: '{"n": 3, oops' });
  expect(copy!.headers[DLQ_HEADERS.offset]).toBe('3');
  expect(copy!.headers[DLQ_HEADERS.attempts]).toBe('1');
  expect(copy!.headers[DLQ_HEADERS.errorClass]).toBe('SyntaxError');
  expect(errors.map((e) => e.type)).toEqual(['consumer.consume.error']);
  expect(pauses.map((p) => [p.reason, p.offset, p.timeoutMs])).toEqual([['dlq', 4, 0]]);
});
