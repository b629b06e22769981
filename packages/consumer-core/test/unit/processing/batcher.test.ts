import { PrefetchBuffer } from '../../../src/connection/prefetch-buffer';
import type { FetchedMessage } from '../../../src/messages/fetched-message';
import { Batcher } from '../../../src/processing/batcher';

const batch = (from: number, count: number): FetchedMessage[] =>
  Array.from({ length: count }, (_, i) => ({ offset: from + i, timestamp: 0, key: null, value: null, headers: undefined, size: 1 }));

const total = (taken: Array<{ messages: { length: number } }>): number => taken.reduce((s, t) => s + t.messages.length, 0);

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('returns at once with maxMessages when that many are buffered', async () => {
  const buffer = new PrefetchBuffer(1e9);
  buffer.push('t', 0, batch(0, 25), false);
  const taken = await new Batcher(buffer, { maxMessages: 10, maxWaitTimeMs: 60_000, enablePartitionEof: false }).poll();
  expect(total(taken)).toBe(10);
  expect(buffer.count).toBe(15);
});

test('returns as soon as maxMessages arrive while waiting', async () => {
  const buffer = new PrefetchBuffer(1e9);
  const batcher = new Batcher(buffer, { maxMessages: 10, maxWaitTimeMs: 60_000, enablePartitionEof: false });
  const poll = batcher.poll();
  buffer.push('t', 0, batch(0, 4), false);
  await Promise.resolve();
  buffer.push('t', 0, batch(4, 8), false);
  expect(total(await poll)).toBe(10);
});

test('with too few messages, waits maxWaitTimeMs and hands out what there is', async () => {
  const buffer = new PrefetchBuffer(1e9);
  const batcher = new Batcher(buffer, { maxMessages: 10, maxWaitTimeMs: 1000, enablePartitionEof: false });
  buffer.push('t', 0, batch(0, 3), false);
  let done = false;
  const poll = batcher.poll().then((t) => {
    done = true;
    return t;
  });
  await jest.advanceTimersByTimeAsync(900);
  expect(done).toBe(false);
  await jest.advanceTimersByTimeAsync(200);
  expect(done).toBe(true);
  expect(total(await poll)).toBe(3);
});

test('with enable.partition.eof, a partition at its end goes out without waiting', async () => {
  const buffer = new PrefetchBuffer(1e9);
  buffer.push('t', 0, batch(0, 3), true);
  const taken = await new Batcher(buffer, { maxMessages: 10, maxWaitTimeMs: 60_000, enablePartitionEof: true }).poll();
  expect(total(taken)).toBe(3);
});

test('without enable.partition.eof, the end of a partition does not cut the wait short', async () => {
  const buffer = new PrefetchBuffer(1e9);
  buffer.push('t', 0, batch(0, 3), true);
  let done = false;
  void new Batcher(buffer, { maxMessages: 10, maxWaitTimeMs: 1000, enablePartitionEof: false }).poll().then(() => (done = true));
  await jest.advanceTimersByTimeAsync(500);
  expect(done).toBe(false);
  await jest.advanceTimersByTimeAsync(600);
  expect(done).toBe(true);
});

test('stop() ends a waiting poll at once with nothing handed out', async () => {
  const buffer = new PrefetchBuffer(1e9);
  buffer.push('t', 0, batch(0, 3), false);
  const batcher = new Batcher(buffer, { maxMessages: 10, maxWaitTimeMs: 60_000, enablePartitionEof: false });
  const poll = batcher.poll();
  batcher.stop();
  expect(await poll).toEqual([]);
  expect(buffer.count).toBe(3);
});
