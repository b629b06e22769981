// Claim: commit metadata travels end to end, against the real broker: the metadata a partition's
// ledger writes is committed with its offset (the broker holds it), and the next App that gets
// the partition hands it — with the committed offset — to its own ledger on assignment, before
// the partition's first batch is processed.
import { App } from '@decanter/consumer-core';
import { createTopic, deleteTopics, disconnectSharedAdmin, sharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { metadataProbe, type Restored } from './fixtures/split-in-two-feature';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('metadata written by one App is read back by the next owner of the partition', async () => {
  const topic = await createTopic('cc-commit-metadata', { partitions: 1 });
  topics.push(topic);
  await produce(topic, spread(30, 1));
  const group = uniqueTopicName('cc-commit-metadata-group');
  const app = (tag: string, restored: Restored[]): App =>
    new App({
      kafka: baseKafka(group),
      concurrency: 1,
      maxMessages: 10,
      maxWaitTimeMs: 100,
      features: [metadataProbe(tag, restored)],
      routes: [{ topics: [{ topic, consumer: recordingConsumer, metadataProbe: true }] }],
    });

  const firstRestored: Restored[] = [];
  const first = app('first', firstRestored);
  await first.start();
  try {
    await waitUntil('30 processed messages', () => processed(topic).length >= 30, { timeoutMs: 30_000 });
  } finally {
    await first.stop(); // commits 30 with the metadata "first@30"
  }
  const [offsets] = await (await sharedAdmin()).fetchOffsets({ groupId: group, topics: [topic] });
  expect({ 'the broker holds the metadata': offsets!.partitions.map((p) => [p.offset, p.metadata]) }).toEqual({ 'the broker holds the metadata': [['30', 'first@30']] });
  expect({ 'a new group has nothing to hand back': firstRestored }).toEqual({ 'a new group has nothing to hand back': [{ committed: null, metadata: null }] });

  await produce(topic, [{ partition: 0, payload: { n: 30 } }]);
  const secondRestored: Restored[] = [];
  let restoredBeforeFirstJob: Restored[] | undefined;
  const second = app('second', secondRestored);
  second.on('consumer.consume', () => (restoredBeforeFirstJob ??= [...secondRestored]));
  await second.start();
  try {
    await waitUntil('the 31st message', () => processed(topic).length >= 31, { timeoutMs: 30_000 });
  } finally {
    await second.stop();
  }
  expect({ 'read back by the next owner, before its first job': restoredBeforeFirstJob }).toEqual({
    'read back by the next owner, before its first job': [{ committed: 30, metadata: 'first@30' }],
  });
  const [after] = await (await sharedAdmin()).fetchOffsets({ groupId: group, topics: [topic] });
  expect(after!.partitions.map((p) => [p.offset, p.metadata])).toEqual([['31', 'second@31']]);
});
