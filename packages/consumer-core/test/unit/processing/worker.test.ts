// The worker entry, driven through the pool with packed jobs (no broker): deserializers, marks,
// seek requests, errors thrown by consume(), and a thread that dies.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packMessages } from '../../../src/messages/message-packer';
import type { FetchedMessage } from '../../../src/messages/fetched-message';
import { WorkerPool } from '../../../src/processing/worker-pool';
import type { ConsumeTask } from '../../../src/processing/worker-protocol';
import { probeFile } from '../fixtures/probe-consumer';

const probeModule = join(__dirname, '..', 'fixtures', 'probe-consumer.ts');
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
