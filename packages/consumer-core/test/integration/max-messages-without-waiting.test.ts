// Claim: when maxMessages messages are buffered, a poll hands them out at once without waiting
// for maxWaitTimeMs: 100 waiting messages with maxMessages 10 and maxWaitTimeMs 60 s go out as ten
// batches of exactly 10, long before a single max_wait_time could have elapsed.
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, type PolledEvent } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('full batches of maxMessages go out without waiting for maxWaitTimeMs', async () => {
  const topic = await createTopic('cc-max-messages', { partitions: 1 });
  topics.push(topic);
  await produce(topic, spread(100, 1));
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-max-messages-group')),
    concurrency: 1,
    maxMessages: 10,
    maxWaitTimeMs: 60_000,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  const polls: PolledEvent[] = [];
  app.on('poll.completed', (e) => (e.messages > 0 ? polls.push(e) : undefined));
  await app.start();
  try {
    // one max_wait_time alone is 60 s; the whole topic must be done well before that
    await waitUntil('100 processed messages', () => processed(topic).length >= 100, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  const sizes = [...new Set(processed(topic).map((l) => `${l.batchNo}:${l.batchSize}`))].map((s) => Number(s.split(':')[1]));
  expect(sizes).toEqual(Array.from({ length: 10 }, () => 10));
  expect(polls.map((p) => p.messages)).toEqual(Array.from({ length: 10 }, () => 10));
  expect(Math.max(...polls.map((p) => p.durationMs))).toBeLessThan(30_000);
});
