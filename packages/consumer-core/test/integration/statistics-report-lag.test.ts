// Claim: statistics.emitted reports, per partition, the lag between the high watermark and the
// committed position: positive while a backlog is being worked off, zero once all is committed.
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, type StatisticsEvent } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('lag per partition goes from the backlog to zero', async () => {
  const topic = await createTopic('cc-stats', { partitions: 2 });
  topics.push(topic);
  await produce(topic, spread(100, 2, { sleepMs: 20 }));
  const app = new App({
    kafka: { ...baseKafka(uniqueTopicName('cc-stats-group')), 'statistics.interval.ms': 100, 'auto.commit.interval.ms': 100 },
    concurrency: 2,
    maxMessages: 10,
    maxWaitTimeMs: 100,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  const stats: StatisticsEvent[] = [];
  app.on('statistics.emitted', (e) => stats.push(e));
  const lagOf = (e: StatisticsEvent): number[] => e.subscriptionGroups[0]!.partitions.map((p) => p.lag);
  await app.start();
  try {
    await waitUntil('100 processed messages', () => processed(topic).length >= 100, { timeoutMs: 30_000 });
    await waitUntil('statistics with zero lag', () => stats.length > 0 && lagOf(stats[stats.length - 1]!).every((l) => l === 0), { timeoutMs: 10_000 });
  } finally {
    await app.stop();
  }
  expect(stats.some((e) => lagOf(e).some((l) => l > 0))).toBe(true);
  const last = stats[stats.length - 1]!.subscriptionGroups[0]!;
  expect(last.partitions.map((p) => [p.partition, p.highWatermark, p.committedOffset, p.lag]).sort()).toEqual([
    [0, 50, 50, 0],
    [1, 50, 50, 0],
  ]);
});
