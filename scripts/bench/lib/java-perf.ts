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
