import { PrefetchBuffer } from '../../../src/connection/prefetch-buffer';
import type { FetchedMessage } from '../../../src/messages/fetched-message';

const batch = (from: number, count: number, size = 10): FetchedMessage[] =>
  Array.from({ length: count }, (_, i) => ({ offset: from + i, timestamp: 0, key: null, value: Buffer.alloc(size), headers: undefined, size }));

// the bytes really held: a 32-byte record, the key/value bytes, and a 4-byte index entry per message (+1 per chunk)
const held = (count: number, size = 10): number => count * (32 + size) + (count + 1) * 4;

test('counts the bytes held and reports full at the bound', () => {
  const buffer = new PrefetchBuffer(400);
  buffer.push('t', 0, batch(0, 5), false);
  expect([buffer.bytes, buffer.count, buffer.isFull()]).toEqual([held(5), 5, false]);
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
  expect(first.map((b) => [b.partition, b.messages.toArray().map((m) => m.offset)])).toEqual([
    [0, [0, 1, 2, 3, 4]],
    [1, [100, 101, 102, 103, 104]],
    [2, [200, 201]],
  ]);
  // the next poll starts with another partition; what one cannot use goes to the others
  const second = buffer.take(7);
  expect(second.map((b) => [b.partition, b.messages.toArray().map((m) => m.offset)])).toEqual([
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
  expect([buffer.count, buffer.bytes, buffer.countFor('t', 0), buffer.countFor('t', 1)]).toEqual([2, held(2), 0, 2]);
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

test('takes cross fetched-batch boundaries in order, and the bytes return to zero when all is taken', () => {
  const buffer = new PrefetchBuffer(1_000_000);
  buffer.push('t', 0, batch(0, 3), false);
  buffer.push('t', 0, batch(3, 4), false);
  buffer.push('t', 0, batch(7, 2), false);
  expect(buffer.bytes).toBe(held(3) + held(4) + held(2));
  const offsets = (taken: ReturnType<PrefetchBuffer['take']>): number[] => taken.flatMap((b) => b.messages.toArray().map((m) => m.offset));
  expect(offsets(buffer.take(2))).toEqual([0, 1]);
  expect(offsets(buffer.take(6))).toEqual([2, 3, 4, 5, 6, 7]);
  expect([buffer.count, buffer.countFor('t', 0)]).toEqual([1, 1]);
  expect(buffer.bytes).toBe(32 + 10 + 3 * 4); // the one message left, and its chunk's whole index (2 messages + 1)
  expect(offsets(buffer.take(5))).toEqual([8]);
  expect([buffer.count, buffer.bytes]).toEqual([0, 0]);
});
