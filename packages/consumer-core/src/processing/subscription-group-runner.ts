// Runs one subscription group: its listener (fetching into the prefetch buffer), its poll loop
// (batcher → jobs → scheduler → worker lanes), its offset tracker and commits. Never hands out a
// message of a paused or revoked partition, never marks what a job did not process, and never
// commits for a partition it no longer owns.
import { performance } from 'node:perf_hooks';
import { Listener } from '../connection/listener';
import { PrefetchBuffer, partitionKey } from '../connection/prefetch-buffer';
import { ConsumeFailedError, CommitFailedError, WorkerFailedError } from '../errors';
import type { GroupScope, PartitionStatistics, StatisticsEvent } from '../events';
import type { Monitor } from '../instrumentation/monitor';
import { packMessages } from '../messages/message-packer';
import type { ResolvedAppOptions } from '../options';
import type { SubscriptionGroup } from '../routing/subscription-group';
import type { Topic } from '../routing/topic';
import { Batcher } from './batcher';
import { jobKey, type ConsumeJob } from './job';
import { OffsetTracker } from './offset-tracker';
import type { Scheduler } from './scheduler';
import type { WorkerPool } from './worker-pool';
import type { ConsumeResult } from './worker-protocol';

const now = (): number => performance.timeOrigin + performance.now();

export class SubscriptionGroupRunner {
  readonly buffer: PrefetchBuffer;
  readonly tracker = new OffsetTracker();
  readonly #listener: Listener;
  readonly #batcher: Batcher;
  readonly #scope: GroupScope;
  readonly #topics: Map<string, Topic>;
  readonly #pauseTimers = new Map<string, NodeJS.Timeout>();
  #commitTimer: NodeJS.Timeout | undefined;
  #commitChain: Promise<void> = Promise.resolve();
  #loop: Promise<void> | undefined;
  #stopping = false;

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
        onFetched: (topic, partition, last, hw) => this.tracker.fetched(topic, partition, last, hw),
        onAssignment: (assignment) => this.#onAssignment(assignment),
        onRebalancing: () => void this.commit('rebalance'),
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

