// Runs jobs on the worker pool and reports them: a consume job's processed messages go to its
// partition's ledger, then the topic's strategy settles it; a hook job's (eofed, tick) pause, seek
// or resume request is carried out. A job of a partition lost while it ran marks nothing: what it
// processed is reported as duplicates to come. A job's handling never rejects: the blocking poll
// would then start the next poll while this one's other jobs still run.
import { performance } from 'node:perf_hooks';
import { ConsumeFailedError, WorkerFailedError } from '../errors';
import type { GroupScope } from '../events';
import type { Monitor } from '../instrumentation/monitor';
import type { CommitReason } from '../connection/offset-committer';
import type { RebalanceManager } from '../connection/rebalance-manager';
import type { ConsumeJob } from './job';
import type { JobsBuilder } from './jobs-builder';
import type { OffsetTracker } from './offsets/offset-tracker';
import type { PartitionCoordinators } from './partition-coordinators';
import { reviveError } from './serialized-error';
import type { WorkerPool } from './worker-pool';
import type { ConsumeResult } from './worker-protocol';

/** What the executor needs of its subscription group. */
export interface ExecutorContext {
  readonly pool: Pick<WorkerPool, 'consume' | 'laneFor'>;
  readonly monitor: Monitor;
  readonly scope: GroupScope;
  readonly tracker: Pick<OffsetTracker, 'dispatchedRun' | 'processed' | 'owns' | 'fetchPositionOf'>;
  readonly coordinators: PartitionCoordinators;
  readonly jobs: Pick<JobsBuilder, 'task'>;
  readonly rebalance: Pick<RebalanceManager, 'rebalancing' | 'finishedAfterRevocation' | 'instanceUsed'>;
  commit(reason: CommitReason): Promise<void>;
}

export class JobExecutor {
  /** Consume jobs running on the pool (a rebalance noticed inside eachBatch waits for them). */
  readonly running = new Set<Promise<unknown>>();

  constructor(private readonly context: ExecutorContext) {}

  /** Runs one job of a poll to its end. */
  run(job: ConsumeJob): Promise<void> {
    return job.hook === undefined || job.hook === 'consume' ? this.#consume(job) : this.#hook(job);
  }

  async #consume(job: ConsumeJob): Promise<void> {
    const { pool, monitor, scope, tracker, coordinators, rebalance } = this.context;
    const { topic, partition, messages } = job;
    const first = messages.at(0);
    const last = messages.at(-1);
    const started = coordinators.get(topic.name, partition);
    if (first === undefined || last === undefined || started === undefined) return;
    started.lastJobAt = Date.now();
    const attempt = started.failures.attempts + 1;
    tracker.dispatchedRun(topic.name, partition, messages);
    rebalance.instanceUsed(job);
    const lane = pool.laneFor(job.laneKey);
    const base = { ...scope, topic: topic.name, partition, consumer: topic.consumer.export, messages: messages.length, firstOffset: first.offset, lastOffset: last.offset, lane };
    monitor.notify('consumer.consume', base);
    let result: ConsumeResult;
    try {
      result = await this.#track(pool.consume(this.context.jobs.task(job, attempt)));
    } catch (error) {
      // the thread died (piscina replaces it): the strategy retries what the job did not mark
      const failure = new WorkerFailedError(`Worker failed running ${topic.consumer.export} on ${topic.name}-${partition}`, {
        cause: error,
        context: { ...scope, topic: topic.name, partition, offset: first.offset },
      });
      monitor.notify('error.occurred', { type: 'worker.error', error: failure, ...scope, topic: topic.name, partition, offset: first.offset });
      if (!this.#owns(job)) return; // lost meanwhile: not ours to retry
      await this.#settle(job, { crashed: { name: failure.name, message: failure.message } });
      return;
    }
    if (!this.#owns(job)) {
      // the partition was lost while the job ran: its work cannot be committed by us
      rebalance.finishedAfterRevocation(job, result);
      return;
    }
    const count = result.markedOffset === null ? 0 : messages.countBefore(result.markedOffset);
    tracker.processed(topic.name, partition, messages, count, result.error === null, job.epoch);
    // marks made while KafkaJS rejoins may still make it under the old generation
    if (rebalance.rebalancing && result.markedOffset !== null) void this.context.commit('rebalance');
    monitor.notify('consumer.consumed', {
      ...base,
      durationMs: result.finishedAt - result.startedAt,
      processingLatencyMs: Math.max(0, result.startedAt - job.readyAt),
      consumptionLatencyMs: Math.max(0, result.startedAt - last.timestamp),
      maxConsumptionLatencyMs: Math.max(0, result.startedAt - first.timestamp),
      threadId: result.threadId,
      markedOffset: result.markedOffset,
      success: result.error === null,
    });
    await this.#settle(job, { result });
  }

