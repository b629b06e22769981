// Claim: with virtual partitions (consistent, by key) one Kafka partition is processed by several
// consumer instances at once, yet each key's messages are processed in offset order, always by
// the same virtual partition, every message exactly once, and the committed offset reaches the end.
import { App } from '@decanter/consumer-core';
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { virtualPartitions } from '@decanter/virtual-partitions';
import { baseKafka, committed, disconnectProducer, processed, produce, vpConsumer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('per-key order, one virtual partition per key, every message once, committed to the end', async () => {
  const topic = await createTopic('vp-key-order');
  topics.push(topic);
  const count = 600;
  await produce(topic, Array.from({ length: count }, (_, n) => ({ key: `k${n % 20}`, payload: { n, sleepMs: n % 7 } })));
  const group = uniqueTopicName('vp-key-order-group');
  const app = new App({
    kafka: baseKafka(group),
    features: [virtualPartitions()],
    concurrency: 2,
    concurrentJobsPerThread: 4,
    maxMessages: 60,
    maxWaitTimeMs: 100,
    routes: [{ topics: [{ topic, consumer: vpConsumer, virtualPartitions: { partitioner: 'key', maxPartitions: 8 } }] }],
  });
  await app.start();
  try {
    await waitUntil(`${count} processed`, () => processed(topic).length >= count, { timeoutMs: 60_000 });
  } finally {
    await app.stop();
  }
  const lines = processed(topic);
  expect({ 'every message once': lines.map((l) => l.offset).sort((a, b) => a - b) }).toEqual({ 'every message once': Array.from({ length: count }, (_, i) => i) });
  const byKey = new Map<string, typeof lines>();
  for (const l of lines) byKey.set(l.key!, [...(byKey.get(l.key!) ?? []), l]);
  const outOfOrder = [...byKey].filter(([, ls]) => ls.some((l, i) => i > 0 && l.offset < ls[i - 1]!.offset)).map(([k]) => k);
  const moved = [...byKey].filter(([, ls]) => new Set(ls.map((l) => l.virtualPartition)).size > 1).map(([k]) => k);
  expect({ 'keys processed out of offset order': outOfOrder, 'keys that moved to another virtual partition': moved }).toEqual({
    'keys processed out of offset order': [],
    'keys that moved to another virtual partition': [],
  });
  expect({ 'virtual partitions used': new Set(lines.map((l) => l.virtualPartition)).size > 1 }).toEqual({ 'virtual partitions used': true });
  expect((await committed(group, topic)).offset).toBe(count);
}, 90_000);
