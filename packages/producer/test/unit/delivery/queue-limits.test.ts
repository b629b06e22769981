// Claim: the queue admits up to its message and byte limits, makes producers wait in FIFO order
// when full, admits a waiter as soon as room frees up (placing its message before any later call
// gets in), and fails it with QUEUE_FULL after the wait. While a pipeline reports a backlog,
// producers wait too (in the same order) and are let in when it clears; a wait for backlogs alone
// never fails: after BACKLOG_WAIT_MS (or a shorter max wait) backlogs are ignored until they have
// all cleared, and meanwhile one admission in YIELD_EVERY waits for a turn of the event loop.
import { QueueFullError } from '@decanter/producer';
import { BACKLOG_WAIT_MS, QueueLimits, YIELD_EVERY } from '../../../src/delivery/queue-limits';

const nothing = (): undefined => undefined;

it('admits up to max messages, then waiters get in FIFO as room frees up', async () => {
  const q = new QueueLimits(2, 1_000_000, 'p');
  expect(q.tryReserve(10)).toBe(true);
  expect(q.tryReserve(10)).toBe(true);
  expect(q.tryReserve(10)).toBe(false);
  const order: string[] = [];
  const a = q.reserve(10, 10_000, 't', () => order.push('a'));
  const b = q.reserve(10, 10_000, 't', () => order.push('b'));
  expect(q.tryReserve(10)).toBe(false); // waiters go first
  q.release(1, 10);
  await a;
  expect(order).toEqual(['a']);
  q.release(1, 10);
  await b;
  expect(order).toEqual(['a', 'b']);
  expect(q.messages).toBe(2);
});

it('a call made while a waiter is being let in cannot overtake it', async () => {
  const q = new QueueLimits(2, 1_000_000, 'p');
  q.tryReserve(10);
  q.tryReserve(10);
  const order: string[] = [];
  const a = q.reserve(10, 10_000, 't', () => order.push('a'));
  q.release(2, 20); // a is let in; its message is placed on a microtask
  expect(q.tryReserve(10)).toBe(false); // room for one more, but a is not placed yet
  const b = q.reserve(10, 10_000, 't', () => order.push('b'));
  await Promise.all([a, b]);
  expect(order).toEqual(['a', 'b']);
  expect(q.messages).toBe(2);
});

it('resolves with what `place` returns, and rejects with what it throws', async () => {
  const q = new QueueLimits(1, 1_000_000, 'p');
  q.tryReserve(10);
  const placed = q.reserve(10, 10_000, 't', () => 'queued');
  q.release(1, 10);
  await expect(placed).resolves.toBe('queued');
  const failing = q.reserve(10, 10_000, 't', () => {
    throw new Error('boom');
  });
  q.release(1, 10);
  await expect(failing).rejects.toThrow('boom');
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
  const error = await q.reserve(10, 20, 'topic-a', nothing).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(QueueFullError);
  expect((error as QueueFullError).retriable).toBe(true);
  expect((error as QueueFullError).message).toBe(
    "Producer 'orders' queue is full (1 messages / 10 bytes queued; limits queue.buffering.max.messages=1, queue.buffering.max.kbytes=1) and stayed full for 20 ms",
  );
  expect((error as QueueFullError).context).toEqual({ producerId: 'orders', topic: 'topic-a' });
});

describe('a pipeline backlog', () => {
  it('holds back admission below the limits and lets the waiters in, in order, when it clears', async () => {
    const q = new QueueLimits(100, 1_000_000, 'p');
    const pipelineA = {};
    const pipelineB = {};
    expect(q.tryReserve(10)).toBe(true);
    q.setBacklogged(pipelineA, true);
    q.setBacklogged(pipelineB, true);
    expect(q.tryReserve(10)).toBe(false);
    const order: string[] = [];
    const a = q.reserve(10, 10_000, 't', () => order.push('a'));
    const b = q.reserve(10, 10_000, 't', () => order.push('b'));
    q.setBacklogged(pipelineA, false);
    await Promise.resolve();
    expect(order).toEqual([]); // B still reports one
    expect(q.messages).toBe(1);
    q.setBacklogged(pipelineB, false);
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    expect(q.messages).toBe(3);
    expect(q.tryReserve(10)).toBe(true);
  });

  it('never fails a wait: after BACKLOG_WAIT_MS backlogs are ignored until they have all cleared', async () => {
    const q = new QueueLimits(100, 1_000_000, 'p');
    const pipeline = {};
    q.setBacklogged(pipeline, true);
    const start = performance.now();
    await expect(q.reserve(10, 60_000, 't', nothing)).resolves.toBeUndefined();
    expect(performance.now() - start).toBeGreaterThanOrEqual(BACKLOG_WAIT_MS - 5);
    expect(q.messages).toBe(1);
    expect(q.tryReserve(10)).toBe(true); // ignored from now on…
    q.setBacklogged(pipeline, false);
    q.setBacklogged(pipeline, true);
    expect(q.tryReserve(10)).toBe(false); // …until it cleared: a new backlog holds back again
  });

  it('a max wait shorter than BACKLOG_WAIT_MS ends the wait with admission, and backlogs are then ignored too', async () => {
    const q = new QueueLimits(100, 1_000_000, 'p');
    q.setBacklogged({}, true);
    await expect(q.reserve(10, 5, 't', nothing)).resolves.toBeUndefined();
    expect(q.messages).toBe(1);
    expect(q.tryReserve(10)).toBe(true); // not one wait of 5 ms per message
  });

  it('while backlogs are ignored, one admission in YIELD_EVERY waits for a turn of the event loop', async () => {
    const q = new QueueLimits(1_000_000, 1_000_000_000, 'p');
    q.setBacklogged({}, true);
    await q.reserve(10, 1, 't', nothing); // ignored from now on
    let admitted = 0;
    while (q.tryReserve(10)) admitted += 1;
    expect(admitted).toBe(YIELD_EVERY - 1);
    let turned = false;
    setImmediate(() => (turned = true));
    await q.reserve(10, 60_000, 't', nothing);
    expect(turned).toBe(true);
    expect(q.tryReserve(10)).toBe(true);
  });

  it('still fails with QueueFullError when the limits are reached as well', async () => {
    const q = new QueueLimits(1, 1_000_000, 'p');
    q.tryReserve(10);
    q.setBacklogged({}, true);
    await expect(q.reserve(10, 20, 't', nothing)).rejects.toBeInstanceOf(QueueFullError);
  });
});
