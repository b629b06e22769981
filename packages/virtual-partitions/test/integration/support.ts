// Shared helpers of the virtual partitions integration tests (not a test file).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { brokers, readJsonLines, sharedAdmin, startDecanterServer, type ServerProcess } from '@decanter/test-helpers';
import { vpOutputFile, vpOutputFolder, type VpLine, type VpPayload } from './fixtures/vp-recording-consumer';

export const fixtures = join(__dirname, 'fixtures');
export const vpConsumer = { module: join(fixtures, 'vp-recording-consumer'), export: 'VpRecordingConsumer' };
export const vpMarkingConsumer = { module: join(fixtures, 'vp-recording-consumer'), export: 'VpMarkingConsumer' };
mkdirSync(vpOutputFolder, { recursive: true });

/** What VpRecordingConsumer processed for `topic`, in the order it was written. */
export function processed(topic: string): VpLine[] {
  return readJsonLines<VpLine>(vpOutputFile(topic));
}

let producer: Producer | undefined;

/** Produces test messages to partition 0 with raw KafkaJS. */
export async function produce(topic: string, messages: Array<{ key: string; payload: VpPayload }>): Promise<void> {
  if (producer === undefined) {
    producer = new Kafka({ clientId: 'vp-tests', brokers: brokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  }
  for (let i = 0; i < messages.length; i += 500) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500).map((m) => ({ partition: 0, key: m.key, value: JSON.stringify(m.payload) })) });
  }
}

export async function disconnectProducer(): Promise<void> {
  await producer?.disconnect();
  producer = undefined;
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

/** The group's committed offset and metadata of partition 0. */
export async function committed(groupId: string, topic: string): Promise<{ offset: number; metadata: string | null }> {
  const [offsets] = await (await sharedAdmin()).fetchOffsets({ groupId, topics: [topic] });
  const p = offsets?.partitions.find((x) => x.partition === 0);
  return { offset: Number(p?.offset ?? -1), metadata: p?.metadata ?? null };
}

/** Offsets 0..end-1 never processed. */
export function gaps(lines: VpLine[], end: number): number[] {
  const seen = new Set(lines.map((l) => l.offset));
  return Array.from({ length: end }, (_, i) => i).filter((o) => !seen.has(o));
}

const cli = join(__dirname, '..', '..', '..', 'consumer-core', 'dist', 'cli.js');

/** Runs `decanter server fixtures/vp-app.ts` as its own process; resolves once it runs. */
export function startServer(env: Record<string, string>): Promise<ServerProcess> {
  return startDecanterServer(cli, join(fixtures, 'vp-app.ts'), env);
}
