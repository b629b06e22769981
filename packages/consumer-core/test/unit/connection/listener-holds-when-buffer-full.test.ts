// Claim: the listener holds KafkaJS while the prefetch buffer is full. With a tiny
// queued.max.messages.kbytes, once the buffer is full the next eachBatch call does not return
// (KafkaJS fetches nothing more meanwhile) until messages are taken from the buffer; it
// heartbeats while it waits (KafkaJS has no background heartbeat: a silent member would be
// thrown out of the group), and announces the hold with listener.buffer.hold / listener.buffer.held.
// Batches queued in the same turn (not packed yet) count towards the bound too. The listener is
// driven through a fake KafkaJS consumer (Kafka#consumer is stubbed) under fake timers. No broker.
import { Kafka, type Consumer as KafkaConsumer, type EachBatchPayload } from 'kafkajs';
import { Listener } from '../../../src/connection/listener';
import { PrefetchBuffer } from '../../../src/connection/prefetch-buffer';
import type { BufferHeldEvent, BufferHoldEvent } from '../../../src/events';
import { Monitor } from '../../../src/instrumentation/monitor';
import type { ResolvedFetchSettings, ResolvedKafkaSettings } from '../../../src/options';
import type { SubscriptionGroup } from '../../../src/routing/subscription-group';
import type { Topic } from '../../../src/routing/topic';

const TOPIC = 't';
const HOLD_MS = 10_000;

const fetch: ResolvedFetchSettings = {
  fetchWaitMaxMs: 100,
  fetchMinBytes: 1,
  fetchMessageMaxBytes: 1_048_576,
  fetchMaxBytes: 10_485_760,
  queuedMaxMessagesKbytes: 1, // 1 KB: two 600-byte messages fill it
  enablePartitionEof: false,
};

const kafka: ResolvedKafkaSettings = {
  ...fetch,
  brokers: ['127.0.0.1:1'], // never dialled: the KafkaJS consumer is a fake
  groupId: undefined,
  clientId: 'listener-holds',
  fetchErrorBackoffMs: 500,
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
  topics: [{ name: TOPIC, initialOffset: 'earliest' } as Topic], // the listener reads only these
  maxMessages: 100,
  maxWaitTimeMs: 100,
  fetch,
};

type Handler = (event: { payload: unknown }) => void;

function fakeKafkaConsumer() {
  const handlers = new Map<string, Handler[]>();
  const fake = {
    events: { GROUP_JOIN: 'consumer.group_join', REBALANCING: 'consumer.rebalancing', CRASH: 'consumer.crash', STOP: 'consumer.stop' },
    eachBatch: undefined as ((payload: EachBatchPayload) => Promise<void>) | undefined,
    on: (event: string, handler: Handler) => {
      handlers.set(event, [...(handlers.get(event) ?? []), handler]);
      return () => undefined;
    },
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async ({ eachBatch }: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
      fake.eachBatch = eachBatch;
    },
    pause: () => undefined,
    resume: () => undefined,
    paused: () => [],
    seek: () => undefined,
    stop: async () => undefined,
    disconnect: async () => undefined,
    commitOffsets: async () => undefined,
  };
  return fake;
}

/** Resolves after the listener's setImmediate pack of everything queued so far (setImmediate stays real). */
const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const cleanups: Array<() => Promise<void>> = [];

async function startedListener() {
  // setImmediate stays real: the listener packs queued batches at the end of the turn
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask'] });
  const consumer = fakeKafkaConsumer();
  jest.spyOn(Kafka.prototype, 'consumer').mockReturnValue(consumer as unknown as KafkaConsumer);
  const buffer = new PrefetchBuffer(fetch.queuedMaxMessagesKbytes * 1024);
  const monitor = new Monitor();
  const holds: BufferHoldEvent[] = [];
  const helds: BufferHeldEvent[] = [];
  monitor.subscribe('listener.buffer.hold', (e) => void holds.push(e));
  monitor.subscribe('listener.buffer.held', (e) => void helds.push(e));
  const hooks = { onFetched: () => undefined, onAssignment: () => undefined, onRebalancing: async () => undefined };
  const listener = new Listener(group, kafka, buffer, monitor, hooks, 'test');
  await listener.start();
  let running = true;
  cleanups.push(async () => {
    running = false;
    await listener.stop();
  });
  let heartbeats = 0;

  /** KafkaJS hands one batch of these messages to eachBatch; `returned` tells whether eachBatch has returned yet. */
  const deliverMessages = (partition: number, messages: Array<Record<string, unknown> & { offset: string }>) => {
    const from = Number(messages[0]?.offset ?? 0);
    const count = messages.length;
    const payload = {
      batch: { topic: TOPIC, partition, highWatermark: String(from + count + 1_000), messages },
      heartbeat: async () => void (heartbeats += 1),
      isRunning: () => running,
      isStale: () => false,
    };
    const call = { returned: false, done: consumer.eachBatch!(payload as unknown as EachBatchPayload) };
    void call.done.then(() => (call.returned = true));
    return call;
  };
  /** One batch of `count` messages of `size` value bytes from offset `from`. */
  const deliver = (partition: number, from: number, count: number, size: number) =>
    deliverMessages(
      partition,
      Array.from({ length: count }, (_, i) => ({ offset: String(from + i), timestamp: '0', key: null, value: Buffer.alloc(size), headers: {}, attributes: 0, size })),
    );

  /** Fills the 1 KB buffer: 1200 bytes of one batch, packed at the end of the turn. */
  const fill = async (): Promise<void> => {
    await deliver(0, 0, 2, 600).done;
    await endOfTurn();
    expect(buffer.isFull()).toBe(true); // the premise
  };

  return { buffer, holds, helds, deliver, deliverMessages, fill, heartbeats: () => heartbeats };
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  jest.useRealTimers();
  jest.restoreAllMocks();
});

