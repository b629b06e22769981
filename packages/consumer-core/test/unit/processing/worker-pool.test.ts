// Partition → lane affinity of the worker pool (threads from the built worker entry, no broker).
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packMessages } from '../../../src/messages/message-packer';
import { WorkerPool, workerExecArgv } from '../../../src/processing/worker-pool';

test('partitions are pinned to the least loaded lane and stay there', async () => {
  const pool = new WorkerPool(2);
  try {
    expect(['g/t/0', 'g/t/1', 'g/t/2', 'g/t/3'].map((k) => pool.laneFor(k))).toEqual([0, 1, 0, 1]);
    expect(pool.laneFor('g/t/2')).toBe(0);
    // unpinning frees the lane's share: new partitions fill the lighter lane first
    await pool.revoke(['g/t/0', 'g/t/2']);
    expect(['g/u/0', 'g/u/1', 'g/u/2'].map((k) => pool.laneFor(k))).toEqual([0, 0, 0]);
    expect(pool.laneFor('g/u/3')).toBe(1);
  } finally {
    await pool.close();
  }
});

test('lifecycle tasks run on every lane and report no errors without instances', async () => {
  const pool = new WorkerPool(3);
  try {
    expect(await pool.shutdown()).toEqual({ errors: [] });
  } finally {
    await pool.close();
  }
});

// Regression: piscina's default maxQueue ('auto' = maxThreads² = 1 for a one-thread lane) made
// the third job queued on a lane fail with "Task queue is at limit" (4 partitions, concurrency 1).
test('a lane queues as many jobs as partitions pinned to it', async () => {
  const pool = new WorkerPool(1);
  try {
    const results = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((partition) =>
        pool.consume({
          kind: 'consume',
          key: `g/t/${partition}`,
          consumerGroup: 'g',
          topic: 't',
          partition,
          consumer: { module: join(__dirname, '..', 'fixtures', 'noop-consumer.ts'), export: 'NoopConsumer' },
          deserializer: 'raw',
          manualOffsetManagement: false,
          packed: packMessages([{ offset: 0, timestamp: 0, key: null, value: Buffer.from('x'), headers: undefined, size: 1 }]),
          readyAt: Date.now(),
          producerChannel: null,
        }),
      ),
    );
    expect(results.map((r) => r.markedOffset)).toEqual([1, 1, 1, 1, 1, 1]);
  } finally {
    await pool.close();
  }
});

describe('workerExecArgv', () => {
  it('inherits the parent flags (undefined) when nothing preloads ts-node', () => {
    expect(workerExecArgv(['--expose-gc', '-r', 'dotenv/config'])).toBeUndefined();
  });

  it('drops ts-node preloads in every spelling, keeps other preloads and no process-wide flags', () => {
    expect(
      workerExecArgv([
        '--expose-gc',
        '-r',
        'ts-node/register/transpile-only',
        '--require',
        '/repo/node_modules/ts-node/register',
        '--require=ts-node/register',
        '-r',
        'dotenv/config',
        '--max-old-space-size=512',
      ]),
    ).toEqual(['-r', 'dotenv/config']);
  });

  it('gives a Worker flags it accepts (a Worker refuses --expose-gc given explicitly)', async () => {
    const execArgv = workerExecArgv(['--expose-gc', '-r', 'ts-node/register/transpile-only']);
    const worker = new Worker('0', { eval: true, execArgv });
    await worker.terminate();
  });
});
