// Claim: the listener carries commit metadata both ways through KafkaJS. commit() passes each
// entry's metadata to consumer.commitOffsets (offset as a string) and sends no metadata key for an
// entry without one. With readsCommitMetadata, every GROUP_JOIN fetches the assignment's committed
// offsets with admin.fetchOffsets, hooks.onCommitted receives { topic, partition, offset, metadata }
// of the assigned partitions (offset null where the group has none), and a batch delivered right
// after the join is held: it is not queued (nor buffered) before onCommitted ran. When the fetch
// fails the batch goes on without (reported as poll.error). Without readsCommitMetadata no admin
// client is used. The listener is driven through a fake KafkaJS consumer and admin
// (Kafka#consumer and Kafka#admin are stubbed): no broker.
import { Kafka, type Admin, type Consumer as KafkaConsumer, type EachBatchPayload } from 'kafkajs';
import { Listener, type CommittedOffset, type ListenerOptions } from '../../../src/connection/listener';
import { PrefetchBuffer } from '../../../src/connection/prefetch-buffer';
import { Monitor } from '../../../src/instrumentation/monitor';
import type { ResolvedFetchSettings, ResolvedKafkaSettings } from '../../../src/options';
import type { SubscriptionGroup } from '../../../src/routing/subscription-group';
import type { Topic } from '../../../src/routing/topic';

const TOPIC = 't';

const fetch: ResolvedFetchSettings = {
  fetchWaitMaxMs: 100,
  fetchMinBytes: 1,
  fetchMessageMaxBytes: 1_048_576,
  fetchMaxBytes: 10_485_760,
  queuedMaxMessagesKbytes: 1_024,
  enablePartitionEof: false,
};

const kafka: ResolvedKafkaSettings = {
  ...fetch,
  brokers: ['127.0.0.1:1'], // never dialled: KafkaJS's consumer and admin are fakes
  groupId: undefined,
  clientId: 'listener-commit-metadata',
  fetchErrorBackoffMs: 1_000,
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
type FetchedOffsets = Awaited<ReturnType<Admin['fetchOffsets']>>;

/** The part of a KafkaJS consumer the listener uses, recording what it is asked to do. */
function fakeKafkaConsumer() {
  const handlers = new Map<string, Handler[]>();
  const fake = {
    events: {
      GROUP_JOIN: 'consumer.group_join',
      REBALANCING: 'consumer.rebalancing',
      CRASH: 'consumer.crash',
      STOP: 'consumer.stop',
    },
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
    commitOffsets: jest.fn(async (_offsets: unknown[]) => undefined),
  };
  return fake;
}

/** The part of a KafkaJS admin the listener uses; fetchOffsets answers what the test sets. */
function fakeKafkaAdmin() {
  return {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    fetchOffsets: jest.fn(async (_request: { groupId: string; topics: string[] }): Promise<FetchedOffsets> => []),
  };
}

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const running: Listener[] = [];

async function startedListener(options: ListenerOptions = {}) {
  const consumer = fakeKafkaConsumer();
  const admin = fakeKafkaAdmin();
  jest.spyOn(Kafka.prototype, 'consumer').mockReturnValue(consumer as unknown as KafkaConsumer);
  const adminFactory = jest.spyOn(Kafka.prototype, 'admin').mockReturnValue(admin as unknown as Admin);
  const buffer = new PrefetchBuffer(1_048_576);
  const monitor = new Monitor();
  const order: string[] = [];
  let listener: Listener | undefined;
  const hooks = {
    onFetched: jest.fn(() => void order.push('fetched')),
    onAssignment: jest.fn(() => void order.push('assignment')),
    onRebalancing: jest.fn(async () => undefined),
    onCommitted: jest.fn((_committed: CommittedOffset[]) => {
      // what the listener had taken of the new assignment's batches when the committed offsets arrived
      order.push(`committed (queued: ${String(listener?.hasPending(TOPIC, 0))}, buffered: ${buffer.count})`);
    }),
  };
  listener = new Listener(group, kafka, buffer, monitor, hooks, 'test', options);
  await listener.start();
  running.push(listener);

  /** KafkaJS hands a batch of `count` messages to eachBatch; the promise settles when eachBatch returns. */
  const deliver = (partition: number, from: number, count: number): Promise<void> => {
    const messages = Array.from({ length: count }, (_, i) => ({
      offset: String(from + i),
      timestamp: '0',
      key: null,
      value: Buffer.from('v'),
      headers: {},
      attributes: 0,
      size: 1,
    }));
    const payload = {
      batch: { topic: TOPIC, partition, highWatermark: String(from + count + 1_000), messages },
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
    };
    return consumer.eachBatch!(payload as unknown as EachBatchPayload);
  };

  const join = (partitions: number[]): void =>
    consumer.emit(consumer.events.GROUP_JOIN, { memberAssignment: { [TOPIC]: partitions } });

  return { consumer, admin, adminFactory, buffer, monitor, hooks, listener, order, deliver, join };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((listener) => listener.stop()));
  jest.restoreAllMocks();
});

