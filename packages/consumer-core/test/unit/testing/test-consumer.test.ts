// Claim: a consumer under the testing kit runs consume() in-process exactly as a worker would:
// messages deserialized lazily by the route's deserializer, state kept across batches, marks and
// pause/seek requests applied to its position, errors thrown at the test with the retry starting
// at the first unmarked message, and everything produced through this.producer recorded.
import { join } from 'node:path';
import type { RoutesDefinition, TopicRouteDefinition } from '@decanter/consumer-core';
import { createTestingKit } from '@decanter/consumer-core/testing';
import {
  CollectingConsumer,
  FailingConsumer,
  ForwardingConsumer,
  KeysOnlyConsumer,
  SlowConsumer,
  SteeringConsumer,
} from './fixtures/kit-consumers';

const fixtures = join(__dirname, 'fixtures', 'kit-consumers');

function kitWith(exportName: string, route: Partial<TopicRouteDefinition> = {}): ReturnType<typeof createTestingKit> {
  const routes: RoutesDefinition = [
    { consumerGroup: 'g', topics: [{ topic: 'orders', consumer: { module: fixtures, export: exportName }, ...route }] },
  ];
  return createTestingKit(routes);
}

test('messages arrive with offsets, keys, headers, timestamps and JSON payloads; batch metadata is filled', async () => {
  const kit = kitWith('CollectingConsumer');
  const consumer = kit.consumerFor<CollectingConsumer>('orders', { partition: 2 });
  const at = new Date('2026-01-02T03:04:05Z');
  expect(
    kit.produce(
      'orders',
      { id: 7 },
      { partition: 2, key: 'customer-1', headers: { trace: Buffer.from('abc'), tags: ['a', 'b'] }, timestamp: at },
    ),
  ).toEqual({
    topic: 'orders',
    partition: 2,
    offset: 0,
  });
  consumer.feed([{ id: 8 }, '[1,2]', null]); // a string is the raw value itself, not JSON-encoded again
  const run = await consumer.consume();

  expect(run).toEqual({ size: 4, firstOffset: 0, lastOffset: 3, markedOffset: 4, pause: null });
  const [first, second] = consumer.instance.seen;
  expect(first).toEqual({
    offset: 0,
    key: 'customer-1',
    payload: { id: 7 },
    headers: { trace: 'abc', tags: ['a', 'b'] },
  });
  expect(second).toMatchObject({ offset: 1, key: null, payload: { id: 8 }, headers: {} });
  const metadata = consumer.instance.batches[0];
  expect(metadata).toMatchObject({
    topic: 'orders',
    partition: 2,
    consumerGroup: 'g',
    size: 4,
    firstOffset: 0,
    lastOffset: 3,
  });
  expect(metadata?.consumptionLag).toBeGreaterThanOrEqual(0);
  expect(consumer.instance.seen.slice(2).map((s) => s.payload)).toEqual([[1, 2], null]);
}, 10_000);

test('a payload that is not JSON fails only when read: the error reaches the test', async () => {
  const kit = kitWith('CollectingConsumer');
  const consumer = kit.consumerFor<CollectingConsumer>('orders');
  consumer.feed(['{not json']);
  await expect(consumer.consume()).rejects.toThrow(SyntaxError);
  expect(consumer.markedOffset).toBeNull();

  const lazy = kitWith('KeysOnlyConsumer');
  const keysOnly = lazy.consumerFor<KeysOnlyConsumer>('orders');
  keysOnly.feed(['{not json'], { key: 'k' });
  await expect(keysOnly.consume()).resolves.toMatchObject({ markedOffset: 1 });
  expect(keysOnly.instance.keys).toEqual(['k']);
});

test("the route's deserializer is used: string, raw and a custom module", async () => {
  for (const [deserializer, expected] of [
    ['string', '{"a":1}'],
    ['raw', Buffer.from('{"a":1}')],
    [{ module: fixtures, export: 'shout' }, '{"A":1}'],
  ] as const) {
    const consumer = kitWith('CollectingConsumer', { deserializer }).consumerFor<CollectingConsumer>('orders');
    consumer.feed([{ a: 1 }]);
    await consumer.consume();
    expect(consumer.instance.seen[0]?.payload).toEqual(expected);
  }
});

