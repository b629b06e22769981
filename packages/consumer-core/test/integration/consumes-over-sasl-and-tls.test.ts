// Claim: the App's security settings reach KafkaJS and work against a real broker: an App
// connected to a broker's SASL_SSL listener consumes every message and commits, like one on
// plaintext, configured either with librdkafka's keys (security.protocol SASL_SSL, sasl.*,
// ssl.ca.location) or with KafkaJS's own `ssl` and `sasl` options; with a wrong password,
// start() rejects with the broker's authentication error. The broker is this file's own
// (scripts/kafka opens the SASL_SSL listener on every broker it starts).
import { Kafka, logLevel } from 'kafkajs';
import { ownBroker, secureListener, uniqueTopicName, waitUntil, type SecureListener } from '@decanter/test-helpers';
import { App, type ConsumerKafkaSettings } from '@decanter/consumer-core';
import { baseKafka, processed, recordingConsumer, spread } from './support';

jest.setTimeout(180_000);

const broker = ownBroker(19592);
const kafka = new Kafka({ clientId: 'cc-sasl-test', brokers: [broker.address], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const producer = kafka.producer();

beforeAll(async () => {
  await broker.start();
  await Promise.all([admin.connect(), producer.connect()]);
});

afterAll(async () => {
  await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
  await broker.stop();
});

test.each([
  ['librdkafka settings', (l: SecureListener): Partial<ConsumerKafkaSettings> => ({ 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'PLAIN', 'sasl.username': l.username, 'sasl.password': l.password, 'ssl.ca.location': l.caPath })],
  ['KafkaJS options', (l: SecureListener): Partial<ConsumerKafkaSettings> => ({ ssl: { ca: [l.ca] }, sasl: { mechanism: 'plain', username: l.username, password: l.password } })],
])('an App on the SASL_SSL listener (%s) consumes every message and commits', async (_how, security) => {
  const topic = uniqueTopicName('cc-sasl-ssl');
  await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
  await producer.send({ topic, acks: -1, messages: spread(100, 2).map((m) => ({ partition: m.partition, value: JSON.stringify(m.payload) })) });
  const group = uniqueTopicName('cc-sasl-ssl-group');
  const listener = secureListener(broker);
  const app = new App({
    kafka: {
      ...baseKafka(group),
      'bootstrap.servers': listener.address,
      ...security(listener),
    },
    concurrency: 1,
    maxWaitTimeMs: 200,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  await app.start();
  try {
    await waitUntil('100 processed messages', () => processed(topic).length >= 100, { timeoutMs: 60_000 });
  } finally {
    await app.stop();
  }
  expect(new Set(processed(topic).map((l) => l.n)).size).toBe(100);
  const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  expect(offsets[0]!.partitions.map((p) => Number(p.offset)).sort()).toEqual([50, 50]);
});

test('a wrong password rejects start() with the broker’s authentication error', async () => {
  const listener = secureListener(broker);
  const topic = uniqueTopicName('cc-sasl-wrong-password');
  const app = new App({
    kafka: {
      ...baseKafka(uniqueTopicName('cc-sasl-wrong-password-group')),
      'bootstrap.servers': listener.address,
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'PLAIN',
      'sasl.username': listener.username,
      'sasl.password': 'not-the-password',
      'ssl.ca.location': listener.caPath,
    },
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  try {
    await expect(app.start()).rejects.toThrow(/SASL PLAIN authentication failed/);
  } finally {
    await app.stop().catch(() => undefined);
  }
  expect(processed(topic)).toHaveLength(0);
});
