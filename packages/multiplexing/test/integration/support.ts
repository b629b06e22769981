// Shared helpers of the multiplexing integration tests (not a test file).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, type AppOptions } from '@decanter/consumer-core';
import { multiplexing, type MultiplexingDefinition } from '@decanter/multiplexing';
import { brokers, readJsonLines, startDecanterServer, type ServerProcess } from '@decanter/test-helpers';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { muxOutputFile, muxOutputFolder, type MuxLine, type MuxPayload } from './fixtures/mux-recording-consumer';

export const fixtures = join(__dirname, 'fixtures');
export const muxConsumer = { module: join(fixtures, 'mux-recording-consumer'), export: 'MuxRecordingConsumer' };
mkdirSync(muxOutputFolder, { recursive: true });

/** What MuxRecordingConsumer processed for `topic`, in the order it was written. */
export function processed(topic: string): MuxLine[] {
  return readJsonLines<MuxLine>(muxOutputFile(topic));
}

/** Payload numbers 0..count-1 never processed, and how many were processed more than once. */
export function audit(lines: readonly MuxLine[], count: number): { missing: number[]; duplicates: number } {
  const seen = new Map<number, number>();
  for (const l of lines) seen.set(l.n, (seen.get(l.n) ?? 0) + 1);
  const missing = Array.from({ length: count }, (_, i) => i).filter((n) => !seen.has(n));
  return { missing, duplicates: [...seen.values()].reduce((s, c) => s + c - 1, 0) };
}

let producer: Producer | undefined;

/** Produces test messages with raw KafkaJS (acks all), 500 a request. */
export async function produce(topic: string, messages: Array<{ partition: number; payload: MuxPayload }>): Promise<void> {
  if (producer === undefined) {
    producer = new Kafka({ clientId: 'mux-tests', brokers: brokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  }
  for (let i = 0; i < messages.length; i += 500) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500).map((m) => ({ partition: m.partition, value: JSON.stringify(m.payload) })) });
  }
}

export async function disconnectProducer(): Promise<void> {
  await producer?.disconnect();
  producer = undefined;
}

/** The tests' Kafka settings: quick rejoins, commits every 200 ms, no statistics. */
export const muxKafka = (group: string) =>
  ({
    'bootstrap.servers': brokers().join(','),
    'group.id': group,
    'session.timeout.ms': 10_000,
    'heartbeat.interval.ms': 1_000,
    'auto.commit.interval.ms': 200,
    'fetch.wait.max.ms': 100,
    'statistics.interval.ms': 0,
  }) as const;

/** An app of one multiplexed subscription group `events` on `topic` (no multiplexing when `mux` is null). */
export function muxApp(group: string, topic: string, mux: MultiplexingDefinition | null, extra: Partial<AppOptions> = {}, consumer = muxConsumer): App {
  return new App({
    kafka: muxKafka(group),
    features: [multiplexing()],
    concurrency: 2,
    concurrentJobsPerThread: 4,
    maxMessages: 20,
    maxWaitTimeMs: 100,
    routes: [
      {
        ...(mux === null ? {} : { subscriptionGroups: { events: { multiplexing: mux } } }),
        topics: [{ topic, subscriptionGroup: 'events', consumer }],
      },
    ],
    ...extra,
  });
}

/** Which connection holds each partition, kept up to date from `partitions.assigned` (each carries a connection's whole assignment). */
export function trackOwners(app: App): { owners: Map<number, number>; connections: () => number[] } {
  const owners = new Map<number, number>();
  const held = new Map<number, number[]>();
  app.on('partitions.assigned', (e) => {
    const connection = e.connection ?? 0;
    held.set(connection, e.partitions.map((p) => p.partition));
    for (const [c, ps] of held) if (c !== connection) held.set(c, ps.filter((p) => !e.partitions.some((x) => x.partition === p)));
    for (const p of e.partitions) owners.set(p.partition, connection);
  });
  app.on('partitions.revoked', (e) => {
    for (const p of e.partitions) if (owners.get(p.partition) === (e.connection ?? 0)) owners.delete(p.partition);
  });
  return { owners, connections: () => [...held.entries()].filter(([, ps]) => ps.length > 0).map(([c]) => c).sort() };
}

const cli = join(__dirname, '..', '..', '..', 'consumer-core', 'dist', 'cli.js');

/** Runs `decanter server fixtures/mux-app.ts` as its own process; resolves once it runs. */
export function startServer(env: Record<string, string>): Promise<ServerProcess> {
  return startDecanterServer(cli, join(fixtures, 'mux-app.ts'), env);
}