test('commit() passes each entry’s metadata to commitOffsets, and sends no metadata key without one', async () => {
  const h = await startedListener();
  await h.listener.commit([
    { topic: TOPIC, partition: 0, offset: 10, metadata: 'ahead:12,14' },
    { topic: TOPIC, partition: 1, offset: 5 },
    { topic: TOPIC, partition: 2, offset: 7, metadata: '' },
  ]);
  const sent = h.consumer.commitOffsets.mock.calls.map(([offsets]) => offsets);
  // toStrictEqual: a `metadata: undefined` key would not be "no metadata key"
  const rule = 'commit() sends each entry’s metadata as given (an empty string too) and no metadata key without one';
  expect({ [rule]: sent }).toStrictEqual({
    [rule]: [
      [
        { topic: TOPIC, partition: 0, offset: '10', metadata: 'ahead:12,14' },
        { topic: TOPIC, partition: 1, offset: '5' },
        { topic: TOPIC, partition: 2, offset: '7', metadata: '' },
      ],
    ],
  });
});

test('with readsCommitMetadata, a GROUP_JOIN fetches the committed offsets and onCommitted gets offset and metadata of the assignment', async () => {
  const h = await startedListener({ readsCommitMetadata: true });
  h.admin.fetchOffsets.mockResolvedValueOnce([
    {
      topic: TOPIC,
      partitions: [
        { partition: 0, offset: '42', metadata: 'ahead:44' },
        { partition: 1, offset: '-1', metadata: null },
        { partition: 2, offset: '7', metadata: 'not ours' }, // not in this member's assignment
      ],
    },
  ]);
  h.join([0, 1]);
  await endOfTurn();

  const fetched = 'a GROUP_JOIN fetches the committed offsets of the assigned topics (admin.fetchOffsets)';
  expect({ [fetched]: h.admin.fetchOffsets.mock.calls }).toEqual({ [fetched]: [[{ groupId: 'cg', topics: [TOPIC] }]] });
  const received =
    'onCommitted receives { topic, partition, offset, metadata } of the assigned partitions (offset null when none)';
  expect({ [received]: h.hooks.onCommitted.mock.calls }).toStrictEqual({
    [received]: [
      [
        [
          { topic: TOPIC, partition: 0, offset: 42, metadata: 'ahead:44' },
          { topic: TOPIC, partition: 1, offset: null, metadata: null },
        ],
      ],
    ],
  });
});

test('a batch delivered right after the join is not queued before onCommitted ran', async () => {
  const h = await startedListener({ readsCommitMetadata: true });
  let answer!: (offsets: FetchedOffsets) => void;
  h.admin.fetchOffsets.mockImplementationOnce(() => new Promise<FetchedOffsets>((resolve) => (answer = resolve)));
  h.join([0]);
  let returned = false;
  const delivered = h.deliver(0, 42, 3).then(() => void (returned = true));
  for (let i = 0; i < 5; i++) await endOfTurn();

  const held =
    'while the committed offsets are fetched, a batch of the new assignment is held in eachBatch (not queued, not buffered)';
  expect({
    [held]: {
      returned,
      queued: h.listener.hasPending(TOPIC, 0),
      buffered: h.buffer.count,
      fetched: h.hooks.onFetched.mock.calls.length,
    },
  }).toEqual({
    [held]: { returned: false, queued: false, buffered: 0, fetched: 0 },
  });

  answer([{ topic: TOPIC, partitions: [{ partition: 0, offset: '42', metadata: 'm' }] }]);
  await delivered;
  await endOfTurn();
  const rule = 'onCommitted runs before the batch is queued, then the batch goes on';
  expect({ [rule]: h.order }).toEqual({ [rule]: ['assignment', 'committed (queued: false, buffered: 0)', 'fetched'] });
  expect(h.buffer.countFor(TOPIC, 0)).toBe(3);
});

test('when fetching the committed offsets fails, the held batch goes on without them (poll.error)', async () => {
  const h = await startedListener({ readsCommitMetadata: true });
  const errors: string[] = [];
  h.monitor.subscribe('error.occurred', (event) => errors.push(event.type));
  h.admin.fetchOffsets.mockRejectedValueOnce(new Error('coordinator not available'));
  h.join([0]);
  await h.deliver(0, 0, 2);
  await endOfTurn();
  const rule = 'a failed fetch of the committed offsets is reported and releases the held batch';
  expect({
    [rule]: { errors, onCommitted: h.hooks.onCommitted.mock.calls.length, buffered: h.buffer.countFor(TOPIC, 0) },
  }).toEqual({
    [rule]: { errors: ['poll.error'], onCommitted: 0, buffered: 2 },
  });
});

test('without readsCommitMetadata a join uses no admin client and holds nothing', async () => {
  const h = await startedListener();
  h.join([0]);
  await h.deliver(0, 0, 2);
  await endOfTurn();
  const rule = 'without readsCommitMetadata no committed offsets are fetched';
  expect({
    [rule]: {
      admin: h.adminFactory.mock.calls.length,
      onCommitted: h.hooks.onCommitted.mock.calls.length,
      buffered: h.buffer.countFor(TOPIC, 0),
    },
  }).toEqual({
    [rule]: { admin: 0, onCommitted: 0, buffered: 2 },
  });
});