  /** Stops handing out polls; resolves when the jobs of the current poll have finished. */
  quiesce(): Promise<void> {
    this.#stopping = true;
    this.#batcher.stop();
    if (this.#commitTimer !== undefined) clearInterval(this.#commitTimer);
    for (const t of this.#pauseTimers.values()) clearTimeout(t);
    this.#pauseTimers.clear();
    return this.#loop ?? Promise.resolve();
  }

  /** Leaves the group and disconnects (commit first: KafkaJS ignores commits after stop). */
  async stopListener(): Promise<void> {
    await this.#listener.stop();
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      try {
        await this.#pollOnce();
      } catch (error) {
        // never let one bad poll end the loop silently: report it and poll again
        this.monitor.notify('error.occurred', { type: 'poll.error', error: error instanceof Error ? error : new Error(String(error)), ...this.#scope });
        await new Promise((resolve) => setTimeout(resolve, this.options.kafka.fetchErrorBackoffMs));
      }
    }
  }

  async #pollOnce(): Promise<void> {
    this.monitor.notify('poll.started', this.#scope);
    const started = performance.now();
    const taken = await this.#batcher.poll();
    const count = taken.reduce((s, t) => s + t.messages.length, 0);
    this.monitor.notify('poll.completed', { ...this.#scope, messages: count, partitions: taken.length, durationMs: performance.now() - started });
    if (taken.length === 0) return;
    const readyAt = now();
    const jobs: ConsumeJob[] = [];
    for (const t of taken) {
      const topic = this.#topics.get(t.topic);
      if (topic === undefined || !this.tracker.owns(t.topic, t.partition)) continue;
      jobs.push({ key: jobKey(topic.consumerGroup, t.topic, t.partition), topic, partition: t.partition, messages: t.messages, readyAt });
    }
    await this.scheduler.schedule(jobs, (job) => this.#execute(job));
  }

  async #execute(job: ConsumeJob): Promise<void> {
    const { topic, partition, messages } = job;
    const first = messages[0];
    const last = messages[messages.length - 1];
    if (first === undefined || last === undefined) return;
    this.tracker.dispatched(topic.name, partition, last.offset);
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
      result = await this.pool.consume({
        kind: 'consume',
        key: job.key,
        consumerGroup: topic.consumerGroup,
        topic: topic.name,
        partition,
        consumer: topic.consumer,
        deserializer: topic.deserializer,
        manualOffsetManagement: topic.manualOffsetManagement,
        packed: packMessages(messages),
        readyAt: job.readyAt,
        producerChannel: this.producerChannel,
      });
    } catch (error) {
      const failure = new WorkerFailedError(`Worker failed running ${topic.consumer.export} on ${topic.name}-${partition}`, {
        cause: error,
        context: { ...this.#scope, topic: topic.name, partition, offset: first.offset },
      });
      this.monitor.notify('error.occurred', { type: 'worker.error', error: failure, ...this.#scope, topic: topic.name, partition, offset: first.offset });
      this.#pause(topic.name, partition, first.offset, this.options.pauseTimeoutMs, 'error');
      return;
    }
    if (result.markedOffset !== null) this.tracker.mark(topic.name, partition, result.markedOffset);
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
      const restart = Math.max(first.offset, result.markedOffset ?? first.offset);
      const error = new ConsumeFailedError(`${topic.consumer.export}.consume() failed on ${topic.name}-${partition}: ${result.error.message}`, {
        cause: result.error,
        context: { ...this.#scope, topic: topic.name, partition, offset: restart },
      });
      this.monitor.notify('error.occurred', { type: 'consumer.consume.error', error, ...this.#scope, topic: topic.name, partition, offset: restart });
      this.#pause(topic.name, partition, restart, this.options.pauseTimeoutMs, 'error');
    } else if (result.pause !== null) {
      this.#pause(topic.name, partition, result.pause.offset, result.pause.timeoutMs, 'request');
    }
  }

  // Seam for issue 5 (exponential backoff, DLQ): today a failed partition is retried after a
  // constant pause from its first unmarked offset; other partitions keep flowing.
  #pause(topic: string, partition: number, offset: number, timeoutMs: number, reason: 'error' | 'request'): void {
    if (!this.tracker.owns(topic, partition)) return;
    const key = partitionKey(topic, partition);
    this.#listener.pause(topic, partition);
    this.tracker.rewind(topic, partition, offset);
    const event = { ...this.#scope, topic, partition, offset, timeoutMs, reason };
    this.monitor.notify('partition.paused', event);
    clearTimeout(this.#pauseTimers.get(key));
    const timer = setTimeout(() => {
      this.#pauseTimers.delete(key);
      if (this.#stopping || !this.tracker.owns(topic, partition)) return;
      this.#listener.resumeAt(topic, partition, offset);
      this.monitor.notify('partition.resumed', event);
    }, timeoutMs);
    this.#pauseTimers.set(key, timer);
  }

  #onAssignment(assignment: Array<{ topic: string; partition: number }>): void {
    for (const t of this.#pauseTimers.values()) clearTimeout(t);
    this.#pauseTimers.clear();
    const next = new Set(assignment.map((a) => partitionKey(a.topic, a.partition)));
    const revoked = this.tracker.partitions().filter((p) => !next.has(partitionKey(p.topic, p.partition)));
    for (const p of revoked) this.tracker.revoke(p.topic, p.partition);
    for (const a of assignment) this.tracker.assign(a.topic, a.partition);
    if (revoked.length > 0) {
      this.monitor.notify('partitions.revoked', { ...this.#scope, partitions: revoked.map((p) => ({ topic: p.topic, partition: p.partition })) });
      void this.pool
        .revoke(revoked.map((p) => jobKey(this.group.consumerGroup, p.topic, p.partition)))
        .then(({ errors }) => {
          for (const e of errors) {
            this.monitor.notify('error.occurred', { type: 'consumer.revoked.error', error: Object.assign(new Error(e.error.message), { name: e.error.name }), ...this.#scope });
          }
        })
        .catch(() => undefined);
    }
    this.monitor.notify('partitions.assigned', { ...this.#scope, partitions: assignment });
  }

  /** Commits marked offsets of owned partitions; commits run one at a time. */
  commit(reason: 'interval' | 'rebalance' | 'shutdown'): Promise<void> {
    this.#commitChain = this.#commitChain.then(async () => {
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
    });
    return this.#commitChain;
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
    return { ...this.#scope, bufferedBytes: this.buffer.bytes, partitions };
  }
}
