// Runs one connection of a subscription group: its listener (fetching into the prefetch buffer),
// its poll loop (batcher → jobs builder → scheduler → job executor on the worker lanes), its
// offset tracker and commits. Wires the parts together, each with the narrow context it needs —
// jobs and strategies (processing/), pauses, rebalances and commits (connection/), statistics
// (instrumentation/) — and owns the lifecycle. Never hands out a message of a paused or revoked
// partition, never marks what a job did not process, and never commits for a partition it no
// longer owns.
import type { AssignerFactory, ConnectionView } from '../connection/connections-plan';
import { Listener } from '../connection/listener';
import { OffsetCommitter, type CommitReason } from '../connection/offset-committer';
import { PausesManager } from '../connection/pauses-manager';
import { PrefetchBuffer } from '../connection/prefetch-buffer';
import { RebalanceManager } from '../connection/rebalance-manager';
import type { TransactionIntent } from '../consumer';
import { ProducerUnavailableError } from '../errors';
import type { GroupScope, RebalanceStatistics, StatisticsEvent } from '../events';
import type { FeatureSet } from '../features/feature-set';
import type { DivertedSink } from '../features/topic-behaviour';
import type { Monitor } from '../instrumentation/monitor';
import { StatisticsCollector } from '../instrumentation/statistics-collector';
import type { ResolvedAppOptions } from '../options';
import type { SubscriptionGroup } from '../routing/subscription-group';
import { Batcher } from './batcher';
import { JobExecutor } from './job-executor';
import { JobsBuilder } from './jobs-builder';
import { OffsetTracker } from './offsets/offset-tracker';
import { OwnershipBoard } from './ownership-board';
import { PartitionCoordinators } from './partition-coordinators';
import type { Scheduler } from './scheduler';
import { TransactionFence } from './transaction-fence';
import type { WorkerPool } from './worker-pool';

/** What a runner is made of. */
export interface RunnerOptions {
  readonly group: SubscriptionGroup;
  readonly options: ResolvedAppOptions;
  readonly pool: WorkerPool;
  readonly monitor: Monitor;
  readonly scheduler: Scheduler;
  readonly features: FeatureSet;
  /** BroadcastChannel name of the app's producer bridge, or null without a producer. */
  readonly producerChannel: string | null;
  /** Which connection of the subscription group this runner is. Default 0. */
  readonly connection?: number;
  /** The assigner the connection prefers (its features' connections plan), if any. */
  readonly assigner?: AssignerFactory;
}

export class SubscriptionGroupRunner {
  readonly group: SubscriptionGroup;
  readonly connection: number;
  readonly buffer: PrefetchBuffer;
  readonly tracker: OffsetTracker;
  readonly #options: ResolvedAppOptions;
  readonly #monitor: Monitor;
  readonly #scheduler: Scheduler;
  readonly #scope: GroupScope;
  readonly #listener: Listener;
  readonly #batcher: Batcher;
  readonly #board = new OwnershipBoard();
  readonly #counters: RebalanceStatistics = { rebalances: 0, discardedMessages: 0, skippedMessages: 0 };
  readonly #coordinators: PartitionCoordinators;
  readonly #pauses: PausesManager;
  readonly #committer: OffsetCommitter;
  readonly #rebalance: RebalanceManager;
  readonly #jobs: JobsBuilder;
  readonly #executor: JobExecutor;
  readonly #transactions: TransactionFence;
  readonly #statistics: StatisticsCollector;
  #quiet = false;
  /** Held by a connections step (see hold()). */
  #held = false;
  #stopping = false;
  #current: Promise<void> = Promise.resolve();
  #loop: Promise<void> | undefined;

