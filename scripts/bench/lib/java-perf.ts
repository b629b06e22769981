// Runs Apache Kafka's own producer perf tool (scripts/kafka tool producer-perf-test) and parses
// its summary line: the Java client's ceiling on the same broker, measured in the same run.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

export interface JavaPerfResult {
  records: number;
  msgsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  raw: string;
}

export function javaProducerPerf(args: {
  brokers: string;
  topic: string;
  records: number;
  recordSize: number;
  producerProps: Record<string, string | number>;
  timeoutMs?: number;
}): Promise<JavaPerfResult> {
  const root = resolve(__dirname, '../../..');
  const props = Object.entries({ 'bootstrap.servers': args.brokers, ...args.producerProps }).map(([k, v]) => `${k}=${v}`);
  const argv = [
    'tool', 'producer-perf-test',
    '--topic', args.topic,
    '--num-records', String(args.records),
    '--record-size', String(args.recordSize),
    '--throughput', '-1',
    '--producer-props', ...props,
  ];
  return new Promise((done, fail) => {
    execFile(resolve(root, 'scripts/kafka'), argv, { timeout: args.timeoutMs ?? 180_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        fail(new Error(`producer-perf-test failed: ${error.message}\n${stderr}`));
        return;
      }
      // e.g. "1000000 records sent, 250000.0 records/sec (23.84 MB/sec), 45.3 ms avg latency, 300.0 ms max latency, ..."
      const line = stdout.split('\n').reverse().find((l) => l.includes('records sent')) ?? '';
      const m = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency/.exec(line);
      if (!m) {
        fail(new Error(`cannot parse producer-perf-test output:\n${stdout}\n${stderr}`));
        return;
      }
      done({
        records: Number(m[1]),
        msgsPerSec: Number(m[2]),
        mbPerSec: Number(m[3]),
        avgLatencyMs: Number(m[4]),
        maxLatencyMs: Number(m[5]),
        raw: line,
      });
    });
  });
}

export interface JavaLatencyResult {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

/**
 * Kafka's Java producer sending one record at a time, each awaited (JavaProducerLatency.java, run
 * as a source file on the broker's jars): the Java client's latency with the given linger.ms on
 * the same broker, measured to the microsecond.
 */
export function javaProducerLatency(args: { brokers: string; topic: string; lingerMs: number; warmup: number; count: number }): Promise<JavaLatencyResult> {
  const root = resolve(__dirname, '../../..');
  return new Promise((done, fail) => {
    execFile(resolve(root, 'scripts/kafka'), ['resolve'], (resolveError, libDir) => {
      if (resolveError) {
        fail(new Error(`scripts/kafka resolve failed: ${resolveError.message}`));
        return;
      }
      const argv = ['-cp', `${libDir.trim()}/*`, resolve(__dirname, 'JavaProducerLatency.java'), args.brokers, args.topic, String(args.lingerMs), String(args.warmup), String(args.count)];
      execFile('java', argv, { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
        if (error || line === undefined) {
          fail(new Error(`JavaProducerLatency failed: ${error?.message ?? 'no result line'}\n${stdout}\n${stderr}`));
          return;
        }
        const r = JSON.parse(line) as { count: number; p50_ms: number; p90_ms: number; p99_ms: number };
        done({ count: r.count, p50Ms: r.p50_ms, p90Ms: r.p90_ms, p99Ms: r.p99_ms });
      });
    });
  });
}
