// librdkafka as a baseline for the producer benchmarks, through node-rdkafka: the client a Node
// user would otherwise pick. It is not a dependency of the project: the first run installs it
// into .cache/bench-librdkafka (git-ignored), where npm builds librdkafka from node-rdkafka's
// bundled source against Node's own headers (npm_config_nodedir=/usr: no header download; ~3
// minutes here, no extra system packages). A failed install is reported, not fatal: the bench
// then prints why in `librdkafka_unavailable`.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const VERSION = '3.6.1';
const folder = resolve(__dirname, '..', '..', '..', '.cache', 'bench-librdkafka');

/** The part of node-rdkafka's Producer the benchmark uses. */
export interface RdkafkaProducer {
  connect(options: unknown, callback: (error: Error | null) => void): void;
  produce(topic: string, partition: number | null, value: Buffer, key?: Buffer | null, timestamp?: number | null, opaque?: unknown): boolean;
  poll(): void;
  setPollInterval(ms: number): void;
  flush(timeoutMs: number, callback: (error: Error | null) => void): void;
  disconnect(callback: (error: Error | null) => void): void;
  on(event: 'delivery-report', listener: (error: Error | null, report: unknown) => void): void;
  on(event: 'event.error', listener: (error: Error) => void): void;
}

export interface Rdkafka {
  Producer: new (config: Record<string, string | number | boolean>, topicConfig?: Record<string, string | number | boolean>) => RdkafkaProducer;
  librdkafkaVersion: string;
}

/** node-rdkafka, installed on first use; or why it could not be. */
export async function loadRdkafka(): Promise<{ rdkafka: Rdkafka } | { unavailable: string }> {
  const entry = join(folder, 'node_modules', 'node-rdkafka');
  try {
    if (!existsSync(join(entry, 'build', 'Release', 'node-librdkafka.node'))) {
      mkdirSync(folder, { recursive: true });
      process.stderr.write(`librdkafka: installing node-rdkafka@${VERSION} into ${folder} (builds librdkafka, a few minutes, once)…\n`);
      await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', folder, `node-rdkafka@${VERSION}`], {
        env: { ...process.env, npm_config_nodedir: process.env['npm_config_nodedir'] ?? '/usr' },
        timeout: 15 * 60_000,
        maxBuffer: 64 << 20,
      });
    }
    const rdkafka = createRequire(join(folder, 'package.json'))('node-rdkafka') as Rdkafka;
    return { rdkafka };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { unavailable: `node-rdkafka@${VERSION} could not be installed or loaded: ${message.split('\n').slice(-5).join(' ').slice(0, 400)}` };
  }
}

/**
 * Async produce of `payload` to `topic` for `seconds` with acks 1 and linger 5 ms (the
 * Decanter scenario's settings), delivery reports counted; the rate is acknowledged messages /
 * time from the first produce to the last report (flush included). A full local queue is waited out.
 */
export async function librdkafkaThroughput(rdkafka: Rdkafka, brokers: string[], topic: string, seconds: number, payload: Buffer): Promise<{ rate: number; count: number }> {
  const producer = new rdkafka.Producer({
    'metadata.broker.list': brokers.join(','),
    'linger.ms': 5,
    dr_cb: true,
    'queue.buffering.max.messages': 1_000_000,
  }, { 'request.required.acks': 1 });
  await new Promise<void>((done, fail) => producer.connect({}, (error) => (error ? fail(error) : done())));
  producer.setPollInterval(10); // delivery reports are handed to JavaScript by polling
  let delivered = 0;
  let failed = 0;
  producer.on('delivery-report', (error) => {
    if (error) failed += 1;
    else delivered += 1;
  });
  // warm-up: metadata for the topic, not counted
  producer.produce(topic, null, payload);
  await new Promise<void>((done, fail) => producer.flush(10_000, (error) => (error ? fail(error) : done())));
  delivered = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  let count = 0;
  while (performance.now() < until) {
    for (let i = 0; i < 256; i += 1) {
      try {
        producer.produce(topic, null, payload);
        count += 1;
      } catch {
        // the local queue is full: let librdkafka drain it
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  await new Promise<void>((done, fail) => producer.flush(60_000, (error) => (error ? fail(error) : done())));
  const waitUntil = performance.now() + 10_000;
  while (delivered + failed < count && performance.now() < waitUntil) await new Promise((r) => setTimeout(r, 10));
  const elapsed = (performance.now() - start) / 1000;
  await new Promise<void>((done) => producer.disconnect(() => done()));
  if (failed > 0) throw new Error(`librdkafka: ${failed} messages failed`);
  if (delivered < count) throw new Error(`librdkafka: ${count - delivered} of ${count} messages got no delivery report`);
  return { rate: delivered / elapsed, count: delivered };
}

/**
 * A producer that sends one message and waits for its delivery report (acks all, `linger.ms` as
 * given). node-rdkafka 3.6.1 has no background poll thread: delivery reports reach JavaScript
 * through poll(), which setPollInterval runs on a timer — here every 1 ms, the finest it takes.
 */
export async function librdkafkaSync(rdkafka: Rdkafka, brokers: string[], lingerMs: number): Promise<{ once(topic: string, payload: Buffer): Promise<void>; close(): Promise<void> }> {
  const producer = new rdkafka.Producer({ 'metadata.broker.list': brokers.join(','), 'linger.ms': lingerMs, dr_cb: true }, { 'request.required.acks': -1 });
  await new Promise<void>((done, fail) => producer.connect({}, (error) => (error ? fail(error) : done())));
  producer.setPollInterval(1);
  const waiting = new Map<number, { done: () => void; fail: (e: Error) => void }>();
  let next = 0;
  producer.on('delivery-report', (error, report) => {
    const id = (report as { opaque?: unknown }).opaque as number;
    const w = waiting.get(id);
    waiting.delete(id);
    if (error) w?.fail(error);
    else w?.done();
  });
  return {
    once: (topic, payload) =>
      new Promise<void>((done, fail) => {
        const id = next++;
        waiting.set(id, { done, fail });
        producer.produce(topic, null, payload, null, null, id);
      }),
    close: () => new Promise<void>((done) => producer.disconnect(() => done())),
  };
}
