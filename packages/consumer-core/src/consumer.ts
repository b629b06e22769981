// The base class users extend. One instance lives per topic-partition inside ONE worker thread and
// persists across batches (fields keep state from batch to batch) until the partition is revoked
// or the app shuts down. A consumer never talks to Kafka itself: marks, pauses, seeks and produce
// calls are requests the framework carries out in the main thread.
import type { Message } from './messages/message';
import type { ProducedMessage, ProducedReport } from './options';
import { ProducerUnavailableError } from './errors';
import { leaseHolds, type PartitionLease } from './processing/ownership-board';

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
}

/** Which hook a job runs. */
export type JobKind = 'consume' | 'eofed' | 'tick';

interface JobState {
  messages: Messages;
  requests: ConsumerRequests;
  attempt: number;
  /** Tells whether the partition is still owned under the epoch the job was dispatched in. */
  lease: PartitionLease | undefined;
}

const jobs = new WeakMap<Consumer, JobState>();
const producers = new WeakMap<Consumer, ConsumerProducer>();
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
    const { firstOffset, lastOffset } = state.messages.metadata;
    if (message.offset < firstOffset || message.offset > lastOffset) return false;
    const next = message.offset + 1;
    if (state.requests.markedOffset === null || next > state.requests.markedOffset) state.requests.markedOffset = next;
    return true;
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
  pause(offset: number = this.messages.metadata.firstOffset, timeoutMs = 0): void {
    const state = jobs.get(this);
    if (state === undefined) return;
    state.requests.pause = { offset, timeoutMs };
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
): void {
  identity.set(consumer, who);
  if (producer !== undefined) producers.set(consumer, producer);
}

/** Framework-internal: gives `consumer` the batch of one job; returns the requests it will collect. */
export function beginJob(consumer: Consumer, messages: Messages, attempt = 1, lease?: PartitionLease): ConsumerRequests {
  const requests: ConsumerRequests = { markedOffset: null, pause: null };
  jobs.set(consumer, { messages, requests, attempt, lease });
  return requests;
}

export function endJob(consumer: Consumer): void {
  jobs.delete(consumer);
}
