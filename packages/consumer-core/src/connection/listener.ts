// One listener per subscription group: owns one KafkaJS consumer (one group membership, one
// connection set). Its eachBatch processes nothing: it queues the batch (fetched-batches.ts) and
// RETURNS, so KafkaJS sends its next fetch at once, while workers run. The queued batches are packed (one copy of
// their bytes, out of KafkaJS's fetch response) into the prefetch buffer right after, at the end
// of the same event-loop turn: while the broker prepares the next response, instead of before
// the next fetch is even sent (KafkaJS fetches only after every eachBatch of a response returned,
// so packing inside eachBatch put the copy on the fetch loop's critical path). When the buffer is full
// it holds KafkaJS inside eachBatch, heartbeating (KafkaJS has no background heartbeat). It never
// commits on its own: auto-commit is off, commits come from the offset tracker's marks only, with
// the commit metadata the partitions' strategies write; when a strategy reads that metadata back,
// every assignment first fetches the committed offsets (with their metadata) and holds the first
// batches until they are known.
import { Kafka, type Consumer as KafkaConsumer, type EachBatchPayload } from 'kafkajs';
import { performance } from 'node:perf_hooks';
import type { Monitor } from '../instrumentation/monitor';
import type { ResolvedKafkaSettings } from '../options';
import type { SubscriptionGroup } from '../routing/subscription-group';
import type { OffsetEntry } from '../events';
import { ListenerCrashedError } from '../errors';
import type { AssignedPartition, AssignerFactory } from './connections-plan';
import { stickyAssigner } from './sticky-assigner';
import { FetchedBatches } from './fetched-batches';
import { toKafkaJsClientConfig, toKafkaJsConsumerConfig } from './kafka-config';
import { OffsetLookups, type CommittedOffset, type PartitionBounds } from './offset-lookups';
import { partitionKey, type PrefetchBuffer } from './prefetch-buffer';
import { RejoinGuard } from './rejoin-guard';

export type { CommittedOffset, PartitionBounds } from './offset-lookups';

export interface ListenerHooks {
  /** A batch was buffered (for the offset tracker's fetch position). */
  onFetched(topic: string, partition: number, lastOffset: number, highWatermark: number): void;
  /**
   * KafkaJS (re)joined the group with this assignment (eager: everything was revoked first).
   * `newMember`: it joined under another member id than its last assignment's, so it was out of
   * the group in between (see the GROUP_JOIN handler): nothing it held may count as kept.
   */
  onAssignment(assignment: Array<{ topic: string; partition: number }>, newMember: boolean): void;
  /**
   * KafkaJS is about to rejoin: last chance to commit for partitions that may move. Called
   * synchronously from KafkaJS's REBALANCING event, which fires just before it sends FindCoordinator
   * and then JoinGroup on the same coordinator connection: a commit started right here reaches
   * the broker ahead of the JoinGroup, while the old generation is still valid. The returned
   * promise settles when that commit did. With `keepAlive`, the rebalance was noticed inside
   * eachBatch, where KafkaJS cannot rejoin before we return: running jobs may finish first
   * (heartbeats through `keepAlive` keep the member alive meanwhile).
   */
  onRebalancing(keepAlive?: () => Promise<void>): Promise<void>;
  /** The fetch loop crashed and KafkaJS gave up; Decanter restarts it (everything buffered is void). */
  onRestart?(): void;
  /** The committed offsets and metadata of the new assignment (only with `readsCommitMetadata`), before any of its batches. */
  onCommitted?(committed: CommittedOffset[]): void;
}

/** How a listener is set up beyond its group and settings. */
export interface ListenerOptions {
  /** Which connection of the subscription group this is (client ids and events carry it). Default 0. */
  connection?: number;
  /** Fetch the committed offsets with their metadata at every assignment (`onCommitted`). Default false. */
  readsCommitMetadata?: boolean;
  /** An assigner to prefer over the core's sticky one (a feature's), built with this connection's assignment memory. */
  assigner?: AssignerFactory;
}

