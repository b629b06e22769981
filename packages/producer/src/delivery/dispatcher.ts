// Turns sealed batches into Produce requests and settles their records. Batches wait in a lane
// per (variant, leader broker) (lane-queues.ts); every ready batch of a lane goes into one KafkaJS sendBatch (one
// Produce request to that leader), with up to max.in.flight requests in flight per lane, so the
// broker always has work while the next batches fill. A failed request is retried with
// exponential backoff while its records are within their delivery deadline
// (message.timeout.ms); KafkaJS's own retrier is set to 0 retries so this is the one place that
// decides. It must never acknowledge a record the broker did not acknowledge.
// Every record settles by its deadline wherever it is — waiting in a lane, backing off, or in a
// request KafkaJS still holds (request-deadline.ts). A record failed in flight stays in its
// request until KafkaJS answers: the answer gives it no second outcome, its partition sends
// nothing else meanwhile (order, and KafkaJS's sequence numbers), and it keeps its queue room.
// With idempotence KafkaJS numbers the records of each request (firstSequence) and takes the
// numbers back when the request fails, so the next request of the partition reuses them. A batch
// that may have been written is therefore resent exactly as it was sent — records failed by
// their deadline included, their answers ignored — until the broker answers it for good: a copy
// with other records under the same numbers would be refused (OUT_OF_ORDER_SEQUENCE_NUMBER) or,
// with as many records, taken for a duplicate and acknowledged with the first batch's offsets.
import type { RecordMetadata, TopicMessages } from 'kafkajs';
import { DeliveryError } from '../errors';
import type { Monitor, RequestEvent } from '../events';
import type { PartitionBatch } from '../batching/partition-batch';
import type { BatchEncoding } from '../encoding/batch-encoding';
import type { ProduceRecord } from '../batching/produce-record';
import { isRetriable, mayHaveBeenWritten, misconfigurationHint, rootCause } from './failure-classification';
import { LaneQueues, type Lane } from './lane-queues';
import { earliestDeadline, RequestDeadline } from './request-deadline';
import type { VariantSettings } from './variant-settings';

export interface SendBatchRequest {
  acks: number;
  timeout: number;
  compression: VariantSettings['compressionType'];
  /** KafkaJS's sendBatch argument: each batch's records, as `{ topic, messages }`. */
  topicMessages: TopicMessages[];
  /**
   * The same batches, when the dispatcher sends them (at most one per topic-partition, in
   * `topicMessages` order): a send path that encodes at admission takes their bytes from here.
   */
  batches?: readonly PartitionBatch[];
}
export interface SendBatch {
  (request: SendBatchRequest): Promise<RecordMetadata[]>;
  /**
   * Set by a send path that takes batches encoded as their records are admitted
   * (encoding/encoded-send-batch.ts): opens one batch's encoding, sized for about `expectedBytes`
   * (estimated record bytes, as PartitionBatch.bytes counts them). Without it, a batch is encoded
   * by the send path from its records.
   */
  readonly openEncoding?: (expectedBytes: number) => BatchEncoding;
}

/**
 * How the dispatcher reports records back to the pipeline. A record *settles* (its outcome is
 * given) once, and *leaves* (its queue room is released) once, when the dispatcher no longer
 * holds it; a record failed in flight settles first and leaves when its request is answered.
 */
export interface RecordSettler {
  /** The batch was acknowledged: its records leave; those not settled yet are delivered. */
  succeeded(batch: PartitionBatch, baseOffset: string | null): void;
  /** The records leave; those not settled yet fail with `error`. */
  failed(records: readonly ProduceRecord[], error: Error): void;
  /** The records fail with `error` by their deadline but stay: a request carries them still. */
  expired(records: readonly ProduceRecord[], error: Error): void;
  /** A metadata-related failure: forget what we know about these topics. */
  metadataStale(topics: readonly string[]): void;
  /**
   * The sealed batches waiting for an in-flight slot now hold more than the next requests can
   * carry (`true`), or no longer do (`false`): admission of new messages should wait meanwhile.
   */
  backlog(backlogged: boolean): void;
}

