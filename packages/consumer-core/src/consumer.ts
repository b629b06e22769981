// The base class users extend. One instance lives per topic-partition inside ONE worker thread and
// persists across batches (fields keep state from batch to batch) until the partition is revoked
// or the app shuts down. A consumer never talks to Kafka itself: marks, pauses, seeks and produce
// calls are requests the framework carries out in the main thread.
import type { Message } from './messages/message';
import type { ProducedMessage, ProducedReport } from './options';
import { isMessageOffset, isPauseTimeout, PartitionRevokedError, PAUSE_TIMEOUT_RULE, ProducerUnavailableError } from './errors';
import { leaseHolds, type PartitionLease } from './partition-lease';

/** Facts about the batch in `this.messages`. */
export interface BatchMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly consumerGroup: string;
  readonly size: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  /** When the job was ready to run (main thread), ms since epoch. */
  readonly readyAt: number;
  /** When this worker started it, ms since epoch. */
  readonly startedAt: number;
  /** startedAt − timestamp of the last message, ms: how far behind the producers we are. */
  readonly consumptionLag: number;
  /** startedAt − readyAt, ms: how long the job waited for a thread. */
  readonly processingLag: number;
  /** With a strategy that splits partitions (virtual partitions): which share of the partition this batch is. */
  readonly virtualPartition?: number;
  /** With a strategy that splits partitions: the partition is processed in one batch again after an error. */
  readonly collapsed?: boolean;
}

/** One topic-partition batch: the messages in offset order plus `metadata`. */
export interface Messages<P = unknown> extends ReadonlyArray<Message<P>> {
  readonly metadata: BatchMetadata;
}

/** `this.producer` inside a consumer: goes through the process's one producer in the main thread. */
export interface ConsumerProducer {
  /** Produces and waits for the delivery report. */
  produceSync(message: ProducedMessage): Promise<ProducedReport>;
  /** Produces; resolves once the main thread's producer accepted (queued) the message. */
  produceAsync(message: ProducedMessage): Promise<void>;
}

/** Where `seek()` moves a partition: an offset, a point in time, or either end. */
export type SeekTarget = number | Date | 'earliest' | 'latest';

/** A seek request as it crosses threads (a Date becomes its epoch ms). */
export type SeekRequest = { offset: number } | { timestamp: number } | 'earliest' | 'latest';

/** What a consumer asked the framework to do with its partition during one job. */
export interface ConsumerRequests {
  /** Next offset to commit (marked message offset + 1), or null. */
  markedOffset: number | null;
  /** Restart the partition from `offset` after `timeoutMs` (Infinity: until `resume()`), dropping anything fetched after it. */
  pause: { offset: number; timeoutMs: number } | null;
  /** Restart the partition at a time / either end, resolved in the main thread; null when not asked. */
  seek?: { timestamp: number } | 'earliest' | 'latest' | null;
  /** Lift this partition's pause now (from `tick()` / `eofed()` of a paused partition). */
  resume?: boolean;
  /** consume() ran a transaction: offsets move only through transactions (and explicit marks), never automatically. */
  transactional?: boolean;
}

/** What `this.transaction(work)` hands to `work`: messages and a mark that commit atomically. */
export interface ConsumerTransaction<P = unknown> {
  /** Adds a message to the transaction; it is produced when the transaction commits, invisible to read_committed readers before. */
  produce(message: ProducedMessage): Promise<void>;
  produceMany(messages: readonly ProducedMessage[]): Promise<void>;
  /**
   * Marks `message` (and everything before it) inside the transaction: the offset is committed
   * for the consumer group in the same Kafka transaction as the produced messages. Only offsets
   * of the current batch; false once the partition was lost.
   */
  markAsConsumed(message: Message<P> | { offset: number }): boolean;
}

/** Framework-internal: one consumer transaction as it goes to the main thread's producer. */
export interface TransactionIntent {
  topic: string;
  partition: number;
  consumerGroup: string;
  /** Ownership epoch the job was dispatched in (0 in the testing kit). */
  epoch: number;
  messages: ProducedMessage[];
  /** Next offset to commit with the transaction, or null (produce only). */
  markedOffset: number | null;
}

/** Framework-internal: runs a TransactionIntent in the main thread (rejects when it was aborted). */
export type Transactor = (intent: TransactionIntent) => Promise<void>;

/** Which hook a job runs. */
export type JobKind = 'consume' | 'eofed' | 'tick';

interface JobState {
  /** Built on first use of `this.messages` (see beginJob). */
  messages: Messages | undefined;
  build: () => Messages;
  metadata: BatchMetadata;
  requests: ConsumerRequests;
  attempt: number;
  /** Tells whether the partition is still owned under the epoch the job was dispatched in. */
  lease: PartitionLease | undefined;
}

