// Claim: from inside consume(), seek(Date) restarts the partition at the first message with a
// timestamp at or after that time, seek('earliest') at the start of the log, and seek('latest')
// at its end (only messages produced afterwards arrive); nothing is marked by a seeking batch.
import { join } from 'node:path';
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App } from '@decanter/consumer-core';
import { baseKafka, processed } from './support';
import { disconnectRawProducer, produceRaw } from './flow-support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectRawProducer();
  await disconnectSharedAdmin();
});

interface BatchLine {
  step: number;
  first: number;
  last: number;
}

test('seek to a time, to earliest and to latest', async () => {
  const topic = await createTopic('cc-seek', { partitions: 1 });
  topics.push(topic);
  const old = Date.now() - 3_600_000;
  const recent = Date.now() - 600_000;
  // offsets 0-4 an hour old, 5-9 ten minutes old; offset 0 says where to seek in time
  await produceRaw(topic, [
    ...Array.from({ length: 5 }, (_, n) => ({ partition: 0, value: JSON.stringify(n === 0 ? { n, seekTime: recent - 1_000 } : { n }), timestamp: old + n })),
    ...Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: JSON.stringify({ n: 5 + i }), timestamp: recent + i })),
  ]);
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-seek-group')),
    concurrency: 1,
    maxMessages: 100,
    maxWaitTimeMs: 100,
    routes: [{ topics: [{ topic, consumer: { module: join(__dirname, 'fixtures', 'flow-consumers'), export: 'SeekingConsumer' } }] }],
  });
  await app.start();
  try {
    await waitUntil('3 batches (time, earliest, latest)', () => processed(topic).length >= 3, { timeoutMs: 20_000 });
    // after seek('latest') nothing old comes back: only what is produced now
    await new Promise((r) => setTimeout(r, 500));
    expect(processed(topic)).toHaveLength(3);
    await produceRaw(topic, [{ partition: 0, value: JSON.stringify({ n: 10 }) }]);
    await waitUntil('the new message', () => processed(topic).length >= 4, { timeoutMs: 20_000 });
  } finally {
    await app.stop();
  }
  const batches = processed(topic) as unknown as BatchLine[];
  expect(batches.map((b) => [b.step, b.first, b.last])).toEqual([
    [0, 0, 9], // everything from earliest
    [1, 5, 9], // seek(Date): the first message at or after the time
    [2, 0, 9], // seek('earliest')
    [3, 10, 10], // seek('latest'): only the message produced afterwards
  ]);
});