export interface DispatcherSettings {
  producerId: string;
  maxInFlight: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  /** Upper bound of one request's payload; at least one batch always goes. */
  maxRequestBytes: number;
  /** Bounds of one record batch when queued batches of a partition are merged (batch.size, batch.num.messages). */
  batchSizeBytes: number;
  batchMaxMessages: number;
  /** KafkaJS numbers the records (enable.idempotence, transactions): batches are resent exactly. */
  idempotent: boolean;
}

const METADATA_ERRORS = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'FENCED_LEADER_EPOCH',
]);

export class Dispatcher {
  private drainScheduled: NodeJS.Immediate | undefined;
  /** Topic-partitions with a request in flight (PartitionBatch.id), across variants and lanes. */
  private readonly sending = new Set<string>();
  /** Runs `sweep` at the earliest deadline of the waiting batches (`sweepAt`), while some wait. */
  private sweeper: NodeJS.Timeout | undefined;
  private sweepAt = Infinity;
  /** Requests backing off before a retry, by their timer (stop() cancels them). */
  private readonly backoffs = new Map<NodeJS.Timeout, { lane: Lane; batches: PartitionBatch[] }>();
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  private requestSeq = 0;
  private inFlightTotal = 0;
  private readonly queues: LaneQueues;

  constructor(
    private readonly settings: DispatcherSettings,
    private readonly send: SendBatch,
    private readonly settler: RecordSettler,
    private readonly monitor: Monitor,
  ) {
    this.queues = new LaneQueues(settings, {
      backlog: (backlogged) => settler.backlog(backlogged),
      expiredWhileWaiting: (batch, records) => settler.failed(records, this.timeoutError(batch, 0, null, false, false)),
    });
  }

  /** Requests in flight or backing off before a retry. */
  get busy(): boolean {
    return this.inFlightTotal > 0;
  }

