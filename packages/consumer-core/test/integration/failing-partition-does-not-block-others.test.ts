// Claim: a partition whose consume() fails forever (a poison message, no DLQ) is retried with a
// backoff that starts at pause.timeout and doubles up to pause.max_timeout, while the other
// partitions of the same topic are consumed to the end; each retry restarts at the failed message
// (what was marked before it is not processed again) and sees this.attempt count up.
import { join } from 'node:path';
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, type PartitionPausedEvent } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce } from './support';

interface Run {
  partition: number;
  first: number;
  attempt: number;
  retrying: boolean;
  at: number;
}

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('a poison partition backs off exponentially to the cap while the others flow', async () => {
  const topic = await createTopic('cc-poison', { partitions: 3 });
  topics.push(topic);
  // partition 0: offsets 0-2 fine, 3 is poison, 4-9 behind it; partitions 1 and 2 are healthy
  await produce(topic, Array.from({ length: 10 }, (_, n) => ({ partition: 0, payload: { n, fail: n === 3 } })));
  for (const partition of [1, 2]) await produce(topic, Array.from({ length: 30 }, (_, n) => ({ partition, payload: { n } })));
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-poison-group')),
    concurrency: 2,
    maxMessages: 10,
    maxWaitTimeMs: 50,
    'pause.timeout': 200,
    'pause.max_timeout': 1_600,
    routes: [{ topics: [{ topic, consumer: { module: join(__dirname, 'fixtures', 'failing-consumer'), export: 'AlwaysFailingConsumer' } }] }],
  });
  const pauses: PartitionPausedEvent[] = [];
  app.on('partition.paused', (e) => pauses.push(e));
  await app.start();
  try {
    // 200+400+800+1600+1600 ms of backoff: 6 runs of the poison batch
    await waitUntil('5 retries', () => runs(topic).filter((r) => r.partition === 0 && r.first === 3 && r.attempt > 1).length >= 5, { timeoutMs: 40_000 });
    // the healthy partitions were not held back by the failing one
    const lines = processed(topic) as unknown as Array<{ partition: number; offset: number }>;
    expect(lines.filter((l) => l.partition === 1)).toHaveLength(30);
    expect(lines.filter((l) => l.partition === 2)).toHaveLength(30);
  } finally {
    await app.stop();
  }
  const p0 = runs(topic).filter((r) => r.partition === 0);
  // a poll shares maxMessages between partitions: runs before the poison one may succeed; every
  // run from the poison message on fails, and each retry restarts exactly there (0-2 were marked
  // and are never processed again)
  const retries = p0.filter((r) => r.first === 3 && r.attempt > 1);
  const firstRetry = p0.indexOf(retries[0]!);
  // the run that met the poison first may have started before it (offsets 0-2 in its batch)
  const failing = [p0[firstRetry - 1]!, ...retries];
  expect(failing[0]!.first).toBeLessThanOrEqual(3);
  expect(p0.slice(firstRetry)).toEqual(retries);
  expect(p0.slice(0, firstRetry - 1).every((r) => r.first < 3)).toBe(true);
  const processedP0 = (processed(topic) as unknown as Array<{ partition: number; offset: number }>).filter((l) => l.partition === 0);
  expect(processedP0.map((l) => l.offset)).toEqual([0, 1, 2]);
  // this.attempt counts the runs of the failing batch, this.retrying from the second on
  expect(failing.map((r) => r.attempt)).toEqual(failing.map((_, i) => i + 1));
  expect(failing.map((r) => r.retrying)).toEqual(failing.map((_, i) => i > 0));
  // the backoff asked for doubles and stops at the cap
  const asked = pauses.filter((p) => p.partition === 0 && p.reason === 'error').map((p) => p.timeoutMs);
  expect(asked.slice(0, 5)).toEqual([200, 400, 800, 1_600, 1_600]);
  // and the gaps between runs really grow: each at least the backoff asked for (plus a refetch),
  // the last uncapped one several times the first, the capped one no longer doubling
  const gaps = failing.slice(1, 6).map((r, i) => r.at - failing[i]!.at);
  gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(asked[i]! - 10));
  // (the first retry is sometimes late by up to ~1.5 s here while the other partitions' first
  // fetches are still being handed out, so the growth is judged from the second gap on)
  expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
  expect(gaps[3]!).toBeGreaterThan(gaps[2]!);
  expect(gaps[3]! / gaps[1]!).toBeGreaterThan(2); // 1600 vs 400 ms asked: ~3.5x measured, generous against noise
  expect(gaps[4]!).toBeLessThan(1_600 * 2.5);
  // healthy partitions were never paused
  expect(pauses.filter((p) => p.partition !== 0)).toEqual([]);
});

function runs(topic: string): Run[] {
  return processed(`${topic}.runs`) as unknown as Run[];
}
