// Claim: a consumer's transaction runs on the connection that owns its partition: with 2
// connections holding one partition each, batches of both partitions produce and commit their
// offsets inside transactions (the connection that does not own a partition refuses it, so a
// wrong pick fails the job); the committed offsets reach the end of both partitions and the
// read_committed output holds every input.
import { join } from 'node:path';
import { Producer } from '@decanter/producer';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, sharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { Kafka, logLevel } from 'kafkajs';
import { disconnectProducer, fixtures, muxApp, produce, trackOwners } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('two connections, one partition each: every batch commits inside its transaction', async () => {
  const topic = await createTopic('mux-tx', { partitions: 2 });
  const output = `${topic}-out`;
  await (await sharedAdmin()).createTopics({ topics: [{ topic: output, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  topics.push(topic, output);
  const group = uniqueTopicName('mux-tx-group');
  const producer = new Producer({ id: 'mux-tx', kafka: { 'bootstrap.servers': brokers().join(','), 'transactional.id': `${group}-tx`, 'queue.buffering.max.ms': 0 } });
  const app = muxApp(group, topic, { max: 2 }, { producer }, { module: join(fixtures, 'mux-transforming-consumer'), export: 'MuxTransformingConsumer' });
  const errors: string[] = [];
  app.on('error.occurred', (e) => errors.push(`${e.type}: ${e.error.message}`));
  const { owners, connections } = trackOwners(app);
  await app.start();
  await waitUntil('2 connections holding one partition each', () => connections().length === 2 && owners.size === 2);
  const count = 200;
  await produce(topic, Array.from({ length: count }, (_, n) => ({ partition: n % 2, payload: { n } })));
  await waitUntil(
    'the committed offsets to reach the end of both partitions',
    async () => {
      const [offsets] = await (await sharedAdmin()).fetchOffsets({ groupId: group, topics: [topic] });
      return offsets!.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0) === count;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  await app.stop();
  await producer.close();
  expect(errors).toEqual([]);

  const reader = new Kafka({ clientId: 'mux-tx-reader', brokers: brokers(), logLevel: logLevel.NOTHING }).consumer({ groupId: uniqueTopicName('mux-tx-reader'), readUncommitted: false });
  const seen = new Set<number>();
  await reader.connect();
  await reader.subscribe({ topic: output, fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void seen.add((JSON.parse(message.value!.toString()) as { n: number }).n) });
  try {
    await waitUntil('the output to hold every input', () => seen.size === count, { timeoutMs: 30_000 });
  } finally {
    await reader.disconnect();
  }
}, 90_000);
