// Claim: a rebalance in the middle of a virtual-partitioned stream loses nothing: a second App
// joins the group and the first leaves while messages flow; every message is processed, the
// committed offsets reach the end (duplicates allowed, counted).
import { App } from '@decanter/consumer-core';
import { createTopic, deleteTopics, disconnectSharedAdmin, sharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { virtualPartitions } from '@decanter/virtual-partitions';
import { baseKafka, disconnectProducer, processed, vpConsumer } from './support';
import { Kafka, logLevel } from 'kafkajs';
import { brokers } from '@decanter/test-helpers';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('join and leave mid-stream: nothing lost', async () => {
  const topic = await createTopic('vp-rebalance', { partitions: 2 });
  topics.push(topic);
  const group = uniqueTopicName('vp-rebalance-group');
  const app = (): App =>
    new App({
      kafka: baseKafka(group),
      features: [virtualPartitions()],
      concurrency: 2,
      concurrentJobsPerThread: 2,
      maxMessages: 40,
      maxWaitTimeMs: 100,
      routes: [{ topics: [{ topic, consumer: vpConsumer, virtualPartitions: { partitioner: 'key', maxPartitions: 4 } }] }],
    });
  const producer = new Kafka({ clientId: 'vp-rebalance-producer', brokers: brokers(), logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const count = 600;
  let sent = 0;
  const send = async (n: number): Promise<void> => {
    const batch = Array.from({ length: n }, () => sent++).map((i) => ({ partition: i % 2, key: `k${i % 10}`, value: JSON.stringify({ n: i, sleepMs: 3 }) }));
    await producer.send({ topic, acks: -1, messages: batch });
  };
  const first = app();
  await first.start();
  await send(200);
  await waitUntil('first app progressing', () => processed(topic).length >= 50, { timeoutMs: 30_000 });
  const second = app();
  await second.start();
  await send(200);
  await first.stop();
  await send(200);
  try {
    await waitUntil(`all ${count} messages processed`, () => new Set(processed(topic).map((l) => `${l.n}`)).size >= count, { timeoutMs: 60_000 });
  } finally {
    await second.stop();
    await producer.disconnect();
  }
  const lines = processed(topic);
  expect({ 'messages never processed': Array.from({ length: count }, (_, i) => i).filter((n) => !lines.some((l) => l.n === n)) }).toEqual({ 'messages never processed': [] });
  const [offsets] = await (await sharedAdmin()).fetchOffsets({ groupId: group, topics: [topic] });
  expect(offsets!.partitions.map((p) => Number(p.offset)).sort()).toEqual([300, 300]);
  console.log(`vp rebalance: ${lines.length - new Set(lines.map((l) => l.n)).size} duplicates`);
}, 120_000);
