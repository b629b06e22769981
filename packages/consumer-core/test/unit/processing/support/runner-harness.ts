// Drives a real SubscriptionGroupRunner with a fake KafkaJS consumer and a fake worker pool: no
// broker, no threads (not a test file). The fake consumer hands batches to the listener's
// eachBatch when told, records seeks and commits, and behaves like KafkaJS 2.2.4 after a crash:
// until it joins again its pause, seek and resume throw. (A monkey-patched Kafka.prototype.consumer
// returns it; Jest gives each test file its own module registry, so the patch stays in the file.)
import { Kafka } from 'kafkajs';
import { PackedMessages } from '../../../../src/messages/message-packer';
import { IssueList } from '../../../../src/contract-rules';
import { FeatureSet } from '../../../../src/features/feature-set';
import { Monitor } from '../../../../src/instrumentation/monitor';
import { blockingScheduler } from '../../../../src/processing/scheduler';
import { SubscriptionGroupRunner } from '../../../../src/processing/subscription-group-runner';
import type { ConsumeResult } from '../../../../src/processing/worker-protocol';

export const TOPIC = 't';
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `condition` every 10 ms; throws after `timeoutMs` (so a slow machine only makes it slower). */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
const endOfTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

type Handler = (event: { payload: unknown }) => void;
type EachBatch = (payload: unknown) => Promise<void>;

export class FakeKafkaConsumer {
  readonly events = { GROUP_JOIN: 'consumer.group_join', REBALANCING: 'consumer.rebalancing', CRASH: 'consumer.crash', STOP: 'consumer.stop' };
  readonly seeks: Array<{ partition: number; offset: string }> = [];
  /** KafkaJS after a crash: its consumer group is gone until the next join. */
  groupGone = false;
  eachBatch: EachBatch | undefined;
  readonly #handlers = new Map<string, Handler[]>();
  on(event: string, handler: Handler): () => void {
    this.#handlers.set(event, [...(this.#handlers.get(event) ?? []), handler]);
    return () => undefined;
  }
  emit(event: string, payload: unknown): void {
    for (const h of this.#handlers.get(event) ?? []) h({ payload });
  }
  #check(): void {
    if (this.groupGone) throw new Error('Consumer group was not initialized, consumer#run must be called first');
  }
  connect = async (): Promise<void> => undefined;
  subscribe = async (): Promise<void> => undefined;
  run = async ({ eachBatch }: { eachBatch: EachBatch }): Promise<void> => {
    this.eachBatch = eachBatch;
  };
  pause = (): void => this.#check();
  resume = (): void => this.#check();
  paused = (): unknown[] => [];
  seek = (s: { partition: number; offset: string }): void => {
    this.#check();
    this.seeks.push(s);
  };
  stop = async (): Promise<void> => undefined;
  disconnect = async (): Promise<void> => undefined;
  commitOffsets = async (): Promise<void> => undefined;
}

export interface Task {
  partition: number;
  offsets: number[];
  resolve: (result: ConsumeResult) => void;
}

/** A worker pool that runs nothing: each job waits until the test resolves its task. */
export class FakePool {
  readonly tasks: Task[] = [];
  #wake: Array<() => void> = [];
  laneFor = (): number => 0;
  consume = (task: { partition: number; packed: ArrayBuffer }): Promise<ConsumeResult> =>
    new Promise((resolve) => {
      const packed = new PackedMessages(task.packed);
      const offsets = Array.from({ length: packed.count }, (_, i) => packed.offset(i));
      this.tasks.push({ partition: task.partition, offsets, resolve });
      for (const wake of this.#wake.splice(0)) wake();
    });
  revoke = async (): Promise<{ errors: [] }> => ({ errors: [] });
  /** The next job handed to the pool, or undefined when none comes within `timeoutMs`. */
  async next(timeoutMs = 1_000): Promise<Task | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const task = this.tasks.shift();
      if (task !== undefined) return task;
      await new Promise<void>((r) => {
        this.#wake.push(r);
        setTimeout(r, 20);
      });
    }
    return undefined;
  }
}

export const ok = (markedOffset: number | null, extra: Partial<ConsumeResult> = {}): ConsumeResult =>
  ({ startedAt: 0, finishedAt: 0, threadId: 1, markedOffset, pause: null, seek: null, resume: false, error: null, ...extra }) as ConsumeResult;
