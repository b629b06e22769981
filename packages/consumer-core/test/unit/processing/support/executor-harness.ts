// Drives one partition's jobs through the real processing parts — JobsBuilder, JobExecutor, the
// topic's features (default strategy, failure policies) from a real FeatureSet, PartitionCoordinators,
// OffsetTracker and PausesManager — with a fake worker pool (each job's outcome is scripted by the
// test) and a fake listener under the pauses manager (it records pauses and restarts): no broker,
// no threads (not a test file). The pauses manager arms real timers: use Jest's fake timers and
// `endPause()` to let a pause run out; `stop()` drops whatever is still armed.
import { PausesManager } from '../../../../src/connection/pauses-manager';
import type { GroupScope, PartitionPausedEvent } from '../../../../src/events';
import { IssueList } from '../../../../src/contract-rules';
import type { ResolvedDeadLetterQueue } from '../../../../src/features/dead-letter-queue/contract';
import { FeatureSet } from '../../../../src/features/feature-set';
import type { DivertedSink } from '../../../../src/features/topic-behaviour';
import { Monitor } from '../../../../src/instrumentation/monitor';
import { PackedMessages } from '../../../../src/messages/message-packer';
import { MessageRun, type PackableMessage } from '../../../../src/messages/packed-chunk';
import type { BackoffPolicy } from '../../../../src/processing/backoff';
import { JobExecutor } from '../../../../src/processing/job-executor';
import { JobsBuilder } from '../../../../src/processing/jobs-builder';
import { OffsetTracker } from '../../../../src/processing/offsets/offset-tracker';
import { OwnershipBoard } from '../../../../src/processing/ownership-board';
import { PartitionCoordinators } from '../../../../src/processing/partition-coordinators';
import { serializeError, type SerializedError } from '../../../../src/processing/serialized-error';
import type { ConsumeResult, ConsumeTask } from '../../../../src/processing/worker-protocol';
import type { ResolvedFetchSettings } from '../../../../src/routing/fetch-settings';
import type { Topic } from '../../../../src/routing/topic';

export const TOPIC = 'orders';
export const PARTITION = 0;
export const CONSUMER_GROUP = 'cg';
export const SCOPE: GroupScope = { consumerGroup: CONSUMER_GROUP, subscriptionGroup: 'sg', connection: 0 };

const fetch: ResolvedFetchSettings = {
  fetchWaitMaxMs: 100,
  fetchMinBytes: 1,
  fetchMessageMaxBytes: 1_048_576,
  fetchMaxBytes: 10_485_760,
  queuedMaxMessagesKbytes: 1_024,
  enablePartitionEof: false,
};

/** The message at `offset`, as KafkaJS would have fetched it: its own key, value and a header of its own. */
export function messageAt(offset: number): PackableMessage {
  return { offset, timestamp: 1_700_000_000_000 + offset, key: Buffer.from(`key-${offset}`), value: Buffer.from(`value-${offset}`), headers: { trace: Buffer.from(`trace-${offset}`) } };
}

/** The messages `from`..`to` (inclusive) of the partition, as one fetched run. */
export function messagesBetween(from: number, to: number): MessageRun {
  return MessageRun.of(Array.from({ length: to - from + 1 }, (_, i) => messageAt(from + i)));
}

/** A worker's result: succeeded (error null) or failed, with what the consumer marked (next offset) or null. */
export function result(markedOffset: number | null, error: SerializedError | null = null): ConsumeResult {
  return { startedAt: 0, finishedAt: 0, threadId: 1, markedOffset, pause: null, seek: null, resume: false, error };
}
export const succeeded = (markedOffset: number | null): ConsumeResult => result(markedOffset);
export const failed = (markedOffset: number | null, message = 'boom'): ConsumeResult => result(markedOffset, serializeError(new TypeError(message)));

export interface HarnessOptions {
  /** The route's dead letter queue (the built-in deadLetterQueue() feature takes it), or none. */
  readonly deadLetterQueue?: ResolvedDeadLetterQueue | null;
  /** The App's pause.* settings. Default 200 ms, exponential, capped at 60 s. */
  readonly backoff?: BackoffPolicy;
  /** Where diverted messages are produced (the app's producer). Default: acknowledged at once. */
  readonly produce?: DivertedSink;
}

/** What a job's worker does with its task: resolves with the job's result, or rejects (the thread died). */
export type Worker = (task: ConsumeTask, offsets: number[]) => Promise<ConsumeResult>;