  /** Resolves when no request is in flight nor backing off. */
  whenIdle(): Promise<void> {
    if (this.inFlightTotal === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Retries nothing more (the producer closes, or the transaction ends): requests backing off are
   * dropped, and requests in flight are not retried when they fail. Call it once every record is
   * settled: what is left is requests whose records all failed by their deadline, resent only to
   * resolve their sequence numbers, which a closed producer (or an ended transaction) no longer
   * needs resolved.
   */
  stop(): void {
    this.stopped = true;
    for (const [timer, { lane, batches }] of this.backoffs) {
      clearTimeout(timer);
      for (const batch of batches) this.settler.failed(batch.records, this.stoppedError(batch));
      this.finish(lane, batches);
    }
    this.backoffs.clear();
  }

  /**
   * Fails the waiting records that are past their delivery deadline: a batch held back (its
   * partition busy with a request being retried, the in-flight limit reached) must still time out
   * on time, not succeed late. Records younger than the deadline stay, in their batch. Runs at the
   * earliest deadline of the waiting batches (armSweep), so none settles late.
   */
  private readonly sweep = (): void => {
    this.sweeper = undefined;
    this.sweepAt = Infinity;
    const now = Date.now();
    this.armSweep(this.queues.sweep((batch) => this.expire(batch, now, 0, null)));
  };

  /** Makes `sweep` run at `at` at the latest (Infinity: nothing to do). */
  private armSweep(at: number): void {
    if (at >= this.sweepAt) return;
    if (this.sweeper !== undefined) clearTimeout(this.sweeper);
    this.sweepAt = at;
    this.sweeper = setTimeout(this.sweep, Math.max(0, at - Date.now()));
    // The queue room of the waiting records keeps the process alive, not this timer.
    this.sweeper.unref();
  }

  /**
   * Fails the records of `batch` whose deadline is at or before `at` and removes them from it.
   * Records join a batch in the order they were produced, so those are its first ones: the rest
   * stays a valid batch (its offsets are counted from its own base offset when it is sent). Only
   * for a batch that will not be resent exactly (see the header).
   */
  private expire(batch: PartitionBatch, at: number, attempts: number, error: Error | null): void {
    const records = batch.records;
    let expired = 0;
    while (expired < records.length && (records[expired] as ProduceRecord).deadline <= at) expired += 1;
    if (expired > 0) this.settler.failed(batch.takeFirst(expired), this.timeoutError(batch, attempts, error, batch.mayBeWritten, false));
  }

  private timeoutError(batch: PartitionBatch, attempts: number, error: Error | null, possiblyPersisted: boolean, inFlight: boolean): DeliveryError {
    const why = inFlight
      ? `: its request (attempt ${attempts}) was still in flight` + (error ? `; the previous attempt failed: ${error.message}` : '')
      : ` after ${attempts} attempt(s)` + (error ? `; last error: ${error.message}` : ': it waited behind earlier requests of its partition');
    return new DeliveryError(
      'DELIVERY_TIMED_OUT',
      `Producing to ${batch.topic}/${batch.partition} did not succeed within the delivery timeout (message.timeout.ms)${why}` +
        (possiblyPersisted ? '; the broker may have written it (possiblyPersisted)' : ''),
      {
        cause: error ?? undefined,
        retriable: true,
        possiblyPersisted,
        context: { producerId: this.settings.producerId, topic: batch.topic, partition: batch.partition },
      },
    );
  }

  private stoppedError(batch: PartitionBatch): DeliveryError {
    return new DeliveryError('DELIVERY_FAILED', `Producing to ${batch.topic}/${batch.partition} was given up: the producer (or its transaction) is ending`, {
      possiblyPersisted: batch.mayBeWritten,
      context: { producerId: this.settings.producerId, topic: batch.topic, partition: batch.partition },
    });
  }

  /**
   * Queues a sealed batch; drainSoon() or drainNow() sends it. A batch whose partition already
   * has batches waiting (behind its request in flight, or the in-flight limit) is merged into the
   * newest of them while that stays within batch.size and batch.num.messages, and otherwise
   * queued behind them in the same lane, even when the leader it was sealed for has changed:
   * lanes are drained one after the other, and a partition's batches in two lanes could leave
   * out of order. (The lane only groups requests; KafkaJS routes each partition to its current
   * leader.) That is how messages produced one by one while their partition is busy (linger 0
   * seals each synchronous run) leave together in its next request, at O(1) each.
   */
  ready(batch: PartitionBatch, variant: VariantSettings): void {
    const first = batch.records[0];
    this.queues.add(batch, variant);
    if (first !== undefined) this.armSweep(first.deadline);
    this.queues.checkBacklog();
  }

  /**
   * Sends at the end of this turn of the event loop, so every batch sealed meanwhile joins the
   * same request (fewer, fuller requests): for batches sealed by size mid-stream.
   */
  drainSoon(): void {
    this.drainScheduled ??= setImmediate(this.drain);
  }

  /** Sends what can go now (right after the linger or a flush sealed batches: no extra turn). */
  drainNow(): void {
    this.drain();
  }

  private readonly drain = (): void => {
    if (this.drainScheduled !== undefined) clearImmediate(this.drainScheduled);
    this.drainScheduled = undefined;
    for (const lane of this.queues.lanes) {
      while (lane.ready.length > 0 && lane.inFlight < this.settings.maxInFlight) {
        const batches = this.queues.take(lane, this.sending);
        if (batches.length === 0) break;
        lane.inFlight += 1;
        this.inFlightTotal += 1;
        this.sendRequest(lane, batches, (this.requestSeq += 1), 1);
      }
    }
    this.queues.recheckBacklog();
  };

  /** `previousError`: why the attempt before this one failed (null on the first): a deadline that passes in flight names it. */
  private sendRequest(lane: Lane, batches: PartitionBatch[], requestId: number, attempt: number, previousError: Error | null = null): void {
    const { variant } = lane;
    const topicMessages: TopicMessages[] = new Array(batches.length);
    for (let i = 0; i < batches.length; i += 1) {
      const batch = batches[i] as PartitionBatch;
      batch.sent = true;
      topicMessages[i] = { topic: batch.topic, messages: batch.records };
    }
    const event = this.monitor.has('request.dispatched') || this.monitor.has('request.completed')
      ? this.requestEvent(lane, batches, requestId, attempt)
      : undefined;
    if (event !== undefined) this.monitor.notify('request.dispatched', event);
    const startedAt = performance.now();
    // Records whose deadline passes before KafkaJS answers fail then; the answer settles the rest.
    const deadline = earliestDeadline(batches) === Infinity
      ? undefined
      : new RequestDeadline(batches, (batch, records) => this.settler.expired(records, this.timeoutError(batch, attempt, previousError, true, true)));
    this.send({
      acks: variant.acks,
      timeout: variant.requestTimeoutMs,
      compression: variant.compressionType,
      topicMessages,
      batches,
    }).then(
      (results) => {
        deadline?.cancel();
        if (event !== undefined) this.monitor.notify('request.completed', { ...event, durationMs: performance.now() - startedAt, error: null });
        const unsent = this.succeeded(batches, results, variant.acks);
        if (unsent.length === 0) {
          this.finish(lane, batches);
          return;
        }
        // KafkaJS leaves out a partition its own metadata does not know yet (partitions added
        // since it last looked): those batches were not written. They are retried like a failed
        // request, keeping their partitions' place, until KafkaJS has learnt the partition.
        for (const batch of batches) if (!unsent.includes(batch)) this.sending.delete(batch.id);
        this.drainSoon(); // batches waiting behind the partitions just settled can go
        const missing = unsent.map((b) => `${b.topic}/${b.partition}`).join(', ');
        // retriable, and no metadata type: our own metadata knows the partition, KafkaJS's lags
        const error = Object.assign(new Error(`KafkaJS sent nothing to ${missing}: its metadata does not know the partition yet`), {
          name: 'KafkaJSMetadataNotLoaded',
          retriable: true,
        });
        this.failedRequest(lane, unsent, requestId, attempt, error);
      },
      (error: unknown) => {
        deadline?.cancel();
        const failure = error instanceof Error ? error : new Error(String(error));
        if (event !== undefined) this.monitor.notify('request.completed', { ...event, durationMs: performance.now() - startedAt, error: failure });
        this.failedRequest(lane, batches, requestId, attempt, failure);
      },
    );
  }

  /**
   * Settles the batches the response covers; returns those it does not (KafkaJS did not send
   * them). Records failed by their deadline meanwhile get no report (succeeded skips them).
   */
  private succeeded(batches: PartitionBatch[], results: RecordMetadata[], acks: number): PartitionBatch[] {
    const unsent: PartitionBatch[] = [];
    for (const batch of batches) {
      let baseOffset: string | null = null;
      if (acks !== 0) {
        const result = results.find((r) => r.partition === batch.partition && r.topicName === batch.topic);
        if (result === undefined) {
          unsent.push(batch);
          continue;
        }
        baseOffset = result.baseOffset ?? null;
        if (baseOffset === null) {
          this.settler.failed(
            batch.records,
            new DeliveryError('DELIVERY_FAILED', `The broker's response has no offset for ${batch.topic}/${batch.partition}`, {
              possiblyPersisted: true,
              context: { producerId: this.settings.producerId, topic: batch.topic, partition: batch.partition },
            }),
          );
          continue;
        }
      }
      this.settler.succeeded(batch, baseOffset);
    }
    return unsent;
  }

  private failedRequest(lane: Lane, batches: PartitionBatch[], requestId: number, attempt: number, error: Error): void {
    const root = rootCause(error) as { type?: string } | null;
    if (root !== null && typeof root === 'object' && root.type !== undefined && METADATA_ERRORS.has(root.type)) {
      this.settler.metadataStale([...new Set(batches.map((b) => b.topic))]);
    }
    if (mayHaveBeenWritten(error, batches.length === 1)) for (const batch of batches) batch.mayBeWritten = true;
    const producerId = this.settings.producerId;
    if (this.stopped) {
      for (const batch of batches) this.settler.failed(batch.records, this.stoppedError(batch));
      this.finish(lane, batches);
      return;
    }
    if (!isRetriable(error)) {
      const hint = misconfigurationHint(error);
      for (const batch of batches) {
        this.settler.failed(
          batch.records,
          new DeliveryError('DELIVERY_FAILED', `Producing to ${batch.topic}/${batch.partition} failed: ${hint === null ? '' : `${hint}: `}${error.message}`, {
            cause: error,
            possiblyPersisted: batch.mayBeWritten,
            context: { producerId, topic: batch.topic, partition: batch.partition },
          }),
        );
      }
      this.finish(lane, batches);
      return;
    }
    const backoff = Math.min(this.settings.retryBackoffMs * 2 ** (attempt - 1), this.settings.retryBackoffMaxMs);
    const retryAt = Date.now() + backoff;
    const remaining: PartitionBatch[] = [];
    for (const batch of batches) {
      if (this.settings.idempotent && batch.mayBeWritten) {
        // Resent exactly (see the header), even once every record has failed by its deadline:
        // records that would be past it by the retry fail now, and ride along.
        const due = batch.records.filter((r) => !r.settled && r.deadline <= retryAt);
        if (due.length > 0) this.settler.expired(due, this.timeoutError(batch, attempt, error, true, false));
        remaining.push(batch);
        continue;
      }
      // Records failed in flight leave now (they are not resent), and those that would be past
      // their deadline by the retry time out now; the rest of the batch is retried (a retry is a
      // new request: they get the new batch's base offset).
      const gone = batch.removeSettled();
      if (gone.length > 0) this.settler.failed(gone, error);
      this.expire(batch, retryAt, attempt, error);
      if (batch.records.length > 0) remaining.push(batch);
    }
    if (remaining.length === 0) {
      this.finish(lane, batches);
      return;
    }
    let freed = false;
    for (const batch of batches) {
      if (!remaining.includes(batch)) {
        this.sending.delete(batch.id);
        freed = true;
      }
    }
    // Batches that waited behind a partition just freed need not wait for the retry.
    if (freed) this.drainSoon();
    if (this.monitor.has('error.occurred')) {
      this.monitor.notify('error.occurred', { producerId, type: 'request.retrying', error, topic: (remaining[0] as PartitionBatch).topic });
    }
    // The lane keeps its in-flight slot while backing off: later batches wait behind this one.
    const timer = setTimeout(() => {
      this.backoffs.delete(timer);
      this.sendRequest(lane, remaining, requestId, attempt + 1, error);
    }, backoff);
    this.backoffs.set(timer, { lane, batches: remaining });
  }

  private finish(lane: Lane, batches: readonly PartitionBatch[]): void {
    for (const batch of batches) this.sending.delete(batch.id);
    lane.inFlight -= 1;
    this.inFlightTotal -= 1;
    if (this.inFlightTotal === 0 && this.idleWaiters.length > 0) for (const wake of this.idleWaiters.splice(0)) wake();
    // Batches that waited for this request go at the end of this turn, together with any whose
    // request completes meanwhile. With nothing waiting no turn is scheduled: the next sealed
    // batch is sent when it is sealed.
    if (this.queues.hasReady) this.drainScheduled ??= setImmediate(this.drain);
  }

  private requestEvent(lane: Lane, batches: PartitionBatch[], requestId: number, attempt: number): RequestEvent {
    let messageCount = 0;
    for (const b of batches) messageCount += b.records.length;
    return {
      producerId: this.settings.producerId,
      requestId,
      attempt,
      leader: lane.leader,
      acks: lane.variant.acks,
      compression: lane.variant.compression,
      messageCount,
      batches: batches.map((b) => ({ topic: b.topic, partition: b.partition, messageCount: b.records.length, bytes: b.bytes })),
    };
  }
}
