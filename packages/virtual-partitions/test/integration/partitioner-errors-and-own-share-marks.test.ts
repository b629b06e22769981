// Claim (real broker): a partitioner that throws does not stop the partition — its batch runs as
// one virtual partition, reported as error.occurred 'virtual_partitions.partitioner.error' — and
// with manual offset management markAsConsumed marks only its own share: the committed offset
// stops at the first message a share left unmarked.
import { join } from 'node:path';
import { App, type ErrorOccurredEvent } from '@decanter/consumer-core';
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { virtualPartitions, type Partitioner } from '@decanter/virtual-partitions';
import { baseKafka, committed, disconnectProducer, fixtures, processed, produce, vpConsumer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('a throwing partitioner: the batch runs as one virtual partition, reported', async () => {
  const topic = await createTopic('vp-partitioner-throws');
  topics.push(topic);
  await produce(topic, Array.from({ length: 30 }, (_, n) => ({ key: `k${n % 3}`, payload: { n } })));
  const partitioner: Partitioner = (m) => {
    if (m.offset === 7) throw new Error('no virtual key');
    return m.key;
  };
  const app = new App({
    kafka: baseKafka(uniqueTopicName('vp-partitioner-group')),
    features: [virtualPartitions()],
    maxMessages: 100,
    maxWaitTimeMs: 300,
    routes: [{ topics: [{ topic, consumer: vpConsumer, virtualPartitions: { partitioner, maxPartitions: 3 } }] }],
  });
  const errors: ErrorOccurredEvent[] = [];
  app.on('error.occurred', (e) => errors.push(e));
  await app.start();
  try {
    await waitUntil('30 processed', () => processed(topic).length >= 30, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  const batchOf7 = processed(topic).find((l) => l.offset === 7)!.batch;
  const rule = 'the batch with the throwing message ran as one share; the error was reported';
  expect({ [rule]: { shareOf7: processed(topic).filter((l) => l.batch === batchOf7).length > 10, types: [...new Set(errors.map((e) => e.type))] } }).toEqual({
    [rule]: { shareOf7: true, types: ['virtual_partitions.partitioner.error'] },
  });
});

test('markAsConsumed inside a virtual partition marks its own share only', async () => {
  const topic = await createTopic('vp-own-marks');
  topics.push(topic);
  // two shares in one batch: offsets 0-4 (key a) and 5-9 (key b); each marks its first only
  await produce(topic, Array.from({ length: 10 }, (_, n) => ({ key: n < 5 ? 'a' : 'b', payload: { n } })));
  const group = uniqueTopicName('vp-own-marks-group');
  const app = new App({
    kafka: baseKafka(group),
    features: [virtualPartitions()],
    maxMessages: 100,
    maxWaitTimeMs: 300,
    routes: [
      {
        topics: [
          {
            topic,
            consumer: { module: join(fixtures, 'vp-recording-consumer'), export: 'FirstOfShareConsumer' },
            manualOffsetManagement: true,
            virtualPartitions: { partitioner: 'key', maxPartitions: 2, distribution: 'balanced' },
          },
        ],
      },
    ],
  });
  let jobs = 0;
  app.on('consumer.consumed', () => (jobs += 1));
  await app.start();
  try {
    await waitUntil('both shares ran', () => jobs >= 2, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  expect({ 'committed: the first share left offset 1 unmarked': (await committed(group, topic)).offset }).toEqual({ 'committed: the first share left offset 1 unmarked': 1 });
  void vpConsumer;
});
