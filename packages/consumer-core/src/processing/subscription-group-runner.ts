// Runs one subscription group: its listener (fetching into the prefetch buffer), its poll loop
// (batcher → jobs → scheduler → worker lanes), its offset tracker and commits. Never hands out a
// message of a paused or revoked partition, never marks what a job did not process, and never
// commits for a partition it no longer owns.
//
// Rebalances (KafkaJS is eager: every rebalance revokes everything, then assigns): marks are
// committed the moment KafkaJS announces the rejoin, while the old generation still counts; a
// partition kept through the rejoin keeps its consumer instance, its epoch and its marks (jobs
// still running may mark it), and what KafkaJS fetches again below the mark is skipped; a lost
// partition's epoch ends at once (workers see it through the ownership board), its buffered
// messages go, its running job may finish but cannot mark, and `revoked()` runs after it. What
// was processed but could not be committed is reported as `offsets.discarded`: the next owner
// processes it again (the duplicates at-least-once allows).
import { performance } from 'node:perf_hooks';
import { Listener } from '../connection/listener';
import { PrefetchBuffer, partitionKey } from '../connection/prefetch-buffer';
import type { TransactionIntent } from '../consumer';
import {
  ConsumeFailedError,
  CommitFailedError,
  DeadLetterFailedError,
  PartitionRevokedError,
  ProducerUnavailableError,
  TransactionFailedError,
  WorkerFailedError,
} from '../errors';
import type { FetchedMessage } from '../messages/fetched-message';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { controlFlowOf } from './control-flow';
import { DLQ_HEADERS } from './dead-letter-headers';
import type { GroupScope, PartitionPausedEvent, PartitionStatistics, StatisticsEvent } from '../events';
import type { Monitor } from '../instrumentation/monitor';
import { MessageRun } from '../messages/packed-chunk';
import type { ResolvedAppOptions } from '../options';
import type { SubscriptionGroup } from '../routing/subscription-group';
import type { Topic } from '../routing/topic';
import { Batcher } from './batcher';
import { jobKey, type ConsumeJob } from './job';
import { OffsetTracker } from './offset-tracker';
import { OwnershipBoard } from './ownership-board';
import type { Scheduler } from './scheduler';
import { reviveError } from './serialized-error';
import type { WorkerPool } from './worker-pool';
import type { ConsumeResult, ConsumeTask } from './worker-protocol';

const now = (): number => performance.timeOrigin + performance.now();

/** Error handling and flow state of one owned partition (dropped when the partition is revoked). */
interface PartitionFlow {
  /** Failures in a row (0 after a successful job or a DLQ dispatch). */
  attempts: number;
  /** Restart offset of the last failure (independent DLQ counting). */
  failedAt: number | null;
  /** Restart offset of the pause in effect, or null when not paused. */
  pausedAt: number | null;
  /** When a job last ran on the partition (periodic ticks), ms since epoch. */
  lastJobAt: number;
  /** The partition's end as last seen (high watermark), and how far it was processed. */
  endOffset: number | null;
  processedTo: number | null;
  /** eofed() already ran for the current end. */
  eofSignalled: boolean;
}

export class SubscriptionGroupRunner {
  readonly buffer: PrefetchBuffer;
  readonly tracker = new OffsetTracker();
  readonly #listener: Listener;
  readonly #batcher: Batcher;
  readonly #scope: GroupScope;
  readonly #topics: Map<string, Topic>;
  readonly #pauseTimers = new Map<string, NodeJS.Timeout>();
  readonly #flows = new Map<string, PartitionFlow>();
  readonly #backoff: BackoffPolicy;
  readonly #eofEnabled: boolean;
  #quiet = false;
  #current: Promise<void> = Promise.resolve();
  #commitTimer: NodeJS.Timeout | undefined;
  #commitChain: Promise<void> = Promise.resolve();
  #loop: Promise<void> | undefined;
  #stopping = false;
  readonly #board = new OwnershipBoard();
  /** Consume jobs running on the pool (a rebalance noticed inside eachBatch waits for them). */
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Between KafkaJS's REBALANCING and its next GROUP_JOIN. */
  #rebalancing = false;
  readonly #rebalanceCounters = { rebalances: 0, discardedMessages: 0, skippedMessages: 0 };