const jobs = new WeakMap<Consumer, JobState>();
const producers = new WeakMap<Consumer, ConsumerProducer>();
const transactors = new WeakMap<Consumer, Transactor>();
const identity = new WeakMap<Consumer, { topic: string; partition: number; consumerGroup: string }>();
const BRAND = Symbol.for('decanter.consumer-core.consumer');

const noProducer: ConsumerProducer = {
  produceSync: () => Promise.reject(new ProducerUnavailableError('This app has no producer: pass `producer` in the App options')),
  produceAsync: () => Promise.reject(new ProducerUnavailableError('This app has no producer: pass `producer` in the App options')),
};

/**
 * Extend it and implement `consume()`. Route it by module path + export name.
 *
 * ```ts
 * export class OrdersConsumer extends Consumer<{ id: string }> {
 *   seen = 0; // survives across batches of the same partition
 *   async consume() {
 *     for (const message of this.messages) this.seen += 1;
 *   }
 * }
 * ```
 */
export abstract class Consumer<P = unknown> {
  static readonly [BRAND] = true;

  /** Processes `this.messages`. When it returns, the last message is marked (unless the route sets manualOffsetManagement). */
  abstract consume(): Promise<void> | void;

  /** Called when the partition was taken away (rebalance); this instance is then dropped. */
  revoked(): Promise<void> | void {}

  /** Called once at shutdown, after the last job; this instance is then dropped. */
  shutdown(): Promise<void> | void {}

  /**
   * With `kafka['enable.partition.eof']`: called (with an empty `this.messages`) when the
   * partition was processed up to its end and nothing new is buffered — also for a partition
   * that is empty when assigned. Once per reaching the end.
   */
  eofed(): Promise<void> | void {}

  /**
   * With the route's `periodic` setting: called (with an empty `this.messages`) every interval
   * for each assigned partition on which no other job ran within that interval, paused or not.
   */
  tick(): Promise<void> | void {}

  /** 1 on the first run of a batch; n + 1 after n failures in a row of this partition. */
  get attempt(): number {
    return jobs.get(this)?.attempt ?? 1;
  }

  /** True when this run retries a batch that failed before (`attempt > 1`). */
  get retrying(): boolean {
    return this.attempt > 1;
  }

  /** The current batch (one topic-partition). */
  get messages(): Messages<P> {
    const state = jobs.get(this);
    if (state === undefined) throw new Error('this.messages is only available while consume() runs');
    state.messages ??= state.build();
    return state.messages as Messages<P>;
  }

  get topic(): string {
    return identity.get(this)?.topic ?? '';
  }

  get partition(): number {
    return identity.get(this)?.partition ?? -1;
  }

  get consumerGroup(): string {
    return identity.get(this)?.consumerGroup ?? '';
  }

  /** The process's producer (through the main thread); rejects when the app has none. */
  get producer(): ConsumerProducer {
    return producers.get(this) ?? noProducer;
  }

  /**
   * Marks `message` (and everything before it in this partition) as processed; its offset + 1 is
   * committed later. Only offsets of the current batch can be marked. Returns true when accepted;
   * false once the partition was lost in a rebalance (stop early: the next owner processes these
   * messages again from the last committed offset).
   */
  markAsConsumed(message: Message<P> | { offset: number }): boolean {
    const state = jobs.get(this);
    if (state === undefined || !leaseHolds(state.lease)) return false;
    const { firstOffset, lastOffset } = state.metadata;
    if (message.offset < firstOffset || message.offset > lastOffset) return false;
    const next = message.offset + 1;
    if (state.requests.markedOffset === null || next > state.requests.markedOffset) state.requests.markedOffset = next;
    return true;
  }

  /**
   * Runs `work` as one Kafka transaction of the app's (transactional) producer: the messages it
   * produces and the offset it marks commit together or not at all — exactly-once
   * consume-transform-produce. The transaction runs in the main thread when `work` resolves; it
   * is aborted when `work` throws or the partition was lost meanwhile (this then rejects). A job
   * that runs a transaction is not marked automatically when consume() returns.
   *
   * ```ts
   * await this.transaction(async (tx) => {
   *   for (const m of this.messages) await tx.produce({ topic: 'out', payload: transform(m.payload) });
   *   tx.markAsConsumed(this.messages[this.messages.length - 1]!);
   * });
   * ```
   */
  async transaction<T>(work: (tx: ConsumerTransaction<P>) => Promise<T> | T): Promise<T> {
    const state = jobs.get(this);
    if (state === undefined) throw new Error('this.transaction() is only available while consume() runs');
    const transactor = transactors.get(this);
    if (transactor === undefined) {
      throw new ProducerUnavailableError('Transactions need a transactional producer: pass `producer` with kafka.transactional.id in the App options');
    }
    state.requests.transactional = true;
    const messages: ProducedMessage[] = [];
    let markedOffset: number | null = null;
    const { firstOffset, lastOffset } = state.metadata;
    let open = true;
    const tx: ConsumerTransaction<P> = {
      produce: async (message) => {
        if (!open) throw new Error('This transaction has ended');
        messages.push(message);
      },
      produceMany: async (list) => {
        if (!open) throw new Error('This transaction has ended');
        messages.push(...list);
      },
      markAsConsumed: (message) => {
        if (!open || !leaseHolds(state.lease) || message.offset < firstOffset || message.offset > lastOffset) return false;
        markedOffset = Math.max(markedOffset ?? 0, message.offset + 1);
        return true;
      },
    };
    let result: T;
    try {
      result = await work(tx);
    } finally {
      open = false;
    }
    if (!leaseHolds(state.lease)) throw new PartitionRevokedError(`${this.topic}-${this.partition} was lost in a rebalance: the transaction was not run`);
    if (messages.length > 0 || markedOffset !== null) {
      await transactor({
        topic: this.topic,
        partition: this.partition,
        consumerGroup: this.consumerGroup,
        epoch: state.lease?.epoch ?? 0,
        messages,
        markedOffset,
      });
      // committed: the job's result says so too, so a ledger that records processing by job
      // (virtual partitions) counts these messages, and commits past them once the rest is done
      if (markedOffset !== null && (state.requests.markedOffset === null || markedOffset > state.requests.markedOffset)) state.requests.markedOffset = markedOffset;
    }
    return result;
  }

