// Claim: a keyed message lands on the partition Kafka's Java producer picks for the same key
// (murmur2, as Java's default partitioner), so Decanter and Java producers can share topics.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { brokers, javaConsoleConsume } from '@decanter/test-helpers';
import { cleanUp, newProducer, topic } from './support';

afterAll(cleanUp);

function javaProduce(name: string, lines: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = execFile(
      resolve(__dirname, '../../../../scripts/kafka'),
      ['tool', 'console-producer', '--bootstrap-server', brokers().join(','), '--topic', name,
        '--property', 'parse.key=true', '--property', 'key.separator=|'],
      { timeout: 60_000 },
      (error) => (error ? fail(error) : done()),
    );
    child.stdin?.end(`${lines.join('\n')}\n`);
  });
}

it('puts every key on the same partition as the Java producer', async () => {
  const keys = Array.from({ length: 40 }, (_, i) => `customer-${i}-${'x'.repeat(i % 5)}`);
  const javaTopic = await topic('java-keys', 7);
  const ourTopic = await topic('our-keys', 7);
  await javaProduce(javaTopic, keys.map((k) => `${k}|${k}`));
  const java = await javaConsoleConsume(javaTopic, keys.length);
  const javaPartition = new Map(java.map((r) => [r.key, r.partition]));
  expect(javaPartition.size).toBe(keys.length);
  expect(new Set(javaPartition.values()).size).toBeGreaterThan(3); // the keys do spread

  const producer = newProducer({ 'queue.buffering.max.ms': 0 });
  const reports = await producer.produceManySync(keys.map((key) => ({ topic: ourTopic, key, payload: key })));
  const ours = new Map(keys.map((k, i) => [k, reports[i]?.partition]));
  expect(ours).toEqual(javaPartition);

  // partitionKey decides the partition like a key without being written as one
  const viaPartitionKey = await producer.produceManySync(keys.map((k) => ({ topic: ourTopic, partitionKey: k, payload: k })));
  expect(viaPartitionKey.map((r) => r.partition)).toEqual(keys.map((k) => javaPartition.get(k)));
});
