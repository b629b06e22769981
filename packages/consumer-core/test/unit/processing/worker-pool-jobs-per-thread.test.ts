// concurrentJobsPerThread on real worker threads (the built worker entry, no broker): one thread
// runs jobs of several consumer instances at once, yet one instance never has two jobs in flight,
// and its revoked() runs after its last job.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packMessages } from '../../../src/messages/message-packer';
import { WorkerPool } from '../../../src/processing/worker-pool';
import type { ConsumeTask } from '../../../src/processing/worker-protocol';
import { overlapFile } from '../fixtures/overlap-consumer';

interface Entry {
  partition: number;
  event: 'start' | 'end' | 'revoked';
  job?: number;
  at: number;
}

const topic = `jobs-per-thread-${process.pid}`;
const task = (partition: number, job: number): ConsumeTask => ({
  kind: 'consume',
  key: `g/${topic}/${partition}`,
  consumerGroup: 'g',
  topic,
  partition,
  consumer: { module: join(__dirname, '..', 'fixtures', 'overlap-consumer.ts'), export: 'OverlapConsumer' },
  deserializer: 'raw',
  manualOffsetManagement: false,
  packed: packMessages([{ offset: job, timestamp: 0, key: null, value: Buffer.from('x'), headers: undefined, size: 1 }]),
  readyAt: Date.now(),
  producerChannel: null,
});
const entries = (): Entry[] =>
  existsSync(overlapFile(topic))
    ? readFileSync(overlapFile(topic), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Entry)
    : [];
/** Jobs of `partition` as [start, end] pairs, in start order. */
const intervals = (log: Entry[], partition: number): Array<[number, number]> =>
  log
    .filter((e) => e.partition === partition && e.event === 'start')
    .map((s) => [s.at, log.find((e) => e.partition === partition && e.event === 'end' && e.job === s.job)!.at]);

beforeEach(() => rmSync(overlapFile(topic), { force: true }));

test('one thread runs several instances at once, never two jobs of one instance', async () => {
  const pool = new WorkerPool(1, 4);
  try {
    await Promise.all([0, 1, 2].flatMap((job) => [pool.consume(task(0, job)), pool.consume(task(1, job))]));
    const log = entries();
    const overlapping = (list: Array<[number, number]>): boolean => list.some(([, end], i) => i + 1 < list.length && list[i + 1]![0] < end);
    expect({ 'an instance never has two jobs in flight': [overlapping(intervals(log, 0)), overlapping(intervals(log, 1))] }).toEqual({
      'an instance never has two jobs in flight': [false, false],
    });
    const [a] = intervals(log, 0);
    const [b] = intervals(log, 1);
    expect({ 'two instances run at once in one thread': b![0] < a![1] }).toEqual({ 'two instances run at once in one thread': true });
  } finally {
    await pool.close();
  }
});

test("revoked() runs after the instance's last queued job, also with several jobs per thread", async () => {
  const pool = new WorkerPool(1, 4);
  try {
    const jobs = [0, 1, 2].map((job) => pool.consume(task(0, job)));
    const revoked = pool.revoke([`g/${topic}/0`]);
    await Promise.all([...jobs, revoked]);
    const log = entries();
    const lastEnd = Math.max(...log.filter((e) => e.event === 'end').map((e) => e.at));
    const revokedAt = log.find((e) => e.event === 'revoked')?.at ?? -1;
    expect({ 'revoked() after the last job': revokedAt >= lastEnd }).toEqual({ 'revoked() after the last job': true });
  } finally {
    await pool.close();
  }
});