test('state persists across consume() calls on one instance; batches follow maxMessages', async () => {
  CollectingConsumer.created = 0;
  const kit = kitWith('CollectingConsumer', { maxMessages: 3 });
  const consumer = kit.consumerFor<CollectingConsumer>('orders');
  consumer.feed([1, 2, 3, 4, 5]);
  expect(consumer.pending).toBe(5);
  expect(await consumer.consume()).toMatchObject({ size: 3, firstOffset: 0, lastOffset: 2, markedOffset: 3 });
  expect(consumer.pending).toBe(2);
  expect(await consumer.consume()).toMatchObject({ size: 2, firstOffset: 3, lastOffset: 4, markedOffset: 5 });
  expect(consumer.instance.seen.map((s) => s.payload)).toEqual([1, 2, 3, 4, 5]);
  expect(consumer.instance.batches).toHaveLength(2);
  expect(CollectingConsumer.created).toBe(1);
  expect(consumer.markedOffset).toBe(5);
  expect(consumer.position).toBe(5);
  await expect(consumer.consume()).rejects.toThrow(
    "Nothing to consume on orders-0 (g) from offset 5: feed messages first with kit.produce('orders', payload)",
  );
});

test('explicit offsets may leave gaps but never go back', async () => {
  const kit = kitWith('CollectingConsumer');
  const consumer = kit.consumerFor<CollectingConsumer>('orders');
  kit.produce('orders', 1, { offset: 10 });
  kit.produce('orders', 2);
  expect(() => kit.produce('orders', 3, { offset: 5 })).toThrow(
    'offset of a message fed to orders-0 must be an integer >= 12 (got 5)',
  );
  expect(() => kit.produce('orders', undefined)).toThrow('Cannot feed undefined as a payload');
  await consumer.consume();
  expect(consumer.instance.seen.map((s) => s.offset)).toEqual([10, 11]);
  expect(consumer.markedOffset).toBe(12);
});

test('consume() that throws: the same error reaches the test, marks made before it count, the next call retries from the first unmarked message', async () => {
  const kit = kitWith('FailingConsumer');
  const consumer = kit.consumerFor<FailingConsumer>('orders');
  consumer.feed([{ n: 0 }, { n: 1 }, { n: 2, fail: true }, { n: 3 }]);
  await expect(consumer.consume()).rejects.toBe(FailingConsumer.failure);
  expect(consumer.markedOffset).toBe(2);
  expect(consumer.position).toBe(2);
  await expect(consumer.consume()).rejects.toBe(FailingConsumer.failure);
  expect(await consumer.consume()).toMatchObject({ size: 2, firstOffset: 2, lastOffset: 3, markedOffset: 4 });
  expect(consumer.instance.attempts).toBe(3);
  expect(consumer.instance.done).toEqual([0, 1, 2, 3]);
});

test('manual offset management: only what consume() marks is marked', async () => {
  const consumer = kitWith('EvenMarkingConsumer', { manualOffsetManagement: true }).consumerFor('orders');
  consumer.feed([0, 1, 2, 3]);
  expect(await consumer.consume()).toMatchObject({ markedOffset: 3 });
  expect(consumer.markedOffset).toBe(3);

  const automatic = kitWith('EvenMarkingConsumer').consumerFor('orders');
  automatic.feed([0, 1, 2, 3]);
  expect(await automatic.consume()).toMatchObject({ markedOffset: 4 });
});

test('seek moves the position (back included) and skips the automatic mark; pause is recorded with its timeout', async () => {
  const kit = kitWith('SteeringConsumer');
  const consumer = kit.consumerFor<SteeringConsumer>('orders');
  consumer.feed([{}, {}, { seek: 1 }, {}]);
  expect(await consumer.consume()).toEqual({
    size: 4,
    firstOffset: 0,
    lastOffset: 3,
    markedOffset: null,
    pause: { offset: 1, timeoutMs: 0 },
  });
  expect(consumer.pause).toEqual({ offset: 1, timeoutMs: 0 });
  expect(consumer.position).toBe(1);
  expect(await consumer.consume()).toMatchObject({ firstOffset: 1, markedOffset: 4, pause: null });
  expect(consumer.pause).toBeNull();
  expect(consumer.instance.offsets).toEqual([0, 1, 2, 1, 2, 3]);

  const paused = kitWith('SteeringConsumer').consumerFor<SteeringConsumer>('orders');
  paused.feed([{}, {}, { pause: 5_000 }, {}]);
  expect(await paused.consume()).toMatchObject({ markedOffset: 2, pause: { offset: 2, timeoutMs: 5_000 } });
  expect(paused.position).toBe(2);
  expect(paused.markedOffset).toBe(2);
});