test('once the buffer is full, the next eachBatch does not return until messages are taken from it', async () => {
  const h = await startedListener();
  await h.fill();
  const next = h.deliver(1, 0, 1, 10);
  await jest.advanceTimersByTimeAsync(HOLD_MS);
  const whileFull = next.returned;

  h.buffer.take(1); // the batcher takes a message: room again
  await jest.advanceTimersByTimeAsync(0);
  await endOfTurn();

  const rule = 'holds KafkaJS in eachBatch while the prefetch buffer is full, until messages are taken';
  expect({ [rule]: { returnedWhileFull: whileFull, returnedAfterTake: next.returned, heldBatchBuffered: h.buffer.countFor(TOPIC, 1) } }).toEqual({
    [rule]: { returnedWhileFull: false, returnedAfterTake: true, heldBatchBuffered: 1 },
  });
});

test('while it holds KafkaJS, the listener heartbeats', async () => {
  const h = await startedListener();
  await h.fill();
  const before = h.heartbeats();
  h.deliver(1, 0, 1, 10);
  await jest.advanceTimersByTimeAsync(HOLD_MS);

  // it waits at most min(heartbeat.interval.ms, 1 s) between heartbeats: ten or more in 10 s
  const rule = 'heartbeats while holding KafkaJS (at least one a second)';
  expect({ [rule]: h.heartbeats() - before >= HOLD_MS / 1_000 }).toEqual({ [rule]: true });
});

test('listener.buffer.hold fires when the hold begins, listener.buffer.held when it ends', async () => {
  const h = await startedListener();
  await h.fill();
  const next = h.deliver(1, 0, 1, 10);
  await jest.advanceTimersByTimeAsync(HOLD_MS);
  const during = { hold: h.holds.length, held: h.helds.length };
  h.buffer.take(1);
  await next.done;

  const rule = 'listener.buffer.hold fires as the hold begins and listener.buffer.held (with its duration) once it ends';
  const hold = h.holds[0];
  const held = h.helds[0];
  // one line: a failed assertion always shows the rule it is keyed by
  const seen = [
    `while full: hold ${during.hold}, held ${during.held}`,
    `after the take: hold ${h.holds.length}, held ${h.helds.length}`,
    `hold: ${hold === undefined ? '-' : `${hold.bufferedBytes >= hold.limitBytes ? 'full' : 'not full'} of ${hold.limitBytes} bytes`}`,
    // durationMs is measured with perf_hooks' clock, which fake timers leave real: only its presence is pinned
    `held: ${held === undefined ? '-' : `${held.bufferedBytes < held.limitBytes ? 'room' : 'still full'}, ${Number.isFinite(held.durationMs) && held.durationMs >= 0 ? 'has a duration' : 'no duration'}`}`,
  ].join('; ');
  expect({ [rule]: seen }).toEqual({
    [rule]: 'while full: hold 1, held 0; after the take: hold 1, held 1; hold: full of 1024 bytes; held: room, has a duration',
  });
});

test('batches queued in the same turn count towards the bound: the eachBatch after them holds too', async () => {
  const h = await startedListener();
  const first = h.deliver(0, 0, 2, 600); // queued, not packed: the turn has not ended
  await first.done;
  const next = h.deliver(1, 0, 1, 10);
  await jest.advanceTimersByTimeAsync(HOLD_MS);
  const whileFull = next.returned;
  h.buffer.take(1);
  await next.done;

  const rule = 'holds KafkaJS when batches queued but not yet packed fill the buffer';
  expect({ [rule]: { returnedWhileFull: whileFull, holds: h.holds.length } }).toEqual({ [rule]: { returnedWhileFull: false, holds: 1 } });
});

// Regression: a queued batch counted only its key + value bytes against the bound, while packed it
// holds records, an index and its header bytes too: header-heavy (or tiny) messages overshot it.
test('a queued batch whose bytes are in its headers counts towards the bound: the next eachBatch holds', async () => {
  const h = await startedListener();
  // two messages with a 600-byte header and no key or value: 1302 bytes once packed
  const first = h.deliverMessages(0, [0, 1].map((offset) => ({ offset: String(offset), timestamp: '0', key: null, value: Buffer.alloc(0), headers: { trace: Buffer.alloc(600) }, attributes: 0, size: 0 })));
  await first.done;
  const next = h.deliver(1, 0, 1, 10);
  await jest.advanceTimersByTimeAsync(HOLD_MS);
  const whileFull = next.returned;
  await endOfTurn();
  const bufferedBytes = h.buffer.bytes;
  h.buffer.take(100);
  await next.done;

  const rule = 'holds KafkaJS when queued batches fill the buffer, counted as the bytes they will hold (headers and records too)';
  expect({ [rule]: { returnedWhileFull: whileFull, holds: h.holds.length, overshotByMoreThanOneBatch: bufferedBytes > 1_302 } }).toEqual({
    [rule]: { returnedWhileFull: false, holds: 1, overshotByMoreThanOneBatch: false },
  });
});
