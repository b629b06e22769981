// The worker entry, driven through the pool with packed jobs (no broker): deserializers, marks,
// seek requests, errors thrown by consume(), a thread that dies, and errors crossing the thread
// boundary (producer bridge → worker, worker → main) still being Decanter errors.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packMessages } from '../../../src/messages/message-packer';
import type { FetchedMessage } from '../../../src/messages/fetched-message';
import { QueueFullError, TransactionError } from '@decanter/producer';
import { hasErrorCode, isDecanterConsumerError, isDecanterError, PartitionRevokedError, TransactionFailedError } from '../../../src/errors';
import { ProducerBridge } from '../../../src/processing/producer-bridge';
import { reviveError } from '../../../src/processing/serialized-error';
import { WorkerPool } from '../../../src/processing/worker-pool';
import type { ConsumeTask } from '../../../src/processing/worker-protocol';
import { probeFile } from '../fixtures/probe-consumer';

const probeModule = join(__dirname, '..', 'fixtures', 'probe-consumer.ts');
const errorProbeModule = join(__dirname, '..', 'fixtures', 'error-probe-consumer.ts');
let pool: WorkerPool;
beforeAll(() => (pool = new WorkerPool(1)));
afterAll(() => pool.close());

const message = (offset: number, value: string, key: string | null = null): FetchedMessage => ({
  offset,
  timestamp: Date.now(),
  key: key === null ? null : Buffer.from(key),
  value: Buffer.from(value),
  headers: { h: 'v' },
  size: value.length,
});

function task(topic: string, messages: FetchedMessage[], extra: Partial<ConsumeTask> = {}): ConsumeTask {
  return {
    kind: 'consume',
    key: `g/${topic}/0`,
    consumerGroup: 'g',
    topic,
    partition: 0,
    consumer: { module: probeModule, export: 'ProbeConsumer' },
    deserializer: 'json',
    manualOffsetManagement: false,
    packed: packMessages(messages),
    readyAt: Date.now(),
    producerChannel: null,
    ...extra,
  };
}