  /**
   * True once this partition was taken away in a rebalance while this job runs (or the job has
   * ended): marks are then refused, and long work can stop early.
   */
  isRevoked(): boolean {
    const state = jobs.get(this);
    return state === undefined || !leaseHolds(state.lease);
  }

  /**
   * Stops this partition (only this one) for `timeoutMs`, then restarts it at `offset` (default:
   * the first message of this batch). `Infinity` pauses until `resume()` is called from a later
   * `tick()`/`eofed()` of this partition. Nothing is marked automatically after a pause request.
   */
  pause(offset?: number, timeoutMs = 0): void {
    const state = jobs.get(this);
    if (state === undefined) {
      if (offset === undefined) throw new Error('pause() without an offset is only available while consume() runs (it pauses at the batch\'s first message)');
      return;
    }
    if (!isPauseTimeout(timeoutMs)) throw new TypeError(`pause(): timeoutMs ${PAUSE_TIMEOUT_RULE} (got ${String(timeoutMs)})`);
    // KafkaJS reads -1 and -2 as latest and earliest, and throws on other negatives (in a timer)
    if (offset !== undefined && !isMessageOffset(offset)) {
      throw new TypeError(`pause()/seek(): offset must be an integer >= 0 (got ${String(offset)}); use seek('earliest') or seek('latest') for the ends`);
    }
    state.requests.pause = { offset: offset ?? state.metadata.firstOffset, timeoutMs };
    state.requests.seek = null;
    state.requests.resume = false;
  }

  /** Lifts a pause of this partition now (it restarts where the pause said). */
  resume(): void {
    const state = jobs.get(this);
    if (state === undefined) return;
    state.requests.pause = null;
    state.requests.resume = true;
  }

  /**
   * Restarts this partition after this job at `target`: an offset, a `Date` (the first message
   * with a timestamp at or after it; the end when there is none), `'earliest'` or `'latest'`.
   * What was fetched after it is dropped; nothing is marked automatically.
   */
  seek(target: SeekTarget): void {
    if (typeof target === 'number') {
      this.pause(target, 0);
      return;
    }
    const state = jobs.get(this);
    if (state === undefined) return;
    state.requests.pause = null;
    state.requests.resume = false;
    state.requests.seek = target instanceof Date ? { timestamp: target.getTime() } : target;
  }
}

/** True when `value` is a class extending Consumer (any copy of this package). */
export function isConsumerClass(value: unknown): value is new () => Consumer {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[BRAND] === true;
}

/** Framework-internal: binds an instance to its partition and producer once, when it is created. */
export function attachConsumer(
  consumer: Consumer,
  who: { topic: string; partition: number; consumerGroup: string },
  producer: ConsumerProducer | undefined,
  transactor?: Transactor,
): void {
  identity.set(consumer, who);
  if (producer !== undefined) producers.set(consumer, producer);
  if (transactor !== undefined) transactors.set(consumer, transactor);
}

/**
 * Framework-internal: gives `consumer` the batch of one job; returns the requests it will collect.
 * `build` makes `this.messages` (one Message object per message) on first use only: a consumer
 * that never reads its batch — a no-op, a tick/eofed hook, one that only counts `metadata.size` —
 * costs no per-message objects in the worker (measured ~0.3-0.6 µs a message with their GC).
 */
export function beginJob(consumer: Consumer, build: () => Messages, metadata: BatchMetadata, attempt = 1, lease?: PartitionLease): ConsumerRequests {
  const requests: ConsumerRequests = { markedOffset: null, pause: null };
  jobs.set(consumer, { messages: undefined, build, metadata, requests, attempt, lease });
  return requests;
}

export function endJob(consumer: Consumer): void {
  jobs.delete(consumer);
}
