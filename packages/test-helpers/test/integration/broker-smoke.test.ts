// Claim: the broker the tests run against is a real Apache Kafka. KafkaJS produces and consumes
// through it, and what KafkaJS writes (key, headers, murmur2 partition, bytes) is exactly what
// Kafka's own Java console consumer reads; the Java producer picks the same partition per key.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import {
  brokers,
  createTopic,
  deleteTopics,
  disconnectSharedAdmin,
  javaConsoleConsume,
  waitUntil,
} from '../../src';

const kafka = new Kafka({ clientId: 'smoke', brokers: brokers(), logLevel: logLevel.NOTHING });
const created: string[] = [];

afterAll(async () => {
  await deleteTopics(created);
  await disconnectSharedAdmin();
});

const keys = Array.from({ length: 12 }, (_, i) => `customer-${i}`);

async function produceWithKafkaJs(topic: string): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: keys.map((key, i) => ({ key, value: `value-${i}-żółć`, headers: { source: 'kafkajs', n: String(i) } })),
  });
  await producer.disconnect();
}

describe('the local broker', () => {
  it('round-trips messages through KafkaJS', async () => {
    const topic = await createTopic('smoke-roundtrip', { partitions: 3 });
    created.push(topic);
    await produceWithKafkaJs(topic);

    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.key?.toString() ?? '') });
    await waitUntil(`${keys.length} messages read back`, () => seen.length === keys.length);
    await consumer.disconnect();
    expect(seen.sort()).toEqual([...keys].sort());
  });

  it('shows Kafka’s Java console consumer the same partitions, keys, headers and bytes', async () => {
    const topic = await createTopic('smoke-java-read', { partitions: 4 });
    created.push(topic);
    await produceWithKafkaJs(topic);

    const records = await javaConsoleConsume(topic, keys.length);
    expect(records).toHaveLength(keys.length);
    const byKey = new Map(records.map((r) => [r.key, r]));
    for (const [i, key] of keys.entries()) {
      const record = byKey.get(key);
      expect(record?.value).toBe(`value-${i}-żółć`);
      expect(record?.headers).toEqual({ source: 'kafkajs', n: String(i) });
    }
    // murmur2 spreads 12 keys over more than one of 4 partitions
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  it('puts every key on the partition Kafka’s Java producer picks for it', async () => {
    const fromJs = await createTopic('smoke-partitioner-js', { partitions: 5 });
    const fromJava = await createTopic('smoke-partitioner-java', { partitions: 5 });
    created.push(fromJs, fromJava);
    await produceWithKafkaJs(fromJs);

    const input = keys.map((key, i) => `${key}\tvalue-${i}`).join('\n') + '\n';
    await new Promise<void>((done, fail) => {
      const child = execFile(
        resolve(__dirname, '../../../../scripts/kafka'),
        [
          'tool', 'console-producer', '--bootstrap-server', brokers().join(','), '--topic', fromJava,
          '--property', 'parse.key=true', '--property', 'key.separator=\t',
        ],
        { timeout: 60_000 },
        (error) => (error ? fail(error) : done()),
      );
      child.stdin?.end(input);
    });

    const [jsRecords, javaRecords] = await Promise.all([
      javaConsoleConsume(fromJs, keys.length),
      javaConsoleConsume(fromJava, keys.length),
    ]);
    const partitionOf = (records: typeof jsRecords) => Object.fromEntries(records.map((r) => [r.key, r.partition]));
    expect(partitionOf(jsRecords)).toEqual(partitionOf(javaRecords));
  });
});
