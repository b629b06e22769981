// Claim: `this.producer` inside a consumer (a worker thread, no Kafka connection of its own)
// produces through the app's one @decanter/producer in the main thread: every consumed message
// is forwarded to the output topic with its key, payload and headers intact.
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, sharedAdmin, uniqueTopicName, waitUntil, topicMessageCount } from '@decanter/test-helpers';
import { App } from '@decanter/consumer-core';
import { Producer } from '@decanter/producer';
import { baseKafka, disconnectProducer, produce, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('consume-transform-produce through this.producer', async () => {
  const input = await createTopic('cc-forward', { partitions: 2 });
  const output = `${input}-out`;
  await (await sharedAdmin()).createTopics({ topics: [{ topic: output, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  topics.push(input, output);
  await produce(input, spread(40, 2).map((m) => ({ ...m, key: `k${m.payload.n}` })));
  const producer = new Producer({ kafka: { 'bootstrap.servers': brokers().join(','), 'queue.buffering.max.ms': 1 } });
  const app = new App({
    kafka: baseKafka(uniqueTopicName('cc-forward-group')),
    concurrency: 2,
    maxMessages: 10,
    maxWaitTimeMs: 100,
    producer,
    routes: [{ topics: [{ topic: input, consumer: { module: join(__dirname, 'fixtures', 'forwarding-consumer'), export: 'ForwardingConsumer' } }] }],
  });
  await app.start();
  try {
    await waitUntil('40 forwarded messages', async () => (await topicMessageCount(output)) >= 40, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
    await producer.close();
  }
  const reader = new Kafka({ clientId: 'cc-forward-reader', brokers: brokers(), logLevel: logLevel.NOTHING }).consumer({
    groupId: uniqueTopicName('cc-forward-reader'),
  });
  const seen: Array<{ key: string; n: number; doubled: number; offset: string; partition: string }> = [];
  await reader.connect();
  await reader.subscribe({ topic: output, fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      const value = JSON.parse(message.value!.toString()) as { n: number; doubled: number };
      seen.push({
        key: message.key!.toString(),
        ...value,
        offset: message.headers!['source-offset']!.toString(),
        partition: message.headers!['source-partition']!.toString(),
      });
    },
  });
  try {
    await waitUntil('the reader to see 40 messages', () => seen.length >= 40, { timeoutMs: 30_000 });
  } finally {
    await reader.disconnect();
  }
  expect(seen).toHaveLength(40);
  expect(new Set(seen.map((s) => s.n)).size).toBe(40);
  for (const s of seen) {
    expect(s.key).toBe(`k${s.n}`);
    expect(s.doubled).toBe(s.n * 2);
    expect(Number(s.partition)).toBe(s.n % 2);
    expect(Number(s.offset)).toBe(Math.floor(s.n / 2));
  }
});
