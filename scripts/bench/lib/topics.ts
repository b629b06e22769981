// Topic set-up for benchmarks: a fresh uniquely named topic per scenario, deleted afterwards.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

export async function withTopics<T>(
  brokers: string[],
  specs: Array<{ prefix: string; partitions: number }>,
  run: (topics: string[]) => Promise<T>,
): Promise<T> {
  const admin = new Kafka({ clientId: 'decanter-bench-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = specs.map((s) => `bench-${s.prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`);
  try {
    await admin.createTopics({
      topics: specs.map((s, i) => ({ topic: topics[i] as string, numPartitions: s.partitions, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    return await run(topics);
  } finally {
    await admin.deleteTopics({ topics, timeout: 30_000 }).catch(() => undefined);
    await admin.disconnect();
  }
}
