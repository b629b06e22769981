// Claim: with enable.partition.eof, a poll hands out a partition's messages as soon as it has
// reached the end of the partition, without waiting for max_wait_time (here 60 s).
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, type PolledEvent } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('end of partition: the batch goes out without waiting', async () => {
  const topic = await createTopic('cc-eof', { partitions: 1 });
  topics.push(topic);
  await produce(topic, spread(5, 1));
  const app = new App({
    kafka: { ...baseKafka(uniqueTopicName('cc-eof-group')), 'enable.partition.eof': true },
    concurrency: 1,
    maxMessages: 1000,
    maxWaitTimeMs: 60_000,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  const polls: PolledEvent[] = [];
  app.on('poll.completed', (e) => (e.messages > 0 ? polls.push(e) : undefined));
  await app.start();
  try {
    await waitUntil('5 processed messages', () => processed(topic).length >= 5, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  expect(processed(topic).map((l) => l.n)).toEqual([0, 1, 2, 3, 4]);
  expect(polls[0]!.durationMs).toBeLessThan(30_000);
});
