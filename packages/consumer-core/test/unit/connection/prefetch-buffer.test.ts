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

test('take hands out at most max messages, in offset order per partition, rotating the start partition', () => {
  const buffer = new PrefetchBuffer(10_000);
  buffer.push('t', 0, batch(0, 4), false);
  buffer.push('t', 1, batch(100, 4), false);
  const first = buffer.take(6);
  expect(first.map((b) => [b.partition, b.messages.map((m) => m.offset)])).toEqual([
    [0, [0, 1, 2, 3]],
    [1, [100, 101]],
  ]);
  buffer.push('t', 0, batch(4, 2), false);
  const second = buffer.take(10);
  // the second poll starts with the other partition
  expect(second.map((b) => [b.partition, b.messages.map((m) => m.offset)])).toEqual([
    [1, [102, 103]],
    [0, [4, 5]],
  ]);
  expect(buffer.count).toBe(0);
  expect(buffer.bytes).toBe(0);
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