function seen(topic: string): Array<Record<string, unknown>> {
  const file = probeFile(topic);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

const topicName = (name: string): string => {
  const topic = `${name}-${process.pid}-${Date.now()}`;
  rmSync(probeFile(topic), { force: true });
  return topic;
};

test('json payloads, keys and headers arrive; the last offset is marked; the instance persists', async () => {
  const topic = topicName('json');
  const first = await pool.consume(task(topic, [message(0, '{"a":1}', 'k'), message(1, '[2]')]));
  expect(first).toMatchObject({ markedOffset: 2, pause: null, error: null });
  await pool.consume(task(topic, [message(2, '3')]));
  expect(seen(topic).map((s) => [s['offset'], s['payload'], s['key'], s['calls']])).toEqual([
    [0, { a: 1 }, 'k', 1],
    [1, [2], null, 1],
    [2, 3, null, 2],
  ]);
  expect(seen(topic)[0]!['headers']).toEqual({ h: 'v' });
});

test('string and custom module deserializers', async () => {
  const a = topicName('string');
  await pool.consume(task(a, [message(0, 'plain')], { deserializer: 'string' }));
  expect(seen(a)[0]!['payload']).toBe('plain');
  const b = topicName('custom');
  await pool.consume(task(b, [message(0, 'plain')], { deserializer: { module: probeModule, export: 'upper' } }));
  expect(seen(b)[0]!['payload']).toBe('PLAIN');
});

test('manual offset management marks nothing on its own', async () => {
  const topic = topicName('manual');
  const result = await pool.consume(task(topic, [message(0, '1')], { manualOffsetManagement: true }));
  expect(result.markedOffset).toBeNull();
});

test('a seek request comes back and suppresses the automatic mark', async () => {
  const topic = topicName('seek');
  const result = await pool.consume(task(topic, [message(0, '1'), message(1, 'mark-and-seek'), message(2, '3')], { deserializer: 'string' }));
  expect(result.pause).toEqual({ offset: 0, timeoutMs: 0 });
  expect(result.markedOffset).toBe(2);
});

test('an error thrown by consume() is returned with the marks made before it', async () => {
  const topic = topicName('throw');
  const result = await pool.consume(task(topic, [message(0, '1'), message(1, 'throw')], { deserializer: 'string' }));
  expect(result.error).toMatchObject({ name: 'Error', message: 'thrown at 1' });
  expect(result.markedOffset).toBeNull();
});

test('a thread that dies fails its job; the lane gets a new thread that runs the next one', async () => {
  const topic = topicName('exit');
  await expect(pool.consume(task(topic, [message(0, 'exit')], { deserializer: 'string' }))).rejects.toThrow();
  const next = await pool.consume(task(topic, [message(1, '"ok"')]));
  expect(next).toMatchObject({ error: null, markedOffset: 2 });
});

describe('errors crossing the thread boundary', () => {
  let transactFailure: Error = new Error('unset');
  const channel = `decanter-test-errors-${process.pid}-${Date.now()}`;
  const bridge = new ProducerBridge(
    channel,
    {
      produceSync: () => Promise.reject(new QueueFullError('queue stayed full', { topic: 'out' })),
      produceAsync: () => Promise.reject(new Error('not used')),
    },
    () => Promise.reject(transactFailure),
  );
  afterAll(() => bridge.close());

  const run = (topic: string, payload: string, producerChannel: string | null = channel) =>
    pool.consume(task(topic, [message(0, payload)], { consumer: { module: errorProbeModule, export: 'ErrorProbeConsumer' }, deserializer: 'string', producerChannel }));

  test('a producer failure on the main thread reaches the worker as a Decanter consumer error whose cause keeps the producer code', async () => {
    const topic = topicName('bridge-produce');
    expect((await run(topic, 'produce')).error).toBeNull();
    expect(seen(topic)).toEqual([
      {
        name: 'ProducerUnavailableError',
        code: 'PRODUCER_UNAVAILABLE',
        retriable: false,
        context: {},
        isDecanterError: true,
        isDecanterConsumerError: true,
        cause: { name: 'QueueFullError', code: 'QUEUE_FULL', retriable: true, isDecanterError: true, isDecanterConsumerError: false, hasCode: true },
      },
    ]);
  });

  test('a consumer error thrown on the main thread (partition revoked) is rebuilt in the worker as one', async () => {
    const topic = topicName('bridge-revoked');
    transactFailure = new PartitionRevokedError('orders-0 was lost', { context: { topic: 'orders', partition: 0 } });
    await run(topic, 'transaction');
    expect(seen(topic)).toEqual([
      expect.objectContaining({ name: 'PartitionRevokedError', code: 'PARTITION_REVOKED', context: { topic: 'orders', partition: 0 }, isDecanterError: true, isDecanterConsumerError: true }),
    ]);
  });

  test('an aborted transaction reaches the worker as TRANSACTION_FAILED with the producer error as cause', async () => {
    const topic = topicName('bridge-aborted');
    transactFailure = new TransactionError('TRANSACTION_FAILED', 'aborted');
    await run(topic, 'transaction');
    expect(seen(topic)).toEqual([
      expect.objectContaining({
        code: 'TRANSACTION_FAILED',
        isDecanterError: true,
        isDecanterConsumerError: true,
        cause: expect.objectContaining({ name: 'TransactionError', code: 'TRANSACTION_FAILED', isDecanterError: true, isDecanterConsumerError: false }),
      }),
    ]);
  });

  test("a failure the main thread already wrapped in TRANSACTION_FAILED (runTransaction) is passed on, not wrapped twice", async () => {
    const topic = topicName('bridge-wrapped');
    transactFailure = new TransactionFailedError('the transaction failed', { cause: new TransactionError('TRANSACTION_FAILED', 'aborted') });
    await run(topic, 'transaction');
    expect(seen(topic)).toEqual([
      expect.objectContaining({
        code: 'TRANSACTION_FAILED',
        isDecanterConsumerError: true,
        cause: expect.objectContaining({ name: 'TransactionError', code: 'TRANSACTION_FAILED', isDecanterConsumerError: false }),
      }),
    ]);
  });

  test('a consumer error thrown by consume() in the worker comes back with its code and is rebuilt on the main thread as one', async () => {
    const topic = topicName('escaped');
    const { error } = await run(topic, 'no-producer', null);
    expect(error).toMatchObject({ name: 'ProducerUnavailableError', code: 'PRODUCER_UNAVAILABLE', consumer: true });
    const rebuilt = reviveError(error!);
    expect(isDecanterError(rebuilt)).toBe(true);
    expect(isDecanterConsumerError(rebuilt)).toBe(true);
    expect(hasErrorCode(rebuilt, 'PRODUCER_UNAVAILABLE')).toBe(true);
  });
});