export function executorHarness(options: HarnessOptions = {}) {
  const monitor = new Monitor();
  /** error.occurred types, and failures the parts report outside any job. */
  const errors: string[] = [];
  monitor.subscribe('error.occurred', (e) => void errors.push(e.type));
  const tracker = new OffsetTracker();
  const backoff = options.backoff ?? { timeoutMs: 200, maxTimeoutMs: 60_000, exponential: true };
  const produce: DivertedSink = options.produce ?? (async (m) => ({ topic: m.topic, partition: 0, offset: '0' }));
  const topic: Topic = {
    name: TOPIC,
    consumerGroup: CONSUMER_GROUP,
    subscriptionGroup: 'sg',
    consumer: { module: '/never/loaded.js', export: 'OrdersConsumer' },
    maxMessages: 100,
    maxWaitTimeMs: 100,
    initialOffset: 'earliest',
    deserializer: 'raw',
    active: true,
    fetch,
    routePath: 'routes[0].topics[0]',
    manualOffsetManagement: false,
    deadLetterQueue: options.deadLetterQueue ?? null,
    periodicIntervalMs: null,
  };
  const issues = new IssueList();
  const features = new FeatureSet(undefined, issues).forTopic(topic, { monitor, scope: SCOPE, produce });

  /** What the pauses manager asked of the listener: `pause` and `resumeAt offset`, in order. */
  const listenerCalls: string[] = [];
  const pauses = new PausesManager({
    listener: {
      pause: (t, p) => void listenerCalls.push(`pause ${t}-${p}`),
      resumeAt: (t, p, offset) => void listenerCalls.push(`resumeAt ${t}-${p}@${offset}`),
      resolveOffset: () => Promise.reject(new Error('no broker here')),
    },
    tracker,
    monitor,
    scope: SCOPE,
    rebalancing: () => false,
    stopping: () => false,
    pollError: (error) => void errors.push(`poll.error: ${String(error)}`),
  });
  const coordinators = new PartitionCoordinators([{ topic, features }], { tracker, mover: pauses, monitor, scope: SCOPE, backoff });
  const board = new OwnershipBoard();
  const jobs = new JobsBuilder({
    tracker,
    coordinators,
    board,
    counters: { rebalances: 0, discardedMessages: 0, skippedMessages: 0 },
    producerChannel: null,
    buffered: () => false,
  });

  /** The tasks handed to the pool: the offsets they carried and their attempt number. */
  const tasks: Array<{ offsets: number[]; attempt: number | undefined }> = [];
  let worker: Worker = () => Promise.reject(new Error('no worker scripted for this job'));
  const pool = {
    laneFor: () => 0,
    consume: (task: ConsumeTask): Promise<ConsumeResult> => {
      const packed = new PackedMessages(task.packed);
      const offsets = Array.from({ length: packed.count }, (_, i) => packed.offset(i));
      tasks.push({ offsets, attempt: task.attempt });
      return worker(task, offsets);
    },
  };
  const executor = new JobExecutor({
    pool,
    monitor,
    scope: SCOPE,
    tracker,
    coordinators,
    jobs,
    rebalance: { rebalancing: false, finishedAfterRevocation: () => undefined, instanceUsed: () => undefined },
    commit: async () => undefined,
  });

  /** Every partition.paused event, and for each ended pause how long it lasted (Date.now(), fake under fake timers). */
  const paused: PartitionPausedEvent[] = [];
  const pauseLengths: number[] = [];
  let pausedSince = 0;
  monitor.subscribe('partition.paused', (e) => {
    paused.push(e);
    pausedSince = Date.now();
  });
  monitor.subscribe('partition.resumed', () => void pauseLengths.push(Date.now() - pausedSince));

  const epoch = tracker.assign(TOPIC, PARTITION);
  coordinators.assigned([{ topic: TOPIC, partition: PARTITION }], (t, p) => tracker.epochOf(t, p) ?? 0, {
    bounds: () => Promise.reject(new Error('no broker here')),
    wake: () => undefined,
    report: (error) => void errors.push(`poll.error: ${String(error)}`),
  });

  /**
   * The listener fetched `messages` of the partition and a poll handed them out: the jobs builder
   * makes the jobs (the topic's strategy distributes them), the executor runs each to its end on
   * `run` (which plays the worker thread).
   */
  async function poll(messages: MessageRun, run: Worker): Promise<void> {
    tracker.fetched(TOPIC, PARTITION, messages.offsetAt(messages.length - 1)!, 1_000_000);
    worker = run;
    for (const job of jobs.build([{ topic: TOPIC, partition: PARTITION, messages }], Date.now())) await executor.run(job);
  }

  /** Lets the pause in effect run out (fake timers): the pauses manager restarts the partition. */
  function endPause(): void {
    jest.runOnlyPendingTimers();
  }

  /** The pauses so far, one line (a failed assertion on it always shows the rule it is keyed by): `reason lasted@offset (attempt n)`. */
  function pauseLog(): string {
    return paused.map((e, i) => `${e.reason} ${pauseLengths[i] ?? 'still paused'} ms@${e.offset} (attempt ${e.attempt})`).join(', ');
  }

  return {
    monitor,
    tracker,
    epoch,
    topic,
    issues,
    coordinator: () => coordinators.get(TOPIC, PARTITION)!,
    poll,
    endPause,
    tasks,
    paused,
    pauseLengths,
    pauseLog,
    listenerCalls,
    errors,
    /** The partition's next offset to commit. */
    marked: () => tracker.markedOffset(TOPIC, PARTITION),
    stop: () => pauses.clearTimers(),
  };
}