// KafkaJS's own test (errors.js isRebalancing): these mean "the generation moved, rejoin".
const isRebalancingError = (error: unknown): boolean => {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION';
};

export class Listener {
  readonly #consumer: KafkaConsumer;
  /** Taken from KafkaJS, packed at the end of this event-loop turn (fetched-batches.ts). */
  readonly #fetched: FetchedBatches;
  readonly #paused = new Set<string>();
  readonly #scope: { consumerGroup: string; subscriptionGroup: string; connection: number };
  readonly #readsCommitMetadata: boolean;
  /** The committed offsets of the current assignment being fetched: its batches wait for them. */
  #restoring: Promise<void> | undefined;
  readonly #lookups: OffsetLookups;
  #restartTimer: NodeJS.Timeout | undefined;
  /** From a crash KafkaJS restarts itself until it has joined again (rejoin-guard.ts). */
  readonly #rejoin: RejoinGuard;
  #running = false;
  /**
   * From a CRASH until the next GROUP_JOIN KafkaJS has no consumer group, and its pause, seek and
   * resume throw. A pause or resume then only updates our own state: the next join fetches
   * everything again from the committed offsets and lifts every pause anyway.
   */
  #groupGone = false;
  /** The partitions of the last generation this connection joined (a sticky assigner reads it on the next join). */
  #assignment: readonly AssignedPartition[] = [];
  /** The member id of the last assignment (undefined before the first). */
  #memberId: string | undefined;

