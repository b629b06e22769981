// Claim: the queue admits up to its message and byte limits, makes producers wait in FIFO order
// when full, admits a waiter as soon as room frees up, and fails it with QUEUE_FULL after the wait.
import { QueueFullError } from '@decanter/producer';
import { QueueLimits } from '../../../src/delivery/queue-limits';

it('admits up to max messages, then waiters get in FIFO as room frees up', async () => {
  const q = new QueueLimits(2, 1_000_000, 'p');
  expect(q.tryReserve(10)).toBe(true);
  expect(q.tryReserve(10)).toBe(true);
  expect(q.tryReserve(10)).toBe(false);
  const order: string[] = [];
  const a = q.reserve(10, 10_000, 't').then(() => order.push('a'));
  const b = q.reserve(10, 10_000, 't').then(() => order.push('b'));
  expect(q.tryReserve(10)).toBe(false); // waiters go first
  q.release(1, 10);
  await a;
  expect(order).toEqual(['a']);
  q.release(1, 10);
  await b;
  expect(order).toEqual(['a', 'b']);
  expect(q.messages).toBe(2);
});

it('limits bytes, but an empty queue always admits one message', () => {
  const q = new QueueLimits(100, 50, 'p');
  expect(q.tryReserve(80)).toBe(true);
  expect(q.tryReserve(1)).toBe(false);
  q.release(1, 80);
  expect(q.tryReserve(30)).toBe(true);
  expect(q.tryReserve(20)).toBe(true);
  expect(q.tryReserve(1)).toBe(false);
});

it('fails a waiter with QueueFullError after the max wait, naming the limits', async () => {
  const q = new QueueLimits(1, 1024, 'orders');
  q.tryReserve(10);
  const error = await q.reserve(10, 20, 'topic-a').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(QueueFullError);
  expect((error as QueueFullError).retriable).toBe(true);
  expect((error as QueueFullError).message).toBe(
    "Producer 'orders' queue is full (1 messages / 10 bytes queued; limits queue.buffering.max.messages=1, queue.buffering.max.kbytes=1) and stayed full for 20 ms",
  );
  expect((error as QueueFullError).context).toEqual({ producerId: 'orders', topic: 'topic-a' });
});
