// Claim: when one virtual partition fails, the partition collapses: it is retried from its first
// unprocessed message in ONE job, in Kafka order, skipping what the other virtual partitions
// processed already, and splits again once past the failing poll; nothing is lost and only the
// failing share's work is done twice (against the real broker).
import { App, type PartitionPausedEvent } from '@decanter/consumer-core';
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { virtualPartitions } from '@decanter/virtual-partitions';
import { baseKafka, committed, disconnectProducer, gaps, processed, produce, vpConsumer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('collapse, skip the processed, split again', async () => {
  const topic = await createTopic('vp-collapse');
  topics.push(topic);
  const count = 200;
  // keys a..d; the message n = 25 (key b) fails once
  await produce(topic, Array.from({ length: count }, (_, n) => ({ key: 'abcd'[n % 4]!, payload: { n, failOnce: n === 25 } })));
  const group = uniqueTopicName('vp-collapse-group');
  const app = new App({
    kafka: baseKafka(group),
    features: [virtualPartitions()],
    concurrency: 2,
    concurrentJobsPerThread: 2,
    maxMessages: 40,
    maxWaitTimeMs: 100,
    pauseTimeoutMs: 100,
    routes: [{ topics: [{ topic, consumer: vpConsumer, virtualPartitions: { partitioner: 'key', maxPartitions: 4 } }] }],
  });
  const pauses: PartitionPausedEvent[] = [];
  app.on('partition.paused', (e) => pauses.push(e));
  await app.start();
  try {
    await waitUntil(`${count} distinct processed`, () => new Set(processed(topic).map((l) => l.offset)).size >= count, { timeoutMs: 60_000 });
  } finally {
    await app.stop();
  }
  const lines = processed(topic);
  expect({ gaps: gaps(lines, count) }).toEqual({ gaps: [] });
  const collapsed = lines.filter((l) => l.collapsed);
  const collapsedBatches = [...new Set(collapsed.map((l) => l.batch))];
  // one error pause, at the first unprocessed message at the time: the failing share's first (1),
  // or 0 when key a's share of that poll was still running
  const errorPauses = pauses.filter((p) => p.reason === 'error').map((p) => p.offset);
  expect({ 'one error pause, at the first unprocessed message of the failing poll': errorPauses.length === 1 && errorPauses[0]! <= 1 }).toEqual({
    'one error pause, at the first unprocessed message of the failing poll': true,
  });
  // the failing share wrote what it processed before 25, then threw without marking: that is
  // what runs twice; nothing another virtual partition processed runs again
  const failingBatch = lines.find((l) => l.offset === 21)!.batch;
  const failedShare = lines.filter((l) => l.batch === failingBatch).map((l) => l.offset);
  const firstCollapsed = lines.indexOf(collapsed[0]!);
  const processedBefore = new Set(lines.slice(0, firstCollapsed).filter((l) => l.batch !== failingBatch).map((l) => l.offset));
  const rule = 'the collapsed retry runs in order and skips what other virtual partitions processed';
  expect({ [rule]: { ordered: collapsed.every((l, i) => i === 0 || l.offset > collapsed[i - 1]!.offset), rerun: collapsed.filter((l) => processedBefore.has(l.offset)).map((l) => l.offset) } }).toEqual({
    [rule]: { ordered: true, rerun: [] },
  });
  expect(collapsedBatches.length).toBeGreaterThanOrEqual(1);
  expect({ 'split again after the failing poll': lines.slice(lines.lastIndexOf(collapsed[collapsed.length - 1]!) + 1).some((l) => !l.collapsed && l.virtualPartition !== null) }).toEqual({
    'split again after the failing poll': true,
  });
  const seen = new Map<number, number>();
  for (const l of lines) seen.set(l.offset, (seen.get(l.offset) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([o]) => o).sort((a, b) => a - b);
  const twiceRule = 'only what the failing share processed before 25 ran twice';
  expect({ [twiceRule]: twice }).toEqual({ [twiceRule]: [...failedShare].sort((a, b) => a - b) });
  expect(failedShare).toContain(1);
  expect((await committed(group, topic)).offset).toBe(count);
}, 90_000);