  constructor({ group, options, pool, monitor, scheduler, features, producerChannel, connection = 0, assigner }: RunnerOptions) {
    this.group = group;
    this.connection = connection;
    this.#options = options;
    this.#monitor = monitor;
    this.#scheduler = scheduler;
    const scope: GroupScope = { consumerGroup: group.consumerGroup, subscriptionGroup: group.id, connection };
    this.#scope = scope;
    const tracker = (this.tracker = new OffsetTracker(options.offsetMetadataMaxBytes));
    const buffer = (this.buffer = new PrefetchBuffer(group.fetch.queuedMaxMessagesKbytes * 1024));
    this.#batcher = new Batcher(buffer, { maxMessages: group.maxMessages, maxWaitTimeMs: group.maxWaitTimeMs, enablePartitionEof: group.fetch.enablePartitionEof });
    const stopping = (): boolean => this.#stopping;
    const produce: DivertedSink = (message) =>
      options.producer === undefined
        ? Promise.reject(new ProducerUnavailableError('This app has no producer: pass `producer` in the App options'))
        : options.producer.produceSync(message);
    const topics = group.topics.map((topic) => ({ topic, features: features.forTopic(topic, { monitor, scope, produce }) }));

    // the listener's hooks run only once it has started, when every part below exists
    const listener = (this.#listener = new Listener(
      group,
      options.kafka,
      buffer,
      monitor,
      {
        onFetched: (topic, partition, last, hw) => {
          tracker.fetched(topic, partition, last, hw);
          this.#coordinators.fetched(topic, partition, hw);
        },
        onAssignment: (assignment, newMember) => this.#rebalance.onAssignment(assignment, newMember),
        onRebalancing: (keepAlive) => this.#rebalance.onRebalancing(keepAlive),
        onRestart: () => this.#pauses.clearTimers(),
        onCommitted: (committed) => {
          for (const c of committed) tracker.restore(c.topic, c.partition, c.offset, c.metadata);
        },
      },
      `${options.kafka.clientId}-${options.id}`,
      { connection, readsCommitMetadata: topics.some((t) => t.features.strategy.offsetMetadata === true), ...(assigner === undefined ? {} : { assigner }) },
    ));
    this.#pauses = new PausesManager({
      listener,
      tracker,
      monitor,
      scope,
      rebalancing: () => this.#rebalance.rebalancing,
      stopping,
      pollError: (error, where) => this.#pollError(error, where),
    });
    const coordinators = (this.#coordinators = new PartitionCoordinators(topics, {
      tracker,
      mover: this.#pauses,
      monitor,
      scope,
      backoff: { timeoutMs: options.pauseTimeoutMs, maxTimeoutMs: options.pauseMaxTimeoutMs, exponential: options.pauseWithExponentialBackoff },
    }));
    this.#committer = new OffsetCommitter({ tracker, listener, monitor, scope });
    const ledgers = new Map(topics.map(({ topic, features: { strategy } }) => [topic.name, strategy.ledger === undefined ? undefined : () => strategy.ledger!()]));
    this.#rebalance = new RebalanceManager({
      tracker,
      board: this.#board,
      pool,
      coordinators,
      listener,
      monitor,
      scope,
      counters: this.#counters,
      drainTimeoutMs: Math.min(options.rebalanceDrainTimeoutMs, options.kafka.rebalanceTimeoutMs / 2),
      heartbeatIntervalMs: options.kafka.heartbeatIntervalMs,
      running: () => this.#executor.running,
      commit: (reason) => this.commit(reason),
      clearPauseTimers: () => this.#pauses.clearTimers(),
      wake: () => buffer.interrupt(),
      ledgerFor: (topic) => ledgers.get(topic),
      stopping,
      pollError: (error) => this.#pollError(error),
    });
    this.#jobs = new JobsBuilder({
      tracker,
      coordinators,
      board: this.#board,
      counters: this.#counters,
      producerChannel,
      buffered: (topic, partition) => buffer.countFor(topic, partition) > 0 || listener.hasPending(topic, partition),
    });
    this.#executor = new JobExecutor({ pool, monitor, scope, tracker, coordinators, jobs: this.#jobs, rebalance: this.#rebalance, commit: (reason) => this.commit(reason) });
    this.#transactions = new TransactionFence({
      producer: options.producer,
      tracker,
      scope,
      rebalancing: () => this.#rebalance.rebalancing,
      commitsLanded: () => this.#committer.idle(),
    });
    this.#statistics = new StatisticsCollector({
      tracker,
      buffer,
      scope,
      counters: this.#counters,
      strategyStatistics: (topic, partition) => coordinators.featuresOf(topic)?.strategy.statistics?.(partition),
    });
  }

  async start(): Promise<void> {
    await this.#listener.start();
    this.#loop = this.#run();
    this.#committer.start(this.#options.kafka.autoCommitIntervalMs);
  }

  /** True when this connection owns the partition now (under ownership `epoch`, when given: epochs are unique in the process). */
  owns(topic: string, partition: number, epoch?: number): boolean {
    return this.tracker.owns(topic, partition, epoch);
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

  /**
   * A connections step is about to rebalance the group: hand out no new polls until release()
   * (fetching and heartbeats go on). Resolves when the current poll's jobs have finished, so a
   * commit after it covers everything processed, and nothing processed during the rebalance is
   * lost with a commit the broker refuses then.
   */
  hold(): Promise<void> {
    this.#held = true;
    return this.#current.catch(() => undefined); // a failed poll was reported already
  }

  release(): void {
    this.#held = false;
    this.buffer.interrupt();
  }

  /** Assignments this connection received so far (each rebalance ends in one). */
  get assignments(): number {
    return this.#counters.rebalances;
  }

  /** Stops handing out polls; resolves when the jobs of the current poll have finished. */
  quiesce(): Promise<void> {
    this.#stopping = true;
    this.#batcher.stop();
    this.#committer.stop();
    this.#pauses.clearTimers();
    return this.#loop ?? Promise.resolve();
  }

  /**
   * A connections scaler removes this connection: its running jobs finish, it commits, its
   * partitions are revoked (their instances' `revoked()` hooks run, before another connection of
   * the process can own them), and it leaves the group.
   */
  async leave(): Promise<void> {
    await this.quiesce();
    await this.commit('scaling');
    await this.#rebalance.revokeAll();
    await this.stopListener();
  }

  /** Leaves the group and disconnects (commit first: KafkaJS ignores commits after stop). */
  async stopListener(): Promise<void> {
    await this.#listener.stop();
  }

  /** Commits marked offsets of owned partitions (see OffsetCommitter). Never rejects. */
  commit(reason: CommitReason): Promise<void> {
    return this.#committer.commit(reason);
  }

  /** The commit before leaving the group: sent again after failures that pass, until `deadline` (epoch ms). Never rejects. */
  commitBeforeLeaving(deadline: number): Promise<void> {
    return this.#committer.commitPersistently('shutdown', deadline);
  }

  /** A consumer's transaction on a partition of this connection (see TransactionFence). */
  runTransaction(intent: TransactionIntent): Promise<void> {
    return this.#transactions.run(intent);
  }

  statistics(): StatisticsEvent['subscriptionGroups'][number] {
    return this.#statistics.collect();
  }

  /** What a connections scaler sees of this connection now. */
  view(): ConnectionView {
    const partitions = this.tracker.partitions();
    return {
      connection: this.connection,
      partitions: partitions.length,
      // behind what was processed (marked), not what was committed: commits lag by up to an interval
      lag: partitions.reduce((sum, p) => {
        const position = p.marked ?? p.committed ?? p.fetchPosition;
        return sum + (p.highWatermark === null || position === null ? 0 : Math.max(0, p.highWatermark - position));
      }, 0),
      busy: this.#executor.running.size > 0,
      bufferedBytes: this.buffer.bytes,
      rebalancing: this.#rebalance.rebalancing,
    };
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      if (this.#quiet || this.#held) {
        await this.buffer.waitForChange(this.group.maxWaitTimeMs);
        continue;
      }
      try {
        this.#current = this.#pollOnce();
        await this.#current;
      } catch (error) {
        // never let one bad poll end the loop silently: report it and poll again
        this.#pollError(error);
        await new Promise((resolve) => setTimeout(resolve, this.#options.kafka.fetchErrorBackoffMs));
      }
    }
  }

  async #pollOnce(): Promise<void> {
    this.#monitor.notify('poll.started', this.#scope);
    const started = performance.now();
    const taken = await this.#batcher.poll();
    // KafkaJS is rejoining: whatever is handed out now may move; everything is fetched again after
    // the rejoin from the committed offsets (kept partitions skip what they marked), so drop it
    if (this.#rebalance.rebalancing) return;
    const count = taken.reduce((s, t) => s + t.messages.length, 0);
    this.#monitor.notify('poll.completed', { ...this.#scope, messages: count, partitions: taken.length, durationMs: performance.now() - started });
    const jobs = this.#jobs.build(taken, performance.timeOrigin + performance.now());
    if (jobs.length === 0) return;
    // A job's handling must never reject: the blocking poll would then start the next poll while
    // this one's other jobs still run (two jobs of a partition at once).
    await this.#scheduler.schedule(jobs, (job) => this.#executor.run(job).catch((error: unknown) => this.#pollError(error, { topic: job.topic.name, partition: job.partition })));
  }

  /** Reports what went wrong outside a job's own error handling (`poll.error`), never throwing. */
  #pollError(error: unknown, where: { topic: string; partition: number } | Record<string, never> = {}): void {
    this.#monitor.notify('error.occurred', { type: 'poll.error', error: error instanceof Error ? error : new Error(String(error)), ...this.#scope, ...where });
  }
}
