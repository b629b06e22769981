// Claim: a fetched batch still queued for packing (KafkaJS's eachBatch returned, the copy into the
// prefetch buffer waits for the end of the event-loop turn) never reaches the buffer, nor the
// offset tracker's fetch position, once the position it was fetched at no longer holds: after
// pause(), resumeAt() (a seek), a rejoin, a restart after a crash, a failed pack, and stop().
// hasPending() forgets it at once, and so do the queued bytes that count against
// queued.max.messages.kbytes: a discarded batch still counted would pack later batches early.
// The listener is driven through a fake KafkaJS consumer (Kafka#consumer is stubbed): no broker.
import { Kafka, type Consumer as KafkaConsumer, type EachBatchPayload } from 'kafkajs';
import { Listener } from '../../../src/connection/listener';
import { PrefetchBuffer } from '../../../src/connection/prefetch-buffer';
import { Monitor } from '../../../src/instrumentation/monitor';
import { PackedChunk } from '../../../src/messages/packed-chunk';
import type { ResolvedFetchSettings, ResolvedKafkaSettings } from '../../../src/options';
import type { SubscriptionGroup } from '../../../src/routing/subscription-group';
import type { Topic } from '../../../src/routing/topic';
import { kafkaJsMessages } from './support';

const TOPIC = 't';
const LIMIT_BYTES = 1_000;
// a big batch nearly fills the bound on its own: if its bytes were still counted once discarded,
// two small batches queued after it would cross the bound and be packed early (inside eachBatch).
// A queued message counts as it will be held once packed: its value plus 36 bytes of record and
// index, so 3 × 280 + 108 = 948 bytes.
const BIG = 840;
const SMALL = 50;
const BACKOFF_MS = 4_321;

const fetch: ResolvedFetchSettings = {
  fetchWaitMaxMs: 100,
  fetchMinBytes: 1,
  fetchMessageMaxBytes: 1_048_576,
  fetchMaxBytes: 10_485_760,
  queuedMaxMessagesKbytes: 1,
  enablePartitionEof: false,
};

const kafka: ResolvedKafkaSettings = {
  ...fetch,
  brokers: ['127.0.0.1:1'], // never dialled: the KafkaJS consumer is a fake
  groupId: undefined,
  clientId: 'listener-discards',
  fetchErrorBackoffMs: BACKOFF_MS,
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 3_000,
  rebalanceTimeoutMs: 60_000,
  autoOffsetReset: 'earliest',
  autoCommitIntervalMs: 5_000,
  readUncommitted: false,
  statisticsIntervalMs: 5_000,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
  ssl: undefined,
  sasl: undefined,
};

const group: SubscriptionGroup = {
  id: 'sg',
  consumerGroup: 'cg',
  // the listener reads only the name and initial offset of a topic
  topics: [{ name: TOPIC, initialOffset: 'earliest' } as Topic],
  maxMessages: 100,
  maxWaitTimeMs: 100,
  fetch,
};

type Handler = (event: { payload: unknown }) => void;

/** The part of a KafkaJS consumer the listener uses, recording what it is asked to do. */
function fakeKafkaConsumer() {
  const handlers = new Map<string, Handler[]>();
  const fake = {
    events: { GROUP_JOIN: 'consumer.group_join', REBALANCING: 'consumer.rebalancing', CRASH: 'consumer.crash' },
    eachBatch: undefined as ((payload: EachBatchPayload) => Promise<void>) | undefined,
    on: (event: string, handler: Handler) => {
      handlers.set(event, [...(handlers.get(event) ?? []), handler]);
      return () => undefined;
    },
    emit: (event: string, payload: unknown) => {
      for (const handler of handlers.get(event) ?? []) handler({ payload });
    },
    connect: jest.fn(async () => undefined),
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(async ({ eachBatch }: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
      fake.eachBatch = eachBatch;
    }),
    pause: jest.fn(),
    resume: jest.fn(),
    paused: jest.fn(() => []),
    seek: jest.fn(),
    stop: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    commitOffsets: jest.fn(async () => undefined),
  };
  return fake;
}

/** Resolves after the listener's setImmediate pack of everything queued so far. */
const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// stopped after each test, so a pack or restart one test left scheduled never runs into the next
const running: Listener[] = [];

