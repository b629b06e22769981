// Claim: the feature seam carries a strategy that splits partitions end to end, against the real
// broker: a feature registered with the App claims its topic, each partition's batch becomes two
// jobs run at the same time by the partition's two consumer instances on two threads (each sees
// its share in this.messages.metadata.virtualPartition), every message is processed once, and
// the committed offset still reaches the end of the partition.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from '@decanter/consumer-core';
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { outputFile } from './fixtures/recording-consumer';
import type { ShareLine } from './fixtures/share-recording-consumer';
import { splitInTwo } from './fixtures/split-in-two-feature';
import { baseKafka, committedOffsets, disconnectProducer, fixtures, produce } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

const lines = (topic: string): ShareLine[] =>
  existsSync(outputFile(topic))
    ? readFileSync(outputFile(topic), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ShareLine)
    : [];

test('two jobs a batch, two instances of one partition at once, every message once, committed to the end', async () => {
  const topic = await createTopic('cc-split-in-two', { partitions: 1 });
  topics.push(topic);
  const count = 120;
  await produce(topic, Array.from({ length: count }, (_, n) => ({ partition: 0, payload: { n, sleepMs: 150 } })));
  const group = uniqueTopicName('cc-split-in-two-group');
  const app = new App({
    kafka: baseKafka(group),
    concurrency: 2,
    maxMessages: 20,
    maxWaitTimeMs: 200,
    features: [splitInTwo()],
    routes: [{ topics: [{ topic, consumer: { module: join(fixtures, 'share-recording-consumer'), export: 'ShareRecordingConsumer' }, splitInTwo: true }] }],
  });
  await app.start();
  try {
    await waitUntil(`${count} processed messages`, () => lines(topic).flatMap((l) => l.offsets).length >= count, { timeoutMs: 60_000 });
  } finally {
    await app.stop();
  }
  const jobs = lines(topic);
  const offsets = jobs.flatMap((j) => j.offsets).sort((a, b) => a - b);
  expect({ 'every message processed once': offsets }).toEqual({ 'every message processed once': Array.from({ length: count }, (_, i) => i) });
  // each share has its own consumer instance, kept across batches, on its own thread
  const byShare = (vp: number): ShareLine[] => jobs.filter((j) => j.virtualPartition === vp);
  expect({ 'instances per share': [new Set(byShare(0).map((j) => j.instance)).size, new Set(byShare(1).map((j) => j.instance)).size] }).toEqual({
    'instances per share': [1, 1],
  });
  expect({ 'the two shares ran on two threads': new Set(jobs.map((j) => j.threadId)).size }).toEqual({ 'the two shares ran on two threads': 2 });
  // the halves of one batch ran at the same time: the share-1 job starting right after a share-0 job overlaps it
  const overlapping = byShare(0).filter((a) => byShare(1).some((b) => b.offsets[0] === a.offsets[a.offsets.length - 1]! + 1 && b.startedAt < a.endedAt && a.startedAt < b.endedAt));
  expect({ 'batches whose two halves ran at once': overlapping.length >= byShare(0).length - 1 }).toEqual({ 'batches whose two halves ran at once': true });
  expect({ 'committed offset': await committedOffsets(group, topic) }).toEqual({ 'committed offset': { 0: count } });
}, 90_000);
