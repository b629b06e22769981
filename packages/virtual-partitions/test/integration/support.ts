// Shared helpers of the virtual partitions integration tests (not a test file).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { brokers, sharedAdmin, waitUntil } from '@decanter/test-helpers';
import { vpOutputFile, vpOutputFolder, type VpLine, type VpPayload } from './fixtures/vp-recording-consumer';

export const fixtures = join(__dirname, 'fixtures');
export const vpConsumer = { module: join(fixtures, 'vp-recording-consumer'), export: 'VpRecordingConsumer' };
export const vpMarkingConsumer = { module: join(fixtures, 'vp-recording-consumer'), export: 'VpMarkingConsumer' };
mkdirSync(vpOutputFolder, { recursive: true });

/** What VpRecordingConsumer processed for `topic`, in the order it was written. */
export function processed(topic: string): VpLine[] {
  const file = vpOutputFile(topic);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as VpLine);
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

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs `decanter server fixtures/vp-app.ts` as its own process; resolves once it runs. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [cli, 'server', join(fixtures, 'vp-app.ts')], {
    env: { ...process.env, KAFKA_BROKERS: brokers().join(','), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitUntil(
    'the server process to be running',
    () => {
      if (gone) throw new Error(`server exited early:\n${output}`);
      return output.includes('decanter: running');
    },
    { timeoutMs: 30_000 },
  );
  return { child, output: () => output, exited };
}
