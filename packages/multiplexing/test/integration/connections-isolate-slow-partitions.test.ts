// Claims: N connections split the partitions of one subscription group (one each here), and a
// slow partition on one connection does not delay the others: light messages sent while a
// 1.5 s batch runs on partition 0 are consumed at once with 4 connections, and wait for that
// batch with one (measured from each message's send time, in the same test). Quiet mode and
// stop work across every connection: quiet hands out nothing new, stop commits what was done.
// Statistics carry one entry per connection, with its buffered bytes, and the total.
import { createTopic, deleteTopics, disconnectSharedAdmin, sharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import type { App } from '@decanter/consumer-core';
import type { StatisticsEvent } from '@decanter/consumer-core';
import { disconnectProducer, muxApp, muxKafka, processed, produce, trackOwners } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

const HEAVY_MS = 1500;

/** Sends a heavy batch to partition 0, then light messages to 1–3 every 100 ms while it runs; the light messages' latencies (batch start − send). */
async function lightLatencies(app: App, topic: string, from: number): Promise<number[]> {
  let heavyStarted = false;
  const off = app.on('consumer.consume', (e) => {
    if (e.topic === topic && e.partition === 0) heavyStarted = true;
  });
  await produce(topic, [{ partition: 0, payload: { n: from, batchSleepMs: HEAVY_MS } }]);
  await waitUntil('the heavy batch to start', () => heavyStarted);
  off();
  let n = from + 1;
  for (let round = 0; round < 8; round++) {
    await produce(topic, [1, 2, 3].map((partition) => ({ partition, payload: { n: n++, sentAt: Date.now() } })));
    await new Promise((r) => setTimeout(r, 100));
  }
  await waitUntil('every light message to be consumed', () => processed(topic).filter((l) => l.sentAt !== null).length === n - from - 1, { timeoutMs: 20_000 });
  return processed(topic)
    .filter((l) => l.sentAt !== null)
    .map((l) => l.startedAt - l.sentAt!);
}

test('with 4 connections the light partitions do not wait for the heavy one; with 1 they do', async () => {
  const single = await createTopic('mux-isolate-single', { partitions: 4 });
  const multi = await createTopic('mux-isolate-multi', { partitions: 4 });
  topics.push(single, multi);

  const one = muxApp(uniqueTopicName('mux-isolate-single-group'), single, null);
  await one.start();
  const slowWithOne = await lightLatencies(one, single, 0);
  await one.stop();

  const app = muxApp(uniqueTopicName('mux-isolate-multi-group'), multi, { max: 4 });
  const { owners, connections } = trackOwners(app);
  await app.start();
  await waitUntil('4 connections holding one partition each', () => connections().length === 4 && owners.size === 4);
  expect(new Set(owners.values()).size).toBe(4);
  const slowWithFour = await lightLatencies(app, multi, 0);
  await app.stop();

  const max = (xs: number[]): number => Math.max(...xs);
  // one connection: a light message sent while the heavy batch runs waits for the next poll
  expect(max(slowWithOne)).toBeGreaterThan(HEAVY_MS / 2);
  // four: every light message is consumed long before the heavy batch ends
  expect(max(slowWithFour)).toBeLessThan(HEAVY_MS / 3);
}, 90_000);

test('quiet and stop across 3 connections: nothing new handed out while quiet, what was done is committed', async () => {
  const topic = await createTopic('mux-quiet', { partitions: 3 });
  topics.push(topic);
  const group = uniqueTopicName('mux-quiet-group');
  const app = muxApp(group, topic, { max: 3 }, { kafka: { ...muxKafka(group), 'statistics.interval.ms': 100 } });
  const stats: StatisticsEvent[] = [];
  app.on('statistics.emitted', (e) => stats.push(e));
  const { connections } = trackOwners(app);
  await app.start();
  await waitUntil('3 connections holding partitions', () => connections().length === 3);
  await produce(topic, [0, 1, 2].flatMap((partition) => Array.from({ length: 10 }, (_, i) => ({ partition, payload: { n: partition * 10 + i } }))));
  await waitUntil('30 messages processed', () => processed(topic).length === 30);
  await app.quiet();
  expect(app.state).toBe('quiet');
  await produce(topic, [0, 1, 2].map((partition) => ({ partition, payload: { n: 100 + partition } })));
  await new Promise((r) => setTimeout(r, 1500));
  expect(processed(topic).length).toBe(30); // fetched maybe, never handed out
  // while quiet the 3 new messages wait in the connections' buffers: one entry per connection, and the total
  const last = stats[stats.length - 1]!;
  expect(last.subscriptionGroups.map((g) => [g.connection, g.partitions.length])).toEqual([
    [0, 1],
    [1, 1],
    [2, 1],
  ]);
  expect(last.subscriptionGroups.every((g) => g.bufferedBytes > 0)).toBe(true);
  expect(last.bufferedBytes).toBe(last.subscriptionGroups.reduce((s, g) => s + g.bufferedBytes, 0));
  const result = await app.stop();
  expect(result.timedOut).toBe(false);
  expect(app.state).toBe('stopped');
  const [offsets] = await (await sharedAdmin()).fetchOffsets({ groupId: group, topics: [topic] });
  expect(offsets!.partitions.map((p) => [p.partition, Number(p.offset)]).sort()).toEqual([
    [0, 10],
    [1, 10],
    [2, 10],
  ]);
}, 60_000);
