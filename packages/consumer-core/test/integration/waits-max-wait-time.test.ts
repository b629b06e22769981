// Claim: when fewer than maxMessages messages arrive, a poll waits about maxWaitTimeMs and then
// hands out what it has as one batch (it neither returns each message alone nor waits forever).
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, type PolledEvent } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('too few messages: one batch after about maxWaitTimeMs', async () => {
  const topic = await createTopic('cc-max-wait', { partitions: 1 });
  topics.push(topic);
  await produce(topic, spread(5, 1));
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-max-wait-group')),
    concurrency: 1,
    maxMessages: 1000,
    maxWaitTimeMs: 1500,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  const polls: PolledEvent[] = [];
  app.on('poll.completed', (e) => polls.push(e));
  await app.start();
  let beforeStop: PolledEvent[] = [];
  try {
    await waitUntil('5 processed messages', () => processed(topic).length >= 5, { timeoutMs: 30_000 });
    await waitUntil('one more (empty) poll', () => polls.length >= 2, { timeoutMs: 10_000 });
    beforeStop = [...polls]; // stop() cuts the poll in progress short on purpose
  } finally {
    await app.stop();
  }
  const lines = processed(topic);
  expect(lines.map((l) => l.batchSize)).toEqual([5, 5, 5, 5, 5]);
  const handedOut = polls.filter((p) => p.messages > 0);
  expect(handedOut).toHaveLength(1);
  // a poll that is not full cannot end before its deadline; the upper bound is loose (shared machine)
  expect(handedOut[0]!.durationMs).toBeGreaterThanOrEqual(1400);
  expect(handedOut[0]!.durationMs).toBeLessThan(10_000);
  // empty polls also last maxWaitTimeMs
  for (const p of beforeStop) expect(p.durationMs).toBeGreaterThanOrEqual(1400);
});
