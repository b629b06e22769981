// Claim: a consumer's pause(offset, Infinity) stops only its own partition — other partitions of
// the same topic (and the same worker pool) keep being consumed — until its periodic tick()
// calls resume(); the partition then restarts exactly at the paused offset.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTopic, deleteTopics, disconnectSharedAdmin, sleep, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, type PartitionPausedEvent } from '@decanter/consumer-core';
import { outputFile } from './fixtures/recording-consumer';
import { baseKafka, disconnectProducer, processed, produce } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

type Line = { partition: number; offset: number; at: number };

test('one paused partition, the others flow; tick() resumes it at the paused offset', async () => {
  const topic = await createTopic('cc-hold', { partitions: 2 });
  topics.push(topic);
  await produce(topic, Array.from({ length: 10 }, (_, n) => ({ partition: 0, payload: { n, hold: n === 5 } as never })));
  await produce(topic, Array.from({ length: 10 }, (_, n) => ({ partition: 1, payload: { n: 100 + n } })));
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-hold-group')),
    concurrency: 1, // both partitions share one thread: the pause must not hold the thread either
    maxMessages: 100,
    maxWaitTimeMs: 50,
    routes: [
      {
        topics: [
          {
            topic,
            consumer: { module: join(__dirname, 'fixtures', 'flow-consumers'), export: 'HoldingConsumer' },
            manualOffsetManagement: true,
            periodic: { intervalMs: 200 },
          },
        ],
      },
    ],
  });
  const paused: PartitionPausedEvent[] = [];
  const resumed: PartitionPausedEvent[] = [];
  app.on('partition.paused', (e) => paused.push(e));
  app.on('partition.resumed', (e) => resumed.push(e));
  const lines = (): Line[] => processed(topic) as unknown as Line[];
  await app.start();
  try {
    await waitUntil('p0 up to the hold and all of p1', () => lines().filter((l) => l.partition === 1).length === 10 && lines().filter((l) => l.partition === 0).length === 5, { timeoutMs: 20_000 });
    // more traffic for partition 1 flows while partition 0 stays paused
    await produce(topic, Array.from({ length: 10 }, (_, n) => ({ partition: 1, payload: { n: 200 + n } })));
    await waitUntil('the new p1 messages', () => lines().filter((l) => l.partition === 1).length === 20, { timeoutMs: 20_000 });
    await sleep(800); // several tick intervals: still paused
    expect(lines().filter((l) => l.partition === 0)).toHaveLength(5);
    const ticks = (processed(`${topic}.events`) as unknown as Array<{ event: string; partition: number }>).filter((e) => e.event === 'tick' && e.partition === 0);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    writeFileSync(outputFile(`${topic}.release`), 'go');
    await waitUntil('p0 resumed and finished', () => lines().filter((l) => l.partition === 0).length === 10, { timeoutMs: 20_000 });
  } finally {
    await app.stop();
  }
  expect(lines().filter((l) => l.partition === 0).map((l) => l.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(lines().filter((l) => l.partition === 1).map((l) => l.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(paused.map((p) => [p.partition, p.offset, p.timeoutMs, p.reason])).toEqual([[0, 5, Infinity, 'request']]);
  expect(resumed.map((p) => [p.partition, p.offset])).toEqual([[0, 5]]);
});
