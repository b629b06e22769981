// Claim: polls are blocking per subscription group: the next poll of a group is not handed out
// until every job of its previous poll finished, so one slow partition holds back the group's
// fast partition; a second subscription group is not held back by the first one.
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

interface Seen {
  at: number;
  kind: 'consume' | 'consumed';
  /** Number of the group's non-empty poll the job belongs to. */
  poll: number;
  subscriptionGroup: string;
  topic?: string;
  partition?: number;
}

test('a slow job holds back its own group only', async () => {
  const slowTopic = await createTopic('cc-blocking', { partitions: 2 });
  const otherTopic = await createTopic('cc-blocking-other', { partitions: 1 });
  topics.push(slowTopic, otherTopic);
  // partition 0: one message taking 3 s; partition 1: 30 fast messages (several polls of 5)
  await produce(slowTopic, [{ partition: 0, payload: { n: 0, sleepMs: 3000 } }]);
  await produce(slowTopic, Array.from({ length: 30 }, (_, i) => ({ partition: 1, payload: { n: i + 1 } })));
  // the other group's 30 messages take 100 ms each (about 3 s in all), so its work overlaps the slow
  // job whichever group joins first — with instant messages it could finish before the slow job starts
  await produce(otherTopic, Array.from({ length: 30 }, (_, i) => ({ partition: 0, payload: { n: i, sleepMs: 100 } })));
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-blocking-group')),
    concurrency: 3,
    maxMessages: 5,
    maxWaitTimeMs: 300,
    routes: [
      {
        topics: [
          { topic: slowTopic, consumer: recordingConsumer },
          { topic: otherTopic, consumer: recordingConsumer, subscriptionGroup: 'other' },
        ],
      },
    ],
  });
  const seen: Seen[] = [];
  let inFlight = 0;
  let poll = 0;
  const inFlightAtPoll: number[] = [];
  app.on('poll.completed', (e) => {
    if (e.subscriptionGroup === 'default' && e.messages > 0) poll += 1;
  });
  app.on('poll.started', (e) => {
    if (e.subscriptionGroup === 'default') inFlightAtPoll.push(inFlight);
  });
  app.on('consumer.consume', (e) => {
    if (e.subscriptionGroup === 'default') inFlight += 1;
    seen.push({ at: Date.now(), kind: 'consume', poll, subscriptionGroup: e.subscriptionGroup, topic: e.topic, partition: e.partition });
  });
  app.on('consumer.consumed', (e) => {
    if (e.subscriptionGroup === 'default') inFlight -= 1;
    seen.push({ at: Date.now(), kind: 'consumed', poll, subscriptionGroup: e.subscriptionGroup, topic: e.topic, partition: e.partition });
  });
  await app.start();
  try {
    await waitUntil('all 61 messages processed', () => processed(slowTopic).length + processed(otherTopic).length >= 61, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  // no poll of the group started while a job of its previous poll was still running
  expect(inFlightAtPoll.length).toBeGreaterThan(1);
  expect(inFlightAtPoll.every((n) => n === 0)).toBe(true);

  const slowStart = seen.find((s) => s.kind === 'consume' && s.topic === slowTopic && s.partition === 0)!;
  const slowEnd = seen.find((s) => s.kind === 'consumed' && s.topic === slowTopic && s.partition === 0)!;
  // the fast partition's jobs of later polls started only once the slow job had finished …
  const fastLater = seen.filter((s) => s.kind === 'consume' && s.topic === slowTopic && s.partition === 1 && s.poll > slowStart.poll);
  expect(fastLater.length).toBeGreaterThan(0);
  for (const s of fastLater) expect(s.at).toBeGreaterThanOrEqual(slowEnd.at);
  // the other subscription group kept going meanwhile
  const otherDuring = seen.filter((s) => s.kind === 'consume' && s.topic === otherTopic && s.at > slowStart.at && s.at < slowEnd.at);
  expect(otherDuring.length).toBeGreaterThan(0);
});
