// Shared helpers of the consumer-core integration tests (not a test file).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { brokers, readJsonLines, sharedAdmin, startDecanterServer, type ServerProcess } from '@decanter/test-helpers';

export type { ServerProcess };
import { outputFile, outputFolder, type ProcessedLine, type TestPayload } from './fixtures/recording-consumer';

export const fixtures = join(__dirname, 'fixtures');
export const recordingConsumer = { module: join(fixtures, 'recording-consumer'), export: 'RecordingConsumer' };

mkdirSync(outputFolder, { recursive: true });

/** What RecordingConsumer processed for `topic`, in the order it was processed. */
export function processed(topic: string): ProcessedLine[] {
  return readJsonLines<ProcessedLine>(outputFile(topic));
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

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
export const recordingApp = join(fixtures, 'recording-app.ts');

/** Runs `decanter server fixtures/recording-app.ts` (or another app file) as a separate process and waits until it is running. */
export function startServer(env: Record<string, string>, app: string = recordingApp): Promise<ServerProcess> {
  return startDecanterServer(cli, app, env);
}

/** For each partition, offsets that were never processed between 0 and `end` (exclusive). */
export function gaps(lines: ProcessedLine[], ends: Record<number, number>): Record<number, number[]> {
  const out: Record<number, number[]> = {};
  for (const [p, end] of Object.entries(ends)) {
    const seen = new Set(lines.filter((l) => l.partition === Number(p)).map((l) => l.offset));
    const missing: number[] = [];
    for (let o = 0; o < end; o++) if (!seen.has(o)) missing.push(o);
    if (missing.length > 0) out[Number(p)] = missing;
  }
  return out;
}

export async function committedOffsets(groupId: string, topic: string): Promise<Record<number, number>> {
  const offsets = await (await sharedAdmin()).fetchOffsets({ groupId, topics: [topic] });
  return Object.fromEntries((offsets[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}