  constructor(
    readonly group: SubscriptionGroup,
    private readonly options: ResolvedAppOptions,
    private readonly pool: WorkerPool,
    private readonly monitor: Monitor,
    private readonly scheduler: Scheduler,
    private readonly producerChannel: string | null,
  ) {
    this.#scope = { consumerGroup: group.consumerGroup, subscriptionGroup: group.id };
    this.#topics = new Map(group.topics.map((t) => [t.name, t]));
    this.#backoff = {
      timeoutMs: options.pauseTimeoutMs,
      maxTimeoutMs: options.pauseMaxTimeoutMs,
      exponential: options.pauseWithExponentialBackoff,
    };
    this.#eofEnabled = group.fetch.enablePartitionEof;
    this.buffer = new PrefetchBuffer(group.fetch.queuedMaxMessagesKbytes * 1024);
    this.#batcher = new Batcher(this.buffer, {
      maxMessages: group.maxMessages,
      maxWaitTimeMs: group.maxWaitTimeMs,
      enablePartitionEof: group.fetch.enablePartitionEof,
    });
    this.#listener = new Listener(
      group,
      options.kafka,
      this.buffer,
      monitor,
      {
        onFetched: (topic, partition, last, hw) => {
          this.tracker.fetched(topic, partition, last, hw);
          const flow = this.#flows.get(partitionKey(topic, partition));
          if (flow !== undefined && (flow.endOffset === null || hw > flow.endOffset)) {
            flow.endOffset = hw;
            flow.eofSignalled = false;
          }
        },
        onAssignment: (assignment) => this.#onAssignment(assignment),
        onRebalancing: async (keepAlive) => {
          this.#rebalancing = true;
          // every partition restarts from its committed offset after the join: a pause timer
          // firing meanwhile would leave a seek in KafkaJS that outlives the rejoin
          this.#clearPauseTimers();
          if (keepAlive !== undefined) await this.#drainForRebalance(keepAlive);
          return this.commit('rebalance');
        },
        onRestart: () => this.#clearPauseTimers(),
      },
      `${options.kafka.clientId}-${options.id}`,
    );
  }

  async start(): Promise<void> {
    await this.#listener.start();
    this.#loop = this.#run();
    this.#commitTimer = setInterval(() => void this.commit('interval'), this.options.kafka.autoCommitIntervalMs);
    this.#commitTimer.unref();
  }

  /**
   * Quiet mode: hands out no new polls (fetching and heartbeats go on, so the group membership
   * stays; the prefetch buffer fills up to its bound). Resolves when the running poll's jobs
   * have finished.
   */
  quiet(): Promise<void> {
    this.#quiet = true;
    return this.#current;
  }

  /** Stops handing out polls; resolves when the jobs of the current poll have finished. */
  quiesce(): Promise<void> {
    this.#stopping = true;
    this.#batcher.stop();
    if (this.#commitTimer !== undefined) clearInterval(this.#commitTimer);
    this.#clearPauseTimers();
    return this.#loop ?? Promise.resolve();
  }

  /** Leaves the group and disconnects (commit first: KafkaJS ignores commits after stop). */
  async stopListener(): Promise<void> {
    await this.#listener.stop();
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      if (this.#quiet) {
        await this.buffer.waitForChange(this.group.maxWaitTimeMs);
        continue;
      }
      try {
        this.#current = this.#pollOnce();
        await this.#current;
      } catch (error) {
        // never let one bad poll end the loop silently: report it and poll again
        this.#pollError(error);
        await new Promise((resolve) => setTimeout(resolve, this.options.kafka.fetchErrorBackoffMs));
      }
    }
  }

  async #pollOnce(): Promise<void> {
    this.monitor.notify('poll.started', this.#scope);
    const started = performance.now();
    const taken = await this.#batcher.poll();
    // KafkaJS is rejoining: whatever is handed out now may move; everything is fetched again after
    // the rejoin from the committed offsets (kept partitions skip what they marked), so drop it
    if (this.#rebalancing) return;
    const count = taken.reduce((s, t) => s + t.messages.length, 0);
    this.monitor.notify('poll.completed', { ...this.#scope, messages: count, partitions: taken.length, durationMs: performance.now() - started });
    const readyAt = now();
    const jobs: ConsumeJob[] = [];
    for (const t of taken) {
      const topic = this.#topics.get(t.topic);
      const epoch = this.tracker.epochOf(t.topic, t.partition);
      if (topic === undefined || epoch === null) continue;
      // after a rejoin KafkaJS fetches a kept partition again from its committed offset: what
      // this ownership already processed (below its mark) is not handed out twice. A seek or
      // pause back below the mark lifts this: the consumer asked for those messages again.
      const skipBelow = this.tracker.skipBelow(t.topic, t.partition);
      let messages = t.messages;
      if (skipBelow !== null && (messages.offsetAt(0) ?? skipBelow) < skipBelow) {
        messages = messages.from(skipBelow);
        this.#rebalanceCounters.skippedMessages += t.messages.length - messages.length;
        if (messages.length === 0) continue;
      }
      jobs.push({ key: jobKey(topic.consumerGroup, t.topic, t.partition), topic, partition: t.partition, messages, readyAt, epoch });
    }
    jobs.push(...this.#hookJobs(taken, readyAt));
    if (jobs.length === 0) return;
    // A job's handling must never reject: the blocking poll would then start the next poll while
    // this one's other jobs still run (two jobs of a partition at once).
    await this.scheduler.schedule(jobs, (job) =>
      (job.hook === undefined || job.hook === 'consume' ? this.#execute(job) : this.#executeHook(job)).catch((error: unknown) =>
        this.#pollError(error, { topic: job.topic.name, partition: job.partition }),
      ),
    );
  }

  /** eofed() jobs for partitions processed up to their end, tick() jobs for quiet periodic partitions. */
  #hookJobs(taken: ReadonlyArray<{ topic: string; partition: number }>, readyAt: number): ConsumeJob[] {
    const busy = new Set(taken.map((t) => partitionKey(t.topic, t.partition)));
    const jobs: ConsumeJob[] = [];
    const at = Date.now();
    const owned = new Map(this.tracker.partitions().map((x) => [partitionKey(x.topic, x.partition), x]));
    for (const [key, flow] of this.#flows) {
      if (busy.has(key)) continue;
      const p = owned.get(key);
      const topic = p === undefined ? undefined : this.#topics.get(p.topic);
      if (p === undefined || topic === undefined) continue;
      const base = { key: jobKey(topic.consumerGroup, p.topic, p.partition), topic, partition: p.partition, messages: MessageRun.EMPTY, readyAt };
      const atEnd =
        topic.fetch.enablePartitionEof &&
        !flow.eofSignalled &&
        flow.pausedAt === null &&
        flow.endOffset !== null &&
        flow.processedTo !== null &&
        flow.processedTo >= flow.endOffset &&
        this.buffer.countFor(p.topic, p.partition) === 0 &&
        // fetched batches reach the buffer (and endOffset) at the end of the event-loop turn
        !this.#listener.hasPending(p.topic, p.partition);
      if (atEnd) {
        flow.eofSignalled = true;
        flow.lastJobAt = at;
        jobs.push({ ...base, hook: 'eofed' });
      } else if (topic.periodicIntervalMs != null && at - flow.lastJobAt >= topic.periodicIntervalMs) {
        flow.lastJobAt = at;
        jobs.push({ ...base, hook: 'tick' });
      }
    }
    return jobs;
  }

  #flow(topic: string, partition: number): PartitionFlow {
    const key = partitionKey(topic, partition);
    let flow = this.#flows.get(key);
    if (flow === undefined) {
      flow = { attempts: 0, failedAt: null, pausedAt: null, lastJobAt: Date.now(), endOffset: null, processedTo: null, eofSignalled: false };
      this.#flows.set(key, flow);
    }
    return flow;
  }

  #task(job: ConsumeJob, attempt: number): ConsumeTask {
    const { topic, partition, messages } = job;
    const epoch = job.epoch ?? this.tracker.epochOf(topic.name, partition) ?? 0;
    return {
      lease: this.#board.lease(job.key, epoch),
      kind: 'consume',
      key: job.key,
      consumerGroup: topic.consumerGroup,
      topic: topic.name,
      partition,
      consumer: topic.consumer,
      deserializer: topic.deserializer,
      manualOffsetManagement: topic.manualOffsetManagement,
      packed: messages.pack(),
      readyAt: job.readyAt,
      producerChannel: this.producerChannel,
      attempt,
      hook: job.hook ?? 'consume',
    };
  }

  /** Runs an eofed()/tick() hook; it may pause, resume or seek its partition. */
  async #executeHook(job: ConsumeJob): Promise<void> {
    const { topic, partition } = job;
    const hook = job.hook === 'eofed' ? 'eofed' : 'tick';
    const event = { ...this.#scope, topic: topic.name, partition, hook, consumer: topic.consumer.export } as const;
    this.monitor.notify('consumer.hook', event);
    const started = performance.now();
    let result: ConsumeResult;
    try {
      result = await this.pool.consume(this.#task(job, 1));
    } catch (error) {
      this.monitor.notify('consumer.hooked', { ...event, durationMs: performance.now() - started, success: false });
      const failure = new WorkerFailedError(`Worker failed running ${topic.consumer.export}.${hook}() on ${topic.name}-${partition}`, {
        cause: error,
        context: { ...this.#scope, topic: topic.name, partition },
      });
      this.monitor.notify('error.occurred', { type: 'worker.error', error: failure, ...this.#scope, topic: topic.name, partition });
      return;
    }
    this.monitor.notify('consumer.hooked', { ...event, durationMs: performance.now() - started, success: result.error === null });
    if (result.error !== null) {
      const error = new ConsumeFailedError(`${topic.consumer.export}.${hook}() failed on ${topic.name}-${partition}: ${result.error.message}`, {
        cause: reviveError(result.error),
        context: { ...this.#scope, topic: topic.name, partition },
      });
      this.monitor.notify('error.occurred', { type: `consumer.${hook}.error`, error, ...this.#scope, topic: topic.name, partition });
      return;
    }
    const flow = this.#flows.get(partitionKey(topic.name, partition));
    const position = flow?.pausedAt ?? flow?.processedTo ?? this.tracker.partitions().find((p) => p.topic === topic.name && p.partition === partition)?.fetchPosition ?? null;
    if (result.pause !== null) {
      const offset = result.pause.offset >= 0 ? result.pause.offset : position;
      if (offset !== null) this.#pause(topic.name, partition, offset, result.pause.timeoutMs, 'request');
    } else if ((result.seek ?? null) !== null) {
      await this.#seek(topic.name, partition, result.seek!);
    } else if (result.resume === true) {
      this.#resume(topic.name, partition);
    }
  }

  async #execute(job: ConsumeJob): Promise<void> {
    const { topic, partition, messages } = job;
    const first = messages.at(0);
    const last = messages.at(-1);
    if (first === undefined || last === undefined) return;
    const flow = this.#flow(topic.name, partition);
    flow.lastJobAt = Date.now();
    const attempt = flow.attempts + 1;
    this.tracker.dispatched(topic.name, partition, last.offset, first.offset);
    const lane = this.pool.laneFor(job.key);
    const base = {
      ...this.#scope,
      topic: topic.name,
      partition,
      consumer: topic.consumer.export,
      messages: messages.length,
      firstOffset: first.offset,
      lastOffset: last.offset,
      lane,
    };
    this.monitor.notify('consumer.consume', base);
    let result: ConsumeResult;
    try {
      result = await this.#track(this.pool.consume(this.#task(job, attempt)));
    } catch (error) {
      // the thread died (piscina replaces it): marks of this job are lost, retry the whole batch
      const failure = new WorkerFailedError(`Worker failed running ${topic.consumer.export} on ${topic.name}-${partition}`, {
        cause: error,
        context: { ...this.#scope, topic: topic.name, partition, offset: first.offset },
      });
      this.monitor.notify('error.occurred', { type: 'worker.error', error: failure, ...this.#scope, topic: topic.name, partition, offset: first.offset });
      if (job.epoch !== undefined && !this.tracker.owns(topic.name, partition, job.epoch)) return; // lost meanwhile: not ours to retry
      await this.#failed(job, this.#firstUnmarked(job, null), { name: failure.name, message: failure.message });
      return;
    }
    if (job.epoch !== undefined && !this.tracker.owns(topic.name, partition, job.epoch)) {
      // the partition was lost while the job ran: its work cannot be committed by us
      this.#finishedAfterRevocation(job, result);
      return;
    }
    if (result.markedOffset !== null) this.tracker.mark(topic.name, partition, result.markedOffset, job.epoch);
    // marks made while KafkaJS rejoins may still make it under the old generation
    if (this.#rebalancing && result.markedOffset !== null) void this.commit('rebalance');
    this.monitor.notify('consumer.consumed', {
      ...base,
      durationMs: result.finishedAt - result.startedAt,
      processingLatencyMs: Math.max(0, result.startedAt - job.readyAt),
      consumptionLatencyMs: Math.max(0, result.startedAt - last.timestamp),
      maxConsumptionLatencyMs: Math.max(0, result.startedAt - first.timestamp),
      threadId: result.threadId,
      markedOffset: result.markedOffset,
      success: result.error === null,
    });
    if (result.error !== null) {
      const restart = this.#firstUnmarked(job, result.markedOffset);
      const control = controlFlowOf(result.error);
      if (control.kind === 'retry-later') {
        // the consumer asked for it: not a failure, so the failure count stays where it was
        this.#pause(topic.name, partition, restart, control.delayMs, 'retry', flow.attempts);
        return;
      }
      // an UnrecoverableError steers only for an unmarked message of this batch: else it is an ordinary failure
      const named = control.kind === 'unrecoverable' ? (control.offset ?? restart) : null;
      const unrecoverableAt = named !== null && named >= restart && messages.atOffset(named) !== undefined ? named : null;
      const offset = unrecoverableAt ?? restart;
      const error = new ConsumeFailedError(`${topic.consumer.export}.consume() failed on ${topic.name}-${partition}: ${result.error.message}`, {
        cause: reviveError(result.error),
        context: { ...this.#scope, topic: topic.name, partition, offset },
      });
      this.monitor.notify('error.occurred', { type: 'consumer.consume.error', error, ...this.#scope, topic: topic.name, partition, offset });
      await this.#failed(job, restart, result.error, unrecoverableAt);
      return;
    }
    flow.attempts = 0;
    flow.failedAt = null;
    flow.processedTo = last.offset + 1;
    if (result.pause !== null) {
      this.#pause(topic.name, partition, result.pause.offset, result.pause.timeoutMs, 'request');
    } else if ((result.seek ?? null) !== null) {
      await this.#seek(topic.name, partition, result.seek!);
    }
  }

  /**
   * Where a failed job's partition restarts: its first unmarked message in this batch, at or
   * after what the job marked, and never below what the job's transactions committed (the
   * tracker counts those as marked). With manual offset management an earlier batch may have
   * succeeded without marking; it is not processed again (see the limits in docs/consumer.md):
   * going back there would take the dead letter queue's count and the backoff with it.
   */
  #firstUnmarked(job: ConsumeJob, markedByJob: number | null): number {
    const first = job.messages.offsetAt(0) as number;
    const last = job.messages.offsetAt(job.messages.length - 1) as number;
    const marked = this.tracker.markedOffset(job.topic.name, job.partition);
    return Math.max(first, markedByJob ?? first, Math.min(marked ?? first, last + 1));
  }

  /**
   * A job failed with its first unmarked message at `restart`: count the failure, then either
   * retry from there after the backoff, or — once the route's dead letter queue allows no more
   * retries — send that message to the DLQ, mark it and go on after it. `unrecoverableAt`: the
   * consumer threw an UnrecoverableError for that unmarked message of this batch, which goes to
   * the DLQ at once.
   */
  async #failed(job: ConsumeJob, restart: number, error: { name: string; message: string }, unrecoverableAt: number | null = null): Promise<void> {
    const { topic, partition, messages } = job;
    const flow = this.#flow(topic.name, partition);
    const dlq = topic.deadLetterQueue ?? null;
    // independent counting: getting past the message that failed before starts a new count
    if (dlq?.independent === true && flow.failedAt !== null && restart > flow.failedAt) flow.attempts = 0;
    flow.attempts += 1;
    flow.failedAt = restart;
    const failing = messages.atOffset(unrecoverableAt ?? restart);
    if (dlq !== null && failing !== undefined && (unrecoverableAt !== null || flow.attempts > dlq.maxRetries)) {
      const dispatched = await this.#deadLetter(job, failing, flow.attempts, error, dlq.topic);
      // lost while the DLQ produce ran: the next owner starts from the committed offset
      if (job.epoch !== undefined && !this.tracker.owns(topic.name, partition, job.epoch)) return;
      if (dispatched) {
        flow.attempts = 0;
        flow.failedAt = null;
        this.#pause(topic.name, partition, failing.offset + 1, 0, 'dlq');
        return;
      }
    }
    this.#pause(topic.name, partition, restart, backoffDelay(this.#backoff, flow.attempts), 'error', flow.attempts);
  }

  /** Produces `message` to the DLQ topic with where it came from and why; marks it when that worked. */
  async #deadLetter(
    job: ConsumeJob,
    message: FetchedMessage,
    attempts: number,
    error: { name: string; message: string },
    deadLetterTopic: string,
  ): Promise<boolean> {
    const { topic, partition } = job;
    const producer = this.options.producer;
    const event = { ...this.#scope, topic: topic.name, partition, offset: message.offset, deadLetterTopic, attempts, errorClass: error.name };
    this.monitor.notify('dlq.dispatch', event);
    const started = performance.now();
    try {
      if (producer === undefined) throw new ProducerUnavailableError('This app has no producer: pass `producer` in the App options');
      const report = await producer.produceSync({
        topic: deadLetterTopic,
        key: message.key,
        payload: message.value,
        headers: {
          ...message.headers,
          [DLQ_HEADERS.topic]: topic.name,
          [DLQ_HEADERS.partition]: String(partition),
          [DLQ_HEADERS.offset]: String(message.offset),
          [DLQ_HEADERS.consumerGroup]: topic.consumerGroup,
          [DLQ_HEADERS.attempts]: String(attempts),
          [DLQ_HEADERS.errorClass]: error.name,
          [DLQ_HEADERS.errorMessage]: error.message,
        },
      });
      this.tracker.dispatched(topic.name, partition, message.offset);
      this.tracker.mark(topic.name, partition, message.offset + 1, job.epoch);
      this.monitor.notify('dlq.dispatched', {
        ...event,
        deadLetterPartition: report.partition,
        deadLetterOffset: report.offset,
        durationMs: performance.now() - started,
      });
      return true;
    } catch (cause) {
      this.monitor.notify('error.occurred', {
        type: 'dlq.dispatch.error',
        error: new DeadLetterFailedError(`Producing ${topic.name}-${partition}@${message.offset} to the dead letter queue ${deadLetterTopic} failed; retrying`, {
          cause,
          context: { ...this.#scope, topic: topic.name, partition, offset: message.offset },
        }),
        ...this.#scope,
        topic: topic.name,
        partition,
        offset: message.offset,
      });
      return false;
    }
  }

  /** Resolves a seek to a time or an end, then restarts the partition there. */
  async #seek(topic: string, partition: number, target: NonNullable<ConsumeResult['seek']>): Promise<void> {
    try {
      const offset = await this.#listener.resolveOffset(topic, partition, target);
      this.#pause(topic, partition, offset, 0, 'request');
    } catch (cause) {
      this.monitor.notify('error.occurred', {
        type: 'consumer.seek.error',
        error: new ConsumeFailedError(`Seeking ${topic}-${partition} to ${JSON.stringify(target)} failed`, { cause, context: { ...this.#scope, topic, partition } }),
        ...this.#scope,
        topic,
        partition,
      });
    }
  }

  /** Lifts a pause now (a consumer's resume()). */
  #resume(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    const flow = this.#flows.get(key);
    if (flow === undefined || flow.pausedAt === null || !this.tracker.owns(topic, partition)) return;
    clearTimeout(this.#pauseTimers.get(key));
    this.#pauseTimers.delete(key);
    const offset = flow.pausedAt;
    flow.pausedAt = null;
    this.#listener.resumeAt(topic, partition, offset);
    this.monitor.notify('partition.resumed', { ...this.#scope, topic, partition, offset, timeoutMs: 0, reason: 'request', attempt: flow.attempts });
  }

  #clearPauseTimers(): void {
    for (const t of this.#pauseTimers.values()) clearTimeout(t);
    this.#pauseTimers.clear();
  }

  /** Reports what went wrong outside a job's own error handling (`poll.error`), never throwing. */
  #pollError(error: unknown, where: { topic: string; partition: number } | Record<string, never> = {}): void {
    this.monitor.notify('error.occurred', { type: 'poll.error', error: error instanceof Error ? error : new Error(String(error)), ...this.#scope, ...where });
  }

  // Only this partition stops: the listener drops what it buffered and KafkaJS stops fetching it;
  // after `timeoutMs` (never, for Infinity, until resume()) it restarts exactly at `offset`.
  #pause(topic: string, partition: number, offset: number, timeoutMs: number, reason: PartitionPausedEvent['reason'], attempt = 0): void {
    if (!this.tracker.owns(topic, partition)) return;
    const key = partitionKey(topic, partition);
    const flow = this.#flow(topic, partition);
    this.#listener.pause(topic, partition);
    this.tracker.rewind(topic, partition, offset);
    flow.pausedAt = offset;
    flow.processedTo = offset;
    const event = { ...this.#scope, topic, partition, offset, timeoutMs, reason, attempt };
    this.monitor.notify('partition.paused', event);
    clearTimeout(this.#pauseTimers.get(key));
    this.#pauseTimers.delete(key);
    // during a rejoin no timer: every partition restarts from its committed offset after it, and
    // a seek left in KafkaJS meanwhile would outlive the rejoin
    if (!Number.isFinite(timeoutMs) || this.#rebalancing) return;
    const timer = setTimeout(() => {
      this.#pauseTimers.delete(key);
      if (this.#stopping || !this.tracker.owns(topic, partition)) return;
      flow.pausedAt = null;
      try {
        this.#listener.resumeAt(topic, partition, offset);
      } catch (error) {
        // a timer must never throw (the process would die); the next join resets the partition
        this.#pollError(error, { topic, partition });
        return;
      }
      this.monitor.notify('partition.resumed', event);
    }, timeoutMs);
    this.#pauseTimers.set(key, timer);
  }

  /**
   * Runs a consumer's transaction on the app's transactional producer: its messages, then its
   * offset via sendOffsets for this consumer group, then commit. Refused (and aborted when
   * already open) once the partition is lost or a rebalance is under way: with KafkaJS's
   * TxnOffsetCommit v0/v1 the broker does not check the group generation, so this ownership
   * check is the only fence against a zombie commit. While it runs, the normal commit path leaves
   * the partition alone; once committed, its offset counts as marked and committed.
   */
  async runTransaction(intent: TransactionIntent): Promise<void> {
    const { topic, partition, epoch, markedOffset, messages } = intent;
    const producer = this.options.producer;
    if (producer?.transaction === undefined) throw new ProducerUnavailableError('Transactions need a producer with transaction support in the App options');
    const owned = (): boolean => !this.#rebalancing && this.tracker.owns(topic, partition, epoch === 0 ? undefined : epoch);
    const revoked = (): PartitionRevokedError =>
      new PartitionRevokedError(`${topic}-${partition} is being rebalanced or was lost: its transaction was aborted`, {
        context: { ...this.#scope, topic, partition },
      });
    if (!owned()) throw revoked();
    const withOffsets = markedOffset !== null;
    const ownEpoch = this.tracker.epochOf(topic, partition) ?? epoch;
    if (withOffsets) {
      this.tracker.beginTransaction(topic, partition);
      await this.#commitChain; // a normal commit already sent must land before the transaction's offset
    }
    let committed = false;
    try {
      await producer.transaction(async (tx) => {
        if (messages.length > 0) await tx.produceManySync(messages);
        if (withOffsets) {
          if (!owned()) throw revoked();
          await tx.sendOffsets({ consumerGroupId: this.group.consumerGroup, topics: [{ topic, partitions: [{ partition, offset: String(markedOffset) }] }] });
        }
        if (!owned()) throw revoked(); // last look before EndTxn(commit)
      });
      committed = true;
    } catch (error) {
      if (error instanceof PartitionRevokedError) throw error;
      throw new TransactionFailedError(`Transaction of ${topic}-${partition} aborted: ${(error as Error).message}`, {
        cause: error,
        context: { ...this.#scope, topic, partition },
      });
    } finally {
      if (withOffsets) this.tracker.endTransaction(topic, partition, ownEpoch, committed ? markedOffset : null);
    }
  }

  #track<T>(job: Promise<T>): Promise<T> {
    this.#inFlight.add(job);
    const done = (): void => void this.#inFlight.delete(job);
    job.then(done, done);
    return job;
  }

  /**
   * Lets the running jobs finish before KafkaJS may rejoin (their marks are then committed under
   * the old generation), heartbeating meanwhile; bounded by `rebalanceDrainTimeoutMs` (default 0:
   * not at all — the whole group waits for this member meanwhile) and by half the rebalance
   * timeout, within which the group waits for this member's JoinGroup.
   */
  async #drainForRebalance(keepAlive: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + Math.min(this.options.rebalanceDrainTimeoutMs, this.options.kafka.rebalanceTimeoutMs / 2);
    while (this.#inFlight.size > 0 && Date.now() < deadline) {
      const tick = new Promise((resolve) => setTimeout(resolve, Math.min(this.options.kafka.heartbeatIntervalMs, 1_000)));
      await Promise.race([Promise.allSettled([...this.#inFlight]), tick]);
      if (this.#inFlight.size > 0) await keepAlive();
    }
  }

  /** A job of a partition lost while it ran: report what it processed as duplicates to come. */
  #finishedAfterRevocation(job: ConsumeJob, result: ConsumeResult): void {
    const processedTo = result.error === null ? (job.messages.offsetAt(job.messages.length - 1) ?? -1) + 1 : result.markedOffset;
    if (processedTo === null) return;
    const done = job.messages.before(processedTo);
    const first = done.at(0);
    if (first === undefined) return;
    this.#discarded(job.topic.name, job.partition, first.offset, processedTo, done.length, 'finished-after-revocation');
  }

  #discarded(topic: string, partition: number, fromOffset: number, toOffset: number, messages: number, reason: 'revoked' | 'finished-after-revocation'): void {
    this.#rebalanceCounters.discardedMessages += messages;
    this.monitor.notify('offsets.discarded', { ...this.#scope, topic, partition, fromOffset, toOffset, messages, reason });
  }

  #onAssignment(assignment: Array<{ topic: string; partition: number }>): void {
    this.#clearPauseTimers();
    this.#rebalancing = false;
    this.#rebalanceCounters.rebalances += 1;
    const next = new Set(assignment.map((a) => partitionKey(a.topic, a.partition)));
    const revoked = this.tracker.partitions().filter((p) => !next.has(partitionKey(p.topic, p.partition)));
    for (const p of revoked) {
      const key = jobKey(this.group.consumerGroup, p.topic, p.partition);
      this.#board.release(key); // running jobs of it stop being able to mark, at once
      const last = this.tracker.revoke(p.topic, p.partition);
      const from = last?.committed ?? last?.origin ?? null;
      if (last?.marked != null && from !== null && last.marked > from) this.#discarded(p.topic, p.partition, from, last.marked, last.marked - from, 'revoked');
    }
    for (const a of assignment) {
      const epoch = this.tracker.assign(a.topic, a.partition);
      this.#board.own(jobKey(this.group.consumerGroup, a.topic, a.partition), epoch);
    }
    // kept partitions' marks that missed the old generation: commit them under the new one now
    if (assignment.length > 0) void this.commit('rebalance');
    // eager rebalance: every partition starts over from its committed offset, unpaused
    this.#flows.clear();
    for (const a of assignment) this.#flow(a.topic, a.partition);
    if (this.#eofEnabled && assignment.length > 0) void this.#learnBounds(assignment);
    if (revoked.length > 0) {
      this.monitor.notify('partitions.revoked', { ...this.#scope, partitions: revoked.map((p) => ({ topic: p.topic, partition: p.partition })) });
      void this.pool
        .revoke(revoked.map((p) => jobKey(this.group.consumerGroup, p.topic, p.partition)))
        .then(({ errors }) => {
          for (const e of errors) {
            this.monitor.notify('error.occurred', { type: 'consumer.revoked.error', error: reviveError(e.error), ...this.#scope });
          }
        })
        .catch(() => undefined);
    }
    this.monitor.notify('partitions.assigned', { ...this.#scope, partitions: assignment });
  }

  /**
   * KafkaJS delivers no batch for a partition with nothing to fetch, so an empty (or fully
   * consumed) partition would never show its end: ask the broker where each assigned partition
   * starts and ends, and where the group stands in it.
   */
  async #learnBounds(assignment: Array<{ topic: string; partition: number }>): Promise<void> {
    try {
      const bounds = await this.#listener.bounds(assignment);
      for (const b of bounds) {
        const flow = this.#flows.get(partitionKey(b.topic, b.partition));
        const topic = this.#topics.get(b.topic);
        if (flow === undefined || topic === undefined || flow.processedTo !== null) continue;
        const start = b.committed ?? (topic.initialOffset === 'earliest' ? b.low : b.high);
        flow.processedTo = start;
        if (flow.endOffset === null || b.high > flow.endOffset) flow.endOffset = b.high;
      }
      this.buffer.interrupt();
    } catch (error) {
      if (this.#stopping) return; // the listener closed its admin client on the way out
      this.#pollError(error);
    }
  }

  /**
   * Commits marked offsets of owned partitions. Commits run one at a time, except a rebalance
   * commit: it is sent at once (KafkaJS sends its JoinGroup right after announcing the rejoin,
   * on the same connection, and the broker answers requests of a connection in order), and only
   * carries marks at or ahead of any commit still in flight.
   */
  commit(reason: 'interval' | 'rebalance' | 'shutdown'): Promise<void> {
    if (reason === 'rebalance') {
      const sent = this.#send(reason);
      this.#commitChain = this.#commitChain.then(() => sent);
      return sent;
    }
    this.#commitChain = this.#commitChain.then(() => this.#send(reason));
    return this.#commitChain;
  }

  // The snapshot and the KafkaJS call happen synchronously, before the first await.
  async #send(reason: 'interval' | 'rebalance' | 'shutdown'): Promise<void> {
    const offsets = this.tracker.pending();
    if (offsets.length === 0) return;
    const event = { ...this.#scope, offsets, reason };
    this.monitor.notify('offsets.commit', event);
    const started = performance.now();
    try {
      await this.#listener.commit(offsets);
      this.tracker.committed(offsets);
      this.monitor.notify('offsets.committed', { ...event, durationMs: performance.now() - started });
    } catch (error) {
      this.monitor.notify('error.occurred', {
        type: 'offsets.commit.error',
        error: new CommitFailedError(`Committing offsets of ${this.group.consumerGroup} failed (${reason})`, { cause: error, context: this.#scope }),
        ...this.#scope,
      });
    }
  }

  statistics(): StatisticsEvent['subscriptionGroups'][number] {
    const partitions: PartitionStatistics[] = this.tracker.partitions().map((p) => {
      const hw = p.highWatermark;
      const position = p.committed ?? p.marked ?? p.fetchPosition;
      return {
        topic: p.topic,
        partition: p.partition,
        lag: hw === null || position === null ? 0 : Math.max(0, hw - position),
        fetchLag: hw === null || p.fetchPosition === null ? 0 : Math.max(0, hw - p.fetchPosition),
        highWatermark: hw,
        fetchPosition: p.fetchPosition,
        markedOffset: p.marked,
        committedOffset: p.committed,
        bufferedMessages: this.buffer.countFor(p.topic, p.partition),
      };
    });
    return { ...this.#scope, bufferedBytes: this.buffer.bytes, partitions, ...this.#rebalanceCounters };
  }
}