  /** The strategy settles the job with the partition's coordinator of now (a rejoin that kept the partition made a new one). */
  async #settle(job: ConsumeJob, outcome: { result: ConsumeResult } | { crashed: { name: string; message: string } }): Promise<void> {
    const coordinator = this.context.coordinators.get(job.topic.name, job.partition);
    if (coordinator === undefined) return;
    await coordinator.features.strategy.settle(job, outcome, coordinator);
  }

  /** Runs an eofed()/tick() hook; it may pause, resume or seek its partition. */
  async #hook(job: ConsumeJob): Promise<void> {
    const { pool, monitor, scope, tracker, coordinators } = this.context;
    const { topic, partition } = job;
    const hook = job.hook === 'eofed' ? 'eofed' : 'tick';
    const event = { ...scope, topic: topic.name, partition, hook, consumer: topic.consumer.export } as const;
    monitor.notify('consumer.hook', event);
    const started = performance.now();
    let result: ConsumeResult;
    try {
      result = await pool.consume(this.context.jobs.task(job, 1));
    } catch (error) {
      monitor.notify('consumer.hooked', { ...event, durationMs: performance.now() - started, success: false });
      const failure = new WorkerFailedError(`Worker failed running ${topic.consumer.export}.${hook}() on ${topic.name}-${partition}`, {
        cause: error,
        context: { ...scope, topic: topic.name, partition },
      });
      monitor.notify('error.occurred', { type: 'worker.error', error: failure, ...scope, topic: topic.name, partition });
      return;
    }
    monitor.notify('consumer.hooked', { ...event, durationMs: performance.now() - started, success: result.error === null });
    if (result.error !== null) {
      const error = new ConsumeFailedError(`${topic.consumer.export}.${hook}() failed on ${topic.name}-${partition}: ${result.error.message}`, {
        cause: reviveError(result.error),
        context: { ...scope, topic: topic.name, partition },
      });
      monitor.notify('error.occurred', { type: `consumer.${hook}.error`, error, ...scope, topic: topic.name, partition });
      return;
    }
    const c = coordinators.get(topic.name, partition);
    if (c === undefined) return;
    // pause() without an offset in a hook means "where the partition stands"
    const position = c.pausedAt ?? c.position ?? tracker.fetchPositionOf(topic.name, partition);
    if (result.pause !== null) {
      const offset = result.pause.offset >= 0 ? result.pause.offset : position;
      if (offset !== null) c.pause(offset, result.pause.timeoutMs, 'request');
    } else if ((result.seek ?? null) !== null) {
      await c.seek(result.seek!);
    } else if (result.resume === true) {
      c.resume();
    }
  }

  #owns(job: ConsumeJob): boolean {
    return job.epoch === undefined || this.context.tracker.owns(job.topic.name, job.partition, job.epoch);
  }

  #track<T>(job: Promise<T>): Promise<T> {
    this.running.add(job);
    const done = (): void => void this.running.delete(job);
    job.then(done, done);
    return job;
  }
}