test('revoke() runs revoked(), and the next consume() gets a fresh instance from the marked offset', async () => {
  const kit = kitWith('FailingConsumer');
  const consumer = kit.consumerFor<FailingConsumer>('orders');
  consumer.feed([{ n: 0 }, { n: 1, fail: true }, { n: 2 }]);
  await expect(consumer.consume()).rejects.toBe(FailingConsumer.failure);
  const before = consumer.instance;
  await consumer.revoke();
  expect(consumer.instance).not.toBe(before);
  expect(consumer.position).toBe(1);
  await expect(consumer.consume()).rejects.toBe(FailingConsumer.failure); // fresh attempts counter
  expect(consumer.instance.attempts).toBe(1);

  const collecting = kitWith('CollectingConsumer').consumerFor<CollectingConsumer>('orders');
  const first = collecting.instance;
  await collecting.revoke();
  expect(first.hooks).toEqual(['revoked']);
  collecting.feed([1]);
  await collecting.consume();
  expect(first.seen).toEqual([]);
  expect(collecting.instance.seen).toHaveLength(1);
});

test('this.producer records every message (sync and async) with plausible reports; a bad message is rejected as in production', async () => {
  const kit = kitWith('ForwardingConsumer');
  const p0 = kit.consumerFor<ForwardingConsumer>('orders', { partition: 0 });
  const p1 = kit.consumerFor<ForwardingConsumer>('orders', { partition: 1 });
  p0.feed([{ n: 0 }, { n: 1 }, { n: 2 }], { key: 'k' });
  p1.feed([{ n: 4 }]);
  await p0.consume();
  await p1.consume();

  expect(kit.produced.map((m) => [m.topic, m.key, m.partition, String(m.payload), m.headers?.['source']])).toEqual([
    ['forwarded', 'k', undefined, '{"n":0}', 'orders-0@0'],
    ['forwarded', 'k', 3, '{"n":10}', 'orders-0@1'],
    ['forwarded', 'k', undefined, '{"n":20}', 'orders-0@2'],
    ['forwarded', null, undefined, '{"n":40}', 'orders-1@0'],
  ]);
  expect(p0.produced).toHaveLength(3);
  expect(p1.produced).toEqual([kit.produced[3]]);
  expect(p0.instance.reports).toEqual([
    { topic: 'forwarded', partition: 0, offset: '0' },
    { topic: 'forwarded', partition: 0, offset: '1' },
  ]);
  expect(p1.instance.reports).toEqual([{ topic: 'forwarded', partition: 0, offset: '2' }]);

  const outage = new Error('broker unreachable');
  kit.failProducing(outage);
  p1.feed([{ n: 6 }]);
  await expect(p1.consume()).rejects.toMatchObject({
    code: 'PRODUCER_UNAVAILABLE',
    message: 'broker unreachable',
    cause: outage,
  });
  expect(kit.produced).toHaveLength(4);
  expect(p1.markedOffset).toBe(1);
  kit.failProducing(null);
  await p1.consume();
  expect(kit.produced).toHaveLength(5);
  expect(p1.markedOffset).toBe(2);

  const bad = kitWith('BadProducingConsumer').consumerFor('orders');
  bad.feed([1]);
  await expect(bad.consume()).rejects.toMatchObject({
    code: 'PRODUCER_UNAVAILABLE',
    message: expect.stringContaining('message.payload must be a Buffer, a string or null') as unknown,
  });
});

test('two consume() calls of one partition never overlap', async () => {
  const consumer = kitWith('SlowConsumer').consumerFor<SlowConsumer>('orders');
  let open = (): void => undefined;
  SlowConsumer.gate = new Promise((resolve) => (open = resolve));
  consumer.feed([1, 2]);
  const running = consumer.consume();
  await expect(consumer.consume()).rejects.toThrow('consume() of orders-0 (g) is already running');
  open();
  await expect(running).resolves.toMatchObject({ markedOffset: 2 });
});
