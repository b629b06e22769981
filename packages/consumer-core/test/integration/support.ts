// Shared helpers of the consumer-core integration tests (not a test file).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { brokers } from '@decanter/test-helpers';
import { outputFile, outputFolder, type ProcessedLine, type TestPayload } from './fixtures/recording-consumer';

export const fixtures = join(__dirname, 'fixtures');
export const recordingConsumer = { module: join(fixtures, 'recording-consumer'), export: 'RecordingConsumer' };

mkdirSync(outputFolder, { recursive: true });

/** What RecordingConsumer processed for `topic`, in the order it was processed. */
export function processed(topic: string): ProcessedLine[] {
  const file = outputFile(topic);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as ProcessedLine);
}

let producer: Producer | undefined;

/** Produces test messages with raw KafkaJS (the consumer tests must not depend on @decanter/producer). */
export async function produce(topic: string, messages: Array<{ partition: number; payload: TestPayload; key?: string }>): Promise<void> {
  if (producer === undefined) {
    producer = new Kafka({ clientId: 'consumer-core-tests', brokers: brokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  }
  await producer.send({
    topic,
    acks: -1,
    messages: messages.map((m) => ({ partition: m.partition, key: m.key ?? null, value: JSON.stringify(m.payload) })),
  });
}

export async function disconnectProducer(): Promise<void> {
  await producer?.disconnect();
  producer = undefined;
}

/** Messages n = 0..count-1 spread round-robin over `partitions`. */
export function spread(count: number, partitions: number, extra: Partial<TestPayload> = {}): Array<{ partition: number; payload: TestPayload }> {
  return Array.from({ length: count }, (_, n) => ({ partition: n % partitions, payload: { n, ...extra } }));
}

export const baseKafka = (groupId: string) =>
  ({
    'bootstrap.servers': brokers().join(','),
    'group.id': groupId,
    'session.timeout.ms': 10_000,
    'heartbeat.interval.ms': 1_000,
    'fetch.wait.max.ms': 100,
    'statistics.interval.ms': 0,
  }) as const;