async function startedListener() {
  const consumer = fakeKafkaConsumer();
  jest.spyOn(Kafka.prototype, 'consumer').mockReturnValue(consumer as unknown as KafkaConsumer);
  const buffer = new PrefetchBuffer(LIMIT_BYTES);
  const monitor = new Monitor();
  const hooks = {
    onFetched: jest.fn(),
    onAssignment: jest.fn(),
    onRebalancing: jest.fn(async () => undefined),
    onRestart: jest.fn(),
  };
  const listener = new Listener(group, kafka, buffer, monitor, hooks, 'test');
  await listener.start();
  running.push(listener);

  /** KafkaJS hands one batch of `count` messages of `size` value bytes to eachBatch; it returns once queued. */
  const deliver = async (partition: number, from: number, count: number, size: number): Promise<void> => {
    const messages = kafkaJsMessages(from, count, size);
    const payload = {
      batch: { topic: TOPIC, partition, highWatermark: String(from + count + 1_000), messages },
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
    };
    await consumer.eachBatch!(payload as unknown as EachBatchPayload);
  };

  /** Offsets of `partition` that reached the prefetch buffer, in order. */
  const buffered = (partition: number): number[] => {
    const out: number[] = [];
    // take() drains the buffer: call it last
    for (const taken of buffer.take(1_000_000))
      if (taken.partition === partition) out.push(...taken.messages.toArray().map((m) => m.offset));
    return out;
  };

  /**
   * Queues two small batches: with only their bytes counted they stay under the bound and are
   * packed at the end of the turn; a discarded batch still counted would get them packed at once.
   */
  const expectBoundCountsOnlyLiveBatches = async (partition: number, from: number): Promise<void> => {
    const before = buffer.count;
    await deliver(partition, from, 1, SMALL);
    await deliver(partition, from + 1, 1, SMALL);
    expect(buffer.count).toBe(before);
    await endOfTurn();
    expect(buffer.count).toBe(before + 2);
  };

  return { consumer, buffer, monitor, hooks, listener, deliver, buffered, expectBoundCountsOnlyLiveBatches };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((listener) => listener.stop()));
  jest.useRealTimers();
  jest.restoreAllMocks();
});

test('pause() discards the queued batches of that partition only, and their bytes', async () => {
  const h = await startedListener();
  await h.deliver(0, 0, 3, BIG / 3);
  await h.deliver(1, 0, 1, SMALL);
  expect([h.listener.hasPending(TOPIC, 0), h.listener.hasPending(TOPIC, 1)]).toEqual([true, true]);

  h.listener.pause(TOPIC, 0);
  expect([h.listener.hasPending(TOPIC, 0), h.listener.hasPending(TOPIC, 1)]).toEqual([false, true]);
  await endOfTurn();
  expect(h.buffer.countFor(TOPIC, 0)).toBe(0);
  expect(h.buffer.countFor(TOPIC, 1)).toBe(1);
  expect(h.hooks.onFetched.mock.calls.map(([, partition]) => partition)).toEqual([1]);
  expect(h.consumer.pause).toHaveBeenCalledWith([{ topic: TOPIC, partitions: [0] }]);

  await h.expectBoundCountsOnlyLiveBatches(1, 1);
});

test('resumeAt() (a seek) discards the batches queued before it; those fetched after it are packed', async () => {
  const h = await startedListener();
  // no pause() first: the runner always pauses before resumeAt, which already discards, so this
  // pins resumeAt's own promise that batches fetched before the seek are stale
  await h.deliver(0, 0, 3, BIG / 3);
  await h.deliver(1, 0, 1, SMALL);

  h.listener.resumeAt(TOPIC, 0, 42);
  expect([h.listener.hasPending(TOPIC, 0), h.listener.hasPending(TOPIC, 1)]).toEqual([false, true]);
  expect(h.consumer.seek).toHaveBeenCalledWith({ topic: TOPIC, partition: 0, offset: '42' });
  await endOfTurn();
  expect(h.buffer.countFor(TOPIC, 0)).toBe(0);
  expect(h.hooks.onFetched.mock.calls.map(([, partition]) => partition)).toEqual([1]);

  await h.expectBoundCountsOnlyLiveBatches(0, 42);
  expect(h.buffered(0)).toEqual([42, 43]);
});

test('a rejoin (GROUP_JOIN: everything was revoked) discards every queued batch and its bytes', async () => {
  const h = await startedListener();
  await h.deliver(0, 0, 3, BIG / 3);
  await h.deliver(1, 0, 1, SMALL);

  h.consumer.emit(h.consumer.events.GROUP_JOIN, { memberAssignment: { [TOPIC]: [1] } });
  expect([h.listener.hasPending(TOPIC, 0), h.listener.hasPending(TOPIC, 1)]).toEqual([false, false]);
  expect(h.hooks.onAssignment).toHaveBeenCalledWith([{ topic: TOPIC, partition: 1 }], false);
  await endOfTurn();
  expect([h.buffer.count, h.buffer.bytes]).toEqual([0, 0]);
  expect(h.hooks.onFetched).not.toHaveBeenCalled();

  // the new generation fetches partition 1 again from its committed offset
  await h.expectBoundCountsOnlyLiveBatches(1, 0);
  expect(h.buffered(1)).toEqual([0, 1]);
});

