// Turns one poll of a subscription group into jobs: each partition's taken messages go to its
// topic's strategy (one job by default, several for a strategy that splits partitions) — or only
// the first part of them, when the topic's failure policy narrows the poll — and the
// topics' idle hooks add `eofed()` / `tick()` jobs for partitions the poll left idle. Never hands
// out a message of a partition that is not owned, nor again what this ownership already processed
// before a rejoin. Also builds the task a job becomes on its way to a worker thread.
import type { TakenBatch } from '../connection/prefetch-buffer';
import type { RebalanceStatistics } from '../events';
import type { IdlePartition } from '../features/topic-behaviour';
import { MessageRun } from '../messages/packed-chunk';
import type { ConsumeJob } from './job';
import type { OffsetTracker } from './offsets/offset-tracker';
import type { OwnershipBoard } from './ownership-board';
import type { PartitionCoordinator } from './partition-coordinator';
import type { PartitionCoordinators } from './partition-coordinators';
import { narrowedPoll } from './strategies/failure-policy';
import type { ConsumeTask } from './worker-protocol';

/** What the jobs builder needs of its subscription group. */
export interface JobsContext {
  readonly tracker: Pick<OffsetTracker, 'epochOf' | 'skipBelow' | 'owns'>;
  readonly coordinators: PartitionCoordinators;
  readonly board: OwnershipBoard;
  readonly counters: RebalanceStatistics;
  /** BroadcastChannel name of the app's producer bridge, or null. */
  readonly producerChannel: string | null;
  /** Messages of the partition are buffered, or fetched and about to be. */
  buffered(topic: string, partition: number): boolean;
}

export class JobsBuilder {
  constructor(private readonly context: JobsContext) {}

  /** The jobs of one poll: the taken partitions' and the idle partitions' hook jobs. */
  build(taken: readonly TakenBatch[], readyAt: number): ConsumeJob[] {
    const { tracker, coordinators, counters } = this.context;
    const jobs: ConsumeJob[] = [];
    for (const t of taken) {
      const coordinator = coordinators.get(t.topic, t.partition);
      if (coordinator === undefined || tracker.epochOf(t.topic, t.partition) === null) continue;
      // after a rejoin KafkaJS fetches a kept partition again from its committed offset: what
      // this ownership already processed (below its mark) is not handed out twice. A seek or
      // pause back below the mark lifts this: the consumer asked for those messages again.
      const skipBelow = tracker.skipBelow(t.topic, t.partition);
      let messages = t.messages;
      if (skipBelow !== null && (messages.offsetAt(0) ?? skipBelow) < skipBelow) {
        messages = messages.from(skipBelow);
        counters.skippedMessages += t.messages.length - messages.length;
        if (messages.length === 0) continue;
      }
      coordinator.readyAt = readyAt;
      // the failure policy may hand out only a part (isolating a failing message): the rest is fetched again
      messages = narrowedPoll(messages, coordinator);
      for (const job of coordinator.features.strategy.distribute(messages, coordinator)) jobs.push(job);
    }
    this.#hookJobs(taken, readyAt, jobs);
    return jobs;
  }

  /** The worker task of a job (its messages packed into one transferable buffer). */
  task(job: ConsumeJob, attempt: number): ConsumeTask {
    const { topic, partition, messages } = job;
    const epoch = job.epoch ?? this.context.tracker.epochOf(topic.name, partition) ?? 0;
    const task: ConsumeTask = {
      lease: this.context.board.lease(job.leaseKey, epoch),
      kind: 'consume',
      key: job.instanceKey,
      laneKey: job.laneKey,
      consumerGroup: topic.consumerGroup,
      topic: topic.name,
      partition,
      consumer: topic.consumer,
      deserializer: topic.deserializer,
      manualOffsetManagement: job.manualOffsetManagement,
      packed: messages.pack(),
      readyAt: job.readyAt,
      producerChannel: this.context.producerChannel,
      attempt,
      hook: job.hook ?? 'consume',
    };
    if (job.details !== undefined) task.details = job.details;
    return task;
  }

  /** Hook jobs (eofed, tick) for owned partitions with no messages in this poll: the first hook that is due, per partition. */
  #hookJobs(taken: readonly TakenBatch[], readyAt: number, jobs: ConsumeJob[]): void {
    const { tracker, coordinators } = this.context;
    let busy: Set<PartitionCoordinator> | undefined;
    const at = Date.now();
    for (const c of coordinators.values()) {
      const hooks = c.features.idleHooks;
      if (hooks.length === 0 || !tracker.owns(c.topic.name, c.partition)) continue;
      busy ??= new Set(taken.map((t) => coordinators.get(t.topic, t.partition)).filter((x): x is PartitionCoordinator => x !== undefined));
      if (busy.has(c)) continue;
      const idle = this.#idleView(c);
      for (const hook of hooks) {
        const kind = hook.due(idle, at);
        if (kind === null) continue;
        c.lastJobAt = at;
        c.readyAt = readyAt;
        jobs.push({ ...c.job(MessageRun.EMPTY), hook: kind });
        break;
      }
    }
  }

  #idleView(c: PartitionCoordinator): IdlePartition {
    const context = this.context;
    return {
      partition: c.partition,
      position: c.position,
      paused: c.paused,
      lastJobAt: c.lastJobAt,
      // fetched batches reach the buffer at the end of the event-loop turn: asked only when needed
      get buffered() {
        return context.buffered(c.topic.name, c.partition);
      },
    };
  }
}
