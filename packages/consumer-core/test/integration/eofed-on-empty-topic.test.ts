// Claim: with enable.partition.eof, eofed() runs once for each partition of an EMPTY topic (KafkaJS
// delivers no batch there: the end comes from the broker's offsets), and again, once, after new
// messages were consumed up to the partition's new end.
import { join } from 'node:path';
import { createTopic, deleteTopics, disconnectSharedAdmin, sleep, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('eofed() on an empty topic, then again at the new end', async () => {
  const topic = await createTopic('cc-eof-empty', { partitions: 2 });
  topics.push(topic);
  const app = new App({
    kafka: { ...baseKafka(uniqueTopicName('cc-eof-group')), 'enable.partition.eof': true },
    concurrency: 1,
    maxMessages: 100,
    maxWaitTimeMs: 100,
    routes: [{ topics: [{ topic, consumer: { module: join(__dirname, 'fixtures', 'flow-consumers'), export: 'EofConsumer' } }] }],
  });
  const eofs = (): Array<{ partition: number; size: number }> => processed(`${topic}.eof`) as unknown as Array<{ partition: number; size: number }>;
  await app.start();
  try {
    await waitUntil('eofed() on both empty partitions', () => eofs().length >= 2, { timeoutMs: 20_000 });
    await sleep(500); // no repeats while nothing changes
    expect(eofs().map((e) => e.partition).sort()).toEqual([0, 1]);
    await produce(topic, Array.from({ length: 3 }, (_, n) => ({ partition: 0, payload: { n } })));
    await waitUntil('eofed() again on partition 0', () => eofs().length >= 3, { timeoutMs: 20_000 });
    await sleep(500);
  } finally {
    await app.stop();
  }
  expect((processed(topic) as unknown as Array<{ offset: number }>).map((l) => l.offset)).toEqual([0, 1, 2]);
  expect(eofs().map((e) => [e.partition, e.size])).toEqual([
    ...eofs().slice(0, 2).map((e) => [e.partition, 0]),
    [0, 0],
  ]);
});
