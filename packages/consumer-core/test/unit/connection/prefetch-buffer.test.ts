import { PrefetchBuffer } from '../../../src/connection/prefetch-buffer';
import type { FetchedMessage } from '../../../src/messages/fetched-message';

const batch = (from: number, count: number, size = 10): FetchedMessage[] =>
  Array.from({ length: count }, (_, i) => ({ offset: from + i, timestamp: 0, key: null, value: Buffer.alloc(size), headers: undefined, size }));

test('counts bytes and reports full at the bound', () => {
  const buffer = new PrefetchBuffer(100);
  buffer.push('t', 0, batch(0, 5), false);
  expect([buffer.bytes, buffer.count, buffer.isFull()]).toEqual([50, 5, false]);
  buffer.push('t', 1, batch(0, 5), false);
  expect(buffer.isFull()).toBe(true);
  buffer.take(3);
  expect(buffer.isFull()).toBe(false);
});

test('take shares max fairly between partitions, keeping offset order within each', () => {
  const buffer = new PrefetchBuffer(10_000);
  buffer.push('t', 0, batch(0, 10), false);
  buffer.push('t', 1, batch(100, 10), false);
  buffer.push('t', 2, batch(200, 2), false);
  const first = buffer.take(12);
  expect(first.map((b) => [b.partition, b.messages.map((m) => m.offset)])).toEqual([
    [0, [0, 1, 2, 3, 4]],
    [1, [100, 101, 102, 103, 104]],
    [2, [200, 201]],
  ]);
  // the next poll starts with another partition; what one cannot use goes to the others
  const second = buffer.take(7);
  expect(second.map((b) => [b.partition, b.messages.map((m) => m.offset)])).toEqual([
    [1, [105, 106, 107, 108]],
    [0, [5, 6, 7]],
  ]);
  expect(buffer.count).toBe(3);
  expect(buffer.take(100).map((b) => b.messages.length).reduce((a, b) => a + b, 0)).toBe(3);
  expect([buffer.count, buffer.bytes]).toEqual([0, 0]);
});

test('take never hands out more than max, even with more partitions than messages wanted', () => {
  const buffer = new PrefetchBuffer(10_000);
  for (let p = 0; p < 5; p++) buffer.push('t', p, batch(0, 3), false);
  const taken = buffer.take(2);
  expect(taken.reduce((s, b) => s + b.messages.length, 0)).toBe(2);
});

test('drop removes one partition and its bytes', () => {
  const buffer = new PrefetchBuffer(10_000);
  buffer.push('t', 0, batch(0, 4), false);
  buffer.push('t', 1, batch(0, 2), false);
  expect(buffer.drop('t', 0)).toBe(4);
  expect([buffer.count, buffer.bytes, buffer.countFor('t', 0), buffer.countFor('t', 1)]).toEqual([2, 20, 0, 2]);
});

test('eof is tracked per partition while it has buffered messages', () => {
  const buffer = new PrefetchBuffer(10_000);
  buffer.push('t', 0, batch(0, 2), true);
  expect(buffer.hasEofPartition()).toBe(true);
  buffer.take(10);
  expect(buffer.hasEofPartition()).toBe(false);
});

test('waitForChange resolves on push, or on its timeout', async () => {
  const buffer = new PrefetchBuffer(10_000);
  const waiting = buffer.waitForChange(60_000);
  buffer.push('t', 0, batch(0, 1), false);
  await waiting;
  const started = Date.now();
  await buffer.waitForChange(20);
  expect(Date.now() - started).toBeGreaterThanOrEqual(15);
});
