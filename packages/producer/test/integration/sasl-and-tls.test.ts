// Claim: the SASL and TLS settings reach KafkaJS and work against a real broker: a producer
// configured with security.protocol SASL_SSL, sasl.mechanisms PLAIN, sasl.username/password and
// the broker's certificate (ssl.ca.location) produces over a broker's SASL_SSL listener. A wrong
// password and an untrusted certificate are reported on error.occurred (metadata.failed), naming
// the cause, and fail the produce with DELIVERY_FAILED naming the settings to check as soon as
// KafkaJS gives up connecting (at once for a refused password; after its own few connection
// retries, about 7 s, for a certificate), not after message.timeout.ms (two minutes here): a
// retry would meet the same refusal. The next produce tries again (the broker's side may have
// been fixed meanwhile). The broker is this file's own (scripts/kafka opens the SASL_SSL listener
// on every broker it starts), so the test does not depend on the shared one.
import { Kafka, logLevel } from 'kafkajs';
import { ownBroker, secureListener, uniqueTopicName } from '@decanter/test-helpers';
import { hasErrorCode, Producer } from '@decanter/producer';

jest.setTimeout(180_000);

const broker = ownBroker(Number(process.env['PRODUCER_SASL_KAFKA_PORT'] ?? '19492'));
const admin = new Kafka({ clientId: 'sasl-test-admin', brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
const producers: Producer[] = [];

beforeAll(async () => {
  await broker.start();
  await admin.connect();
});

afterAll(async () => {
  await Promise.allSettled(producers.map((p) => p.close()));
  await admin.disconnect();
  await broker.stop();
});

async function topic(prefix: string, partitions = 1): Promise<string> {
  const name = uniqueTopicName(prefix);
  await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  return name;
}

async function messageCount(name: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(name);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

function secureProducer(password: string, trustCertificate: boolean): Producer {
  const listener = secureListener(broker);
  const producer = new Producer({
    id: 'sasl-test',
    kafka: {
      'bootstrap.servers': listener.address,
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'PLAIN',
      'sasl.username': listener.username,
      'sasl.password': password,
      'message.timeout.ms': 120_000,
      'socket.connection.setup.timeout.ms': 3_000,
      ...(trustCertificate ? { 'ssl.ca.location': listener.caPath } : {}),
    },
  });
  producers.push(producer);
  return producer;
}

it('produces over SASL_SSL (PLAIN) with the broker certificate trusted', async () => {
  const t = await topic('producer-sasl-ssl', 2);
  const producer = secureProducer(secureListener(broker).password, true);
  const report = await producer.produceSync({ topic: t, payload: 'over tls', key: 'k' });
  expect(report.topic).toBe(t);
  expect(report.offset).toBe('0');
  const handles = await producer.produceManyAsync(Array.from({ length: 20 }, (_, i) => ({ topic: t, payload: `m-${i}` })));
  await Promise.all(handles.map((h) => h.wait()));
  await producer.close();
  expect(await messageCount(t)).toBe(21);
});

it('a wrong password is reported and fails the produce at once with the broker’s authentication error', async () => {
  const t = await topic('producer-sasl-wrong-password');
  const producer = secureProducer('not-the-password', true);
  const reported: string[] = [];
  producer.on('error.occurred', (e) => reported.push(`${e.type}: ${e.error.message}`));
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const error = await producer.produceSync({ topic: t, payload: 'x' }).catch((e: unknown) => e);
    expect(hasErrorCode(error, 'DELIVERY_FAILED')).toBe(true);
    expect(String((error as Error).message)).toMatch(/check sasl\.username, sasl\.password and sasl\.mechanisms \(.*SASL PLAIN authentication failed/);
  }
  // Each produce tried the broker again: nothing latched the first refusal.
  expect(reported.filter((r) => /^metadata\.failed: .*SASL PLAIN authentication failed/.test(r))).toHaveLength(2);
  await expect(producer.connect()).rejects.toThrow(/SASL PLAIN authentication failed/);
  expect(await messageCount(t)).toBe(0);
});

it('an untrusted certificate is reported and fails the produce without waiting for message.timeout.ms', async () => {
  const t = await topic('producer-tls-untrusted');
  const producer = secureProducer(secureListener(broker).password, false);
  const reported: string[] = [];
  producer.on('error.occurred', (e) => reported.push(`${e.type}: ${e.error.message}`));
  const error = await producer.produceSync({ topic: t, payload: 'x' }).catch((e: unknown) => e);
  expect(hasErrorCode(error, 'DELIVERY_FAILED')).toBe(true);
  expect(String((error as Error).message)).toMatch(/check ssl\.ca\.location.*self[- ]signed certificate/i);
  expect(reported[0]).toMatch(/^metadata\.failed: .*self[- ]signed certificate/i);
  expect(await messageCount(t)).toBe(0);
});