  constructor(
    private readonly group: SubscriptionGroup,
    private readonly kafka: ResolvedKafkaSettings,
    private readonly buffer: PrefetchBuffer,
    private readonly monitor: Monitor,
    private readonly hooks: ListenerHooks,
    clientId: string,
    options: ListenerOptions = {},
  ) {
    const connection = options.connection ?? 0;
    this.#scope = { consumerGroup: group.consumerGroup, subscriptionGroup: group.id, connection };
    this.#readsCommitMetadata = options.readsCommitMetadata ?? false;
    this.#fetched = new FetchedBatches(buffer, monitor, this.#scope, {
      onFetched: (topic, partition, lastOffset, highWatermark) => hooks.onFetched(topic, partition, lastOffset, highWatermark),
      onPackFailed: (topic, partition, error) => this.#packFailed(topic, partition, error),
    });
    // connection 0 keeps the client id it always had; further connections get their index
    const id = `${clientId}-${group.consumerGroup}-${group.id}${connection === 0 ? '' : `-${connection}`}`;
    const client = new Kafka(toKafkaJsClientConfig(kafka, id));
    this.#lookups = new OffsetLookups(client, group.consumerGroup);
    this.#rejoin = new RejoinGuard(kafka.sessionTimeoutMs, () => this.#rejoinOverdue());
    const memory = { current: () => this.#assignment };
    const preferred = [(options.assigner ?? stickyAssigner)(memory)];
    this.#consumer = client.consumer(toKafkaJsConsumerConfig(kafka, group.fetch, group.consumerGroup, preferred));
    const { GROUP_JOIN, REBALANCING, CRASH } = this.#consumer.events;
    this.#consumer.on(GROUP_JOIN, (event) => {
      this.#groupGone = false;
      this.#rejoin.joined();
      const assignment = Object.entries(event.payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      this.#assignment = Object.freeze(assignment);
      // A member keeps its id across rejoins while the coordinator knows it; KafkaJS gets a new
      // one after a crash (its consumer group is rebuilt) or when the coordinator forgot it
      // (UNKNOWN_MEMBER_ID). Generations may then have passed without this member, in which
      // another one owned its partitions and processed and committed past its marks: committing
      // those marks now would move the group's offset back (duplicates), so nothing is kept.
      const { memberId } = event.payload;
      const newMember = this.#memberId !== undefined && memberId !== undefined && memberId !== this.#memberId;
      this.#memberId = memberId;
      // everything is fetched again from the committed offsets: drop what the old generation
      // buffered, and lift our pauses (KafkaJS keeps paused partitions paused across rejoins,
      // while the timers that would resume them are dropped with the old assignment)
      this.#forgetFetched();
      this.#paused.clear();
      const paused = this.#consumer.paused();
      if (paused.length > 0) this.#consumer.resume(paused);
      this.hooks.onAssignment(assignment, newMember);
      if (this.#readsCommitMetadata && assignment.length > 0) this.#restore(assignment);
    });
    this.#consumer.on(REBALANCING, () => void this.hooks.onRebalancing());
    // KafkaJS's crash handling stops the consumer (its group is gone from then on) and emits
    // CRASH only after disconnecting: STOP marks the start of that window.
    this.#consumer.on(this.#consumer.events.STOP, () => {
      this.#groupGone = true;
    });
    this.#consumer.on(CRASH, (event) => {
      // KafkaJS drops its consumer group until it joins again: pause/seek/resume would throw
      this.#groupGone = true;
      // and nothing processed from now on can be committed (commitOffsets fails until it has
      // joined again, which it does after a backoff of up to retry.maxRetryTime), while the group
      // may hand these partitions to another member meanwhile: what is buffered goes, so it is not
      // processed here for nothing and again by the next owner. Running jobs finish.
      this.#forgetFetched();
      const { restart, error } = event.payload;
      this.monitor.notify('error.occurred', {
        type: 'listener.crash',
        error: new ListenerCrashedError(
          `KafkaJS consumer of ${group.consumerGroup}/${group.id} crashed (${restart ? 'KafkaJS restarts it' : `Decanter restarts it in ${this.kafka.fetchErrorBackoffMs} ms`})`,
          { cause: error, context: this.#scope },
        ),
        ...this.#scope,
      });
      // KafkaJS restarts by itself only after retriable errors; after any other crash it has
      // disconnected for good. Start it again (from the committed offsets) after the backoff.
      if (!restart && this.#running) this.#scheduleRestart();
      else if (restart && this.#running) this.#rejoin.crashed();
    });
  }

  /**
   * Fetches the committed offsets and metadata of `assignment` for the strategies that read them
   * back; the batches of the assignment wait for it (one OffsetFetch, once per rebalance). When
   * it fails the batches go on without: the strategies then know nothing processed ahead, and
   * process it again (duplicates, never a loss).
   */
  #restore(assignment: Array<{ topic: string; partition: number }>): void {
    const restoring = this.#lookups.committed(assignment).then(
      (committed) => this.hooks.onCommitted?.(committed),
      (error: unknown) => {
        if (!this.#running) return;
        this.monitor.notify('error.occurred', {
          type: 'poll.error',
          error: new ListenerCrashedError(`Reading the committed offsets of ${this.group.consumerGroup}/${this.group.id} failed: going on without their metadata`, {
            cause: error,
            context: this.#scope,
          }),
          ...this.#scope,
        });
      },
    );
    this.#restoring = restoring;
    void restoring.then(() => {
      if (this.#restoring === restoring) this.#restoring = undefined;
    });
  }

  /** KafkaJS restarted itself after a crash but did not join again in time (rejoin-guard.ts): restart it ourselves. */
  #rejoinOverdue(): void {
    if (!this.#running || !this.#groupGone || this.#restartTimer !== undefined) return;
    this.monitor.notify('error.occurred', {
      type: 'listener.crash',
      error: new ListenerCrashedError(
        `KafkaJS consumer of ${this.group.consumerGroup}/${this.group.id} did not join the group again within ${this.#rejoin.graceMs} ms of restarting after a crash: Decanter restarts it`,
        { context: this.#scope },
      ),
      ...this.#scope,
    });
    this.#consumer.stop().then(
      () => this.#scheduleRestart(),
      () => this.#scheduleRestart(),
    );
  }

  #scheduleRestart(): void {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (!this.#running) return;
      this.#forgetFetched();
      this.#paused.clear();
      this.hooks.onRestart?.();
      this.#run(true).then(
        () => this.monitor.notify('listener.restarted', { ...this.#scope }),
        (error: unknown) => {
          this.monitor.notify('error.occurred', {
            type: 'listener.crash',
            error: new ListenerCrashedError(`Restarting the KafkaJS consumer of ${this.group.consumerGroup}/${this.group.id} failed; retrying`, {
              cause: error,
              context: this.#scope,
            }),
            ...this.#scope,
          });
          this.#scheduleRestart();
        },
      );
    }, this.kafka.fetchErrorBackoffMs);
  }

  async #run(connect = false): Promise<void> {
    if (connect) await this.#consumer.connect();
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.#onBatch(payload),
    });
  }

  /** The group's committed offsets and their metadata for these partitions. */
  committed(partitions: ReadonlyArray<{ topic: string; partition: number }>): Promise<CommittedOffset[]> {
    return this.#lookups.committed(partitions);
  }

  /** The offset of the first message at or after `timestamp` (the high watermark when there is none), or either end. */
  resolveOffset(topic: string, partition: number, target: { timestamp: number } | 'earliest' | 'latest'): Promise<number> {
    return this.#lookups.resolveOffset(topic, partition, target);
  }

  /** Low/high watermarks and the group's committed offsets of these partitions. */
  bounds(partitions: ReadonlyArray<{ topic: string; partition: number }>): Promise<PartitionBounds[]> {
    return this.#lookups.bounds(partitions);
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    for (const topic of this.group.topics) {
      await this.#consumer.subscribe({ topics: [topic.name], fromBeginning: topic.initialOffset === 'earliest' });
    }
    // running before run(): KafkaJS reports a failed first join as a CRASH from inside run(),
    // and a crash it does not restart itself must be restarted by us then too
    this.#running = true;
    await this.#run();
  }

  async #onBatch({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    if (batch.messages.length === 0) return;
    if (this.#groupGone) {
      // KafkaJS has no consumer group now (after STOP or CRASH, before the next GROUP_JOIN): a
      // batch now is not this member's to process (rejoin-guard.ts)
      if (this.#rejoin.strayBatch()) {
        this.monitor.notify('error.occurred', {
          type: 'listener.crash',
          error: new ListenerCrashedError(
            `KafkaJS delivered a batch of ${topic}/${partition} while its consumer of ${this.group.consumerGroup}/${this.group.id} was out of the group (crashed, not joined again): dropped, with any that follow until it joins`,
            { context: { ...this.#scope, topic, partition } },
          ),
          ...this.#scope,
          topic,
          partition,
        });
      }
      return;
    }
    if (this.#restoring !== undefined) await this.#restoring;
    if (this.#paused.has(partitionKey(topic, partition))) return;
    // queued batches count against queued.max.messages.kbytes too: once they would fill the
    // buffer they are packed now, so the hold below sees them (the bound is overshot by at most
    // one batch, as when every batch was packed here)
    if (this.#fetched.wouldFillBuffer) this.#fetched.pack();
    if (this.buffer.isFull()) {
      const held = performance.now();
      const scope = { ...this.#scope, bufferedBytes: this.buffer.bytes, limitBytes: this.buffer.limitBytes };
      this.monitor.notify('listener.buffer.hold', scope);
      while (this.buffer.isFull() && isRunning() && !isStale()) {
        await this.#heartbeatInside(heartbeat); // throws when the group rebalances: KafkaJS then rejoins
        await this.buffer.waitForChange(Math.min(this.kafka.heartbeatIntervalMs, 1000));
      }
      this.monitor.notify('listener.buffer.held', { ...scope, bufferedBytes: this.buffer.bytes, durationMs: performance.now() - held });
    }
    if (!isRunning() || isStale() || this.#paused.has(partitionKey(topic, partition))) return;
    this.#fetched.queue(batch);
    // only a rebalance ends eachBatch here: the batch is queued, and an error thrown now would
    // keep KafkaJS from resolving its offset (it would fetch and buffer the batch again)
    await this.#heartbeatInside(heartbeat, false);
  }

  /**
   * A batch could not be packed (the copy's allocation failed). KafkaJS already counts it as
   * fetched, so skipping it would let a later batch's mark commit past it; a seek back could go
   * stale across a rejoin. Instead the listener restarts as after a crash: KafkaJS stops, and
   * after fetch.error.backoff.ms everything is fetched again from the committed offsets
   * (duplicates of what was processed but not committed, never a gap).
   */
  #packFailed(topic: string, partition: number, error: unknown): void {
    this.#fetched.discard();
    this.monitor.notify('error.occurred', {
      type: 'listener.crash',
      error: new ListenerCrashedError(
        `Could not copy a fetched batch of ${topic}-${partition} into the prefetch buffer; restarting the KafkaJS consumer of ${this.group.consumerGroup}/${this.group.id} from the committed offsets`,
        { cause: error, context: { ...this.#scope, topic, partition } },
      ),
      ...this.#scope,
      topic,
      partition,
    });
    if (!this.#running || this.#restartTimer !== undefined) return;
    this.#groupGone = true; // stop() drops KafkaJS's consumer group at once
    this.#consumer.stop().then(
      () => this.#scheduleRestart(),
      () => this.#scheduleRestart(),
    );
  }

  /** True while fetched batches of this partition wait to be packed (they are not in the buffer yet). */
  hasPending(topic: string, partition: number): boolean {
    return this.#fetched.has(topic, partition);
  }

  /**
   * Forgets everything fetched (for one partition, or all) and not yet handed out: the queued
   * batches and the buffered ones both belong to a position that no longer holds.
   */
  #forgetFetched(topic?: string, partition?: number): void {
    this.#fetched.discard(topic, partition);
    if (topic === undefined || partition === undefined) this.buffer.clear();
    else this.buffer.drop(topic, partition);
  }

  // KafkaJS heartbeats right after eachBatch returns (throttled to heartbeat.interval.ms, so this
  // call takes that heartbeat's place rather than adding one): sent from here, a rebalance is
  // usually noticed while we are still inside eachBatch, where KafkaJS cannot rejoin yet, so the
  // running jobs finish and their marks are committed under the old generation instead of being
  // processed again by the next owner.
  // Other heartbeat failures are rethrown when `rethrowOthers` (KafkaJS's own heartbeat after
  // eachBatch meets them anyway when they persist).
  async #heartbeatInside(heartbeat: () => Promise<void>, rethrowOthers = true): Promise<void> {
    try {
      await heartbeat();
    } catch (error) {
      if (isRebalancingError(error)) {
        await this.hooks.onRebalancing(() => heartbeat().catch(() => undefined));
        throw error;
      }
      if (rethrowOthers) throw error;
    }
  }

  /** Stops fetching a partition and drops what is buffered for it (takes effect on the next fetch). */
  pause(topic: string, partition: number): void {
    this.#paused.add(partitionKey(topic, partition));
    this.#forgetFetched(topic, partition);
    if (this.#running && !this.#groupGone) this.#consumer.pause([{ topic, partitions: [partition] }]);
  }

  /** Restarts a paused partition at `offset`; batches fetched before the seek are dropped as stale. */
  resumeAt(topic: string, partition: number, offset: number): void {
    if (!this.#running) return;
    this.#forgetFetched(topic, partition);
    if (!this.#groupGone) {
      this.#consumer.seek({ topic, partition, offset: String(offset) });
      this.#consumer.resume([{ topic, partitions: [partition] }]);
    }
    this.#paused.delete(partitionKey(topic, partition));
  }

  /** Commits processed offsets; KafkaJS silently skips it once the consumer stopped, so call before stop(). */
  async commit(offsets: OffsetEntry[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.#consumer.commitOffsets(
      offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset), ...(o.metadata === undefined ? {} : { metadata: o.metadata }) })),
    );
  }

  /** Leaves the group and closes the connections. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#restartTimer);
    this.#rejoin.stop();
    this.#fetched.clear();
    this.buffer.interrupt();
    await this.#consumer.stop();
    await this.#consumer.disconnect();
    await this.#lookups.close();
  }
}