export const failed = (markedOffset: number | null): ConsumeResult => ok(markedOffset, { error: { name: 'Error', message: 'boom' } });

export async function startRunner(route: { manualOffsetManagement?: boolean } = {}) {
  const consumer = new FakeKafkaConsumer();
  (Kafka.prototype as unknown as { consumer: () => unknown }).consumer = () => consumer;
  const fetch = { fetchWaitMaxMs: 100, fetchMinBytes: 1, fetchMessageMaxBytes: 1_048_576, fetchMaxBytes: 10_485_760, queuedMaxMessagesKbytes: 1_024, enablePartitionEof: false };
  const kafka = {
    ...fetch,
    brokers: ['127.0.0.1:1'],
    groupId: 'cg',
    clientId: 'harness',
    fetchErrorBackoffMs: 300,
    sessionTimeoutMs: 45_000,
    heartbeatIntervalMs: 3_000,
    rebalanceTimeoutMs: 60_000,
    autoOffsetReset: 'earliest',
    autoCommitIntervalMs: 100_000,
    readUncommitted: false,
    statisticsIntervalMs: 0,
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 30_000,
  };
  const topic = {
    name: TOPIC,
    consumerGroup: 'cg',
    subscriptionGroup: 'sg',
    consumer: { module: '/x', export: 'X' },
    maxMessages: 10,
    maxWaitTimeMs: 20,
    initialOffset: 'earliest',
    deserializer: 'raw',
    active: true,
    manualOffsetManagement: false,
    fetch,
    routePath: 'r',
    deadLetterQueue: null,
    periodicIntervalMs: null,
    ...route,
  };
  const group = { id: 'sg', consumerGroup: 'cg', topics: [topic], maxMessages: 10, maxWaitTimeMs: 20, fetch };
  const options = { id: 'a', kafka, concurrency: 1, maxMessages: 10, maxWaitTimeMs: 20, shutdownTimeoutMs: 1_000, pauseTimeoutMs: 50, pauseMaxTimeoutMs: 1_000, pauseWithExponentialBackoff: false, rebalanceDrainTimeoutMs: 0, logger: false };
  const monitor = new Monitor();
  const errors: string[] = [];
  monitor.on('error.occurred', (e) => errors.push(`${e.type}: ${e.error.message}`));
  /** partition.resumed events, as `partition@offset`. */
  const resumed: string[] = [];
  monitor.on('partition.resumed', (e) => resumed.push(`${e.partition}@${e.offset}`));
  const discarded: string[] = [];
  monitor.on('offsets.discarded', (e) => discarded.push(`${e.partition}:${e.fromOffset}..${e.toOffset} ${e.reason}`));
  const pool = new FakePool();
  type Args = ConstructorParameters<typeof SubscriptionGroupRunner>[0];
  const runner = new SubscriptionGroupRunner({
    group: group as unknown as Args['group'],
    options: options as unknown as Args['options'],
    pool: pool as unknown as Args['pool'],
    monitor,
    scheduler: blockingScheduler(),
    features: new FeatureSet(undefined, new IssueList()),
    producerChannel: null,
  });
  await runner.start();
  /** KafkaJS fetched `count` messages of `partition` from offset `from`. */
  const deliver = async (partition: number, from: number, count: number): Promise<void> => {
    const messages = Array.from({ length: count }, (_, i) => ({ offset: String(from + i), timestamp: '0', key: null, value: Buffer.from('v'), headers: {} }));
    await consumer.eachBatch?.({
      batch: { topic: TOPIC, partition, messages, highWatermark: String(from + count + 100) },
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
    });
    await endOfTurn();
  };
  /** A GROUP_JOIN with this assignment, under `memberId` (the same one unless a test says otherwise: a rejoin as the same member). */
  const assign = (partitions: number[], memberId = 'member-1'): void => {
    consumer.groupGone = false;
    consumer.emit(consumer.events.GROUP_JOIN, { memberId, memberAssignment: { [TOPIC]: partitions } });
  };
  return { runner, consumer, pool, deliver, assign, errors, resumed, discarded };
}