test('after a crash, a batch KafkaJS still delivers is dropped at once; the restart after the backoff fetches again', async () => {
  const h = await startedListener();
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask'] });
  h.consumer.emit(h.consumer.events.CRASH, { error: new Error('boom'), restart: false });
  await h.deliver(0, 0, 3, BIG / 3); // out of the group: never queued
  expect(h.listener.hasPending(TOPIC, 0)).toBe(false);

  jest.advanceTimersByTime(BACKOFF_MS);
  expect(h.hooks.onRestart).toHaveBeenCalledTimes(1);
  await endOfTurn();
  expect([h.buffer.count, h.buffer.bytes]).toEqual([0, 0]);
  expect(h.hooks.onFetched).not.toHaveBeenCalled();
  expect(h.consumer.run).toHaveBeenCalledTimes(2);

  // the restarted consumer joins, then fetches again from the committed offsets
  h.consumer.emit(h.consumer.events.GROUP_JOIN, { memberAssignment: { [TOPIC]: [0] } });
  await h.expectBoundCountsOnlyLiveBatches(0, 0);
  expect(h.buffered(0)).toEqual([0, 1]);
});

test('a batch that cannot be packed discards the batches queued behind it before the restart', async () => {
  const h = await startedListener();
  const errors: string[] = [];
  h.monitor.subscribe('error.occurred', (event) => errors.push(event.type));
  jest.spyOn(PackedChunk, 'pack').mockImplementationOnce(() => {
    throw new RangeError('Array buffer allocation failed');
  });
  await h.deliver(0, 0, 1, SMALL);
  await h.deliver(1, 0, 1, BIG);

  await endOfTurn();
  expect(errors).toEqual(['listener.crash']);
  expect([h.listener.hasPending(TOPIC, 0), h.listener.hasPending(TOPIC, 1)]).toEqual([false, false]);
  expect([h.buffer.count, h.buffer.bytes]).toEqual([0, 0]);
  expect(h.hooks.onFetched).not.toHaveBeenCalled();
  expect(h.consumer.stop).toHaveBeenCalledTimes(1);
  await endOfTurn(); // nothing was left to pack later either
  expect(h.buffer.count).toBe(0);
});

test('stop() discards every queued batch', async () => {
  const h = await startedListener();
  await h.deliver(0, 0, 3, BIG / 3);
  await h.deliver(1, 0, 1, SMALL);

  await h.listener.stop();
  expect([h.listener.hasPending(TOPIC, 0), h.listener.hasPending(TOPIC, 1)]).toEqual([false, false]);
  await endOfTurn();
  expect(h.buffer.count).toBe(0);
  expect(h.hooks.onFetched).not.toHaveBeenCalled();
});

test('a crash KafkaJS restarts itself but that leads to no join within 3 session timeouts: Decanter stops and restarts the consumer', async () => {
  const h = await startedListener();
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask'] });
  const errors: string[] = [];
  h.monitor.subscribe('error.occurred', (event) => errors.push(event.error.message));
  h.consumer.emit(h.consumer.events.CRASH, { error: new Error('Connection error'), restart: true });
  jest.advanceTimersByTime(3 * 45_000 - 1);
  expect(h.consumer.stop).not.toHaveBeenCalled(); // KafkaJS still has time to join
  jest.advanceTimersByTime(1);
  expect(errors.some((m) => /did not join the group again within 135000 ms/.test(m))).toBe(true);
  expect(h.consumer.stop).toHaveBeenCalledTimes(1);
  await Promise.resolve();
  await Promise.resolve();
  jest.advanceTimersByTime(BACKOFF_MS);
  expect(h.hooks.onRestart).toHaveBeenCalledTimes(1);
  await endOfTurn(); // connect(), then run()
  expect(h.consumer.run).toHaveBeenCalledTimes(2);
});

test('a join after a crash disarms the guard', async () => {
  const h = await startedListener();
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask'] });
  h.consumer.emit(h.consumer.events.CRASH, { error: new Error('Connection error'), restart: true });
  jest.advanceTimersByTime(10_000);
  h.consumer.emit(h.consumer.events.GROUP_JOIN, { memberId: 'm-2', memberAssignment: { [TOPIC]: [0] } });
  jest.advanceTimersByTime(10 * 45_000);
  expect(h.consumer.stop).not.toHaveBeenCalled();
  expect(h.consumer.run).toHaveBeenCalledTimes(1);
});
