// One topic-partition's consumer under test: the user's Consumer instance plus the bookkeeping the
// framework does around it in production (position, marked offset, pause/seek requests), run
// in-process with no broker and no threads. Jobs run through the worker's own runJob, so
// `this.messages`, lazy deserialization, automatic marking and requests behave as in production;
// they are made and settled by the route's own partition strategy and failure policy (through
// KitPartition), so retries, the restart rule and the dead letter queue are production's too.
// Never swallows what consume() throws: it reaches the test.
import { performance } from 'node:perf_hooks';
import { attachConsumer, type Consumer, type ConsumerRequests } from '../consumer';
import type { GroupScope } from '../events';
import type { TopicFeatures } from '../features/feature-set';
import type { Monitor } from '../instrumentation/monitor';
import { PackedMessages } from '../messages/message-packer';
import { MessageRun } from '../messages/packed-chunk';
import type { ProducedMessage } from '../options';
import { serializeError } from '../processing/serialized-error';
import { narrowedPoll } from '../processing/strategies/failure-policy';
import { deserializerFor, loadConsumerClass, runJob } from '../processing/worker';
import type { ConsumeResult } from '../processing/worker-protocol';
import type { Topic } from '../routing/topic';
import type { FakeProducer } from './fake-producer';
import { KitPartition } from './kit-partition';
import type { FedMessage, PartitionLog, TestMessageOptions } from './partition-log';
const now = (): number => performance.timeOrigin + performance.now();

/** What one `consume()` call did. */
export interface ConsumeRun {
  /** Messages in the batch (at most the route's maxMessages; only the part being tried while the dead letter queue isolates a failing message). */
  readonly size: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  /** Next offset to commit requested by this run (marked offset + 1), or null when nothing was marked. */
  readonly markedOffset: number | null;
  /** The pause or seek this run asked for, or null. */
  readonly pause: { readonly offset: number; readonly timeoutMs: number } | null;
}

export class TestConsumer<C extends Consumer = Consumer> {
  readonly topic: string;
  readonly partition: number;
  readonly consumerGroup: string;
  /** Messages this partition's consumer produced through `this.producer` or committed transactions, in order. */
  readonly produced: ProducedMessage[] = [];
  /** Committed `this.transaction()`s of this partition, in order: their messages and the offset each committed. */
  readonly transactions: Array<{ readonly messages: readonly ProducedMessage[]; readonly markedOffset: number | null }> = [];
  readonly #route: Topic;
  readonly #log: PartitionLog;
  readonly #producer: FakeProducer;
  readonly #instances = new Map<number, C>();
  #running = false;
  /** The partition as its strategy sees it; replaced on revoke() / shutdown(), as an assignment replaces production's coordinator. */
  #partition: KitPartition;
  /**
   * Messages this partition sent to its route's dead letter queue, in order: each as produced to
   * the DLQ topic (the failed message's key, payload and headers plus the DLQ headers). All
   * partitions' together: `kit.deadLettered`. They are not in `produced`.
   */
  readonly deadLettered: ProducedMessage[] = [];

  /**
   * @internal Made by `TestingKit.consumerFor()`: `features` builds the route's strategy and
   * behaviours, given where this partition's dead-lettered messages go.
   */
  constructor(
    route: Topic,
    log: PartitionLog,
    producer: FakeProducer,
    features: (deadLetters: ProducedMessage[]) => TopicFeatures,
    context: { readonly monitor: Monitor; readonly scope: GroupScope },
  ) {
    this.#route = route;
    this.#log = log;
    this.#producer = producer;
    this.topic = route.name;
    this.partition = log.partition;
    this.consumerGroup = route.consumerGroup;
    this.#partition = new KitPartition(route, log.partition, features(this.deadLettered), (seek) =>
      seek === 'earliest' ? null : seek === 'latest' ? log.nextOffset : log.offsetAt(seek.timestamp),
      context,
    );
  }

  /**
   * The user's consumer object, created from the route on first use (its constructor runs then),
   * bound to this topic-partition and the kit's producer. It is kept across `consume()` calls, as
   * in production, until `revoke()` or `shutdown()`.
   */
  get instance(): C {
    return this.instanceOf(0);
  }

  /**
   * The consumer instance of the partition's share `parallelKey` (a virtual partition; 0 is the
   * only one without a strategy that splits partitions), created on first use.
   */
  instanceOf(parallelKey: number): C {
    let existing = this.#instances.get(parallelKey);
    if (existing === undefined) {
      const Klass = loadConsumerClass(this.#route.consumer);
      const instance = new Klass() as C;
      attachConsumer(
        instance,
        { topic: this.topic, partition: this.partition, consumerGroup: this.consumerGroup },
        this.#producer.for(this.produced),
        this.#producer.transactor(this.produced, (markedOffset, messages) => {
          this.transactions.push(Object.freeze({ messages, markedOffset }));
          // as production's transaction fence: never past another job's unprocessed messages
          const allowed = markedOffset === null ? null : (this.#partition.offsets.transactionOffset?.(markedOffset) ?? markedOffset);
          if (allowed !== null) this.#partition.offsets.markBelow(allowed, false);
        }),
      );
      existing = instance;
      this.#instances.set(parallelKey, instance);
    }
    return existing;
  }

  /** Next offset to commit (highest marked offset + 1) over all runs, or null when nothing was marked. */
  get markedOffset(): number | null {
    return this.#partition.markedOffset();
  }

  /**
   * The pause or seek the last successful run asked for, or the pause a RetryLaterError asked for
   * (the kit does not wait `timeoutMs`), or null.
   */
  get pause(): ConsumeRun['pause'] {
    return this.#partition.pauseRequest;
  }

  /** `this.attempt` of the next `consume()`: 1, or n + 1 after n failures in a row. */
  get attempt(): number {
    return this.#partition.failures.attempts + 1;
  }

  /** Offset the next `consume()` starts from (null: the partition's first message). */
  get position(): number | null {
    return this.#partition.position;
  }

  /** Messages waiting at or after the position. */
  get pending(): number {
    return this.#log.countFrom(this.#partition.position);
  }

  /** Appends payloads to this topic-partition (same rules as `kit.produce`). */
  feed(payloads: readonly unknown[], options: Omit<TestMessageOptions, 'partition' | 'offset'> = {}): FedMessage[] {
    return payloads.map((payload) => this.#log.append(payload, options));
  }

  /**
   * Runs one job like the framework does: takes up to the route's maxMessages messages from the
   * position, calls the instance's consume(), then moves on as production would — past the batch
   * on success, to the requested offset on pause/seek, or back to the first unmarked message when
   * consume() threw (and rethrows that error, so the next call is the retry).
   */
  async consume(): Promise<ConsumeRun> {
    const label = `${this.topic}-${this.partition} (${this.consumerGroup})`;
    const partition = this.#partition;
    if (this.#running)
      throw new Error(
        `consume() of ${label} is already running; production never runs two jobs of one partition at once`,
      );
    if (partition.pauseRequest !== null && !Number.isFinite(partition.pauseRequest.timeoutMs)) {
      throw new Error(`${label} is paused until resume(): run consumer.tick() or consumer.eofed() to let the consumer resume it`);
    }
    const batch = this.#log.read(partition.position, this.#route.maxMessages);
    const first = batch[0];
    if (first === undefined) {
      throw new Error(
        `Nothing to consume on ${label} from offset ${partition.position ?? 0}: feed messages first with kit.produce('${this.topic}', payload) or consumer.feed([...])`,
      );
    }
    const deserializer = deserializerFor(this.#route.deserializer);
    const readyAt = now();
    partition.readyAt = readyAt;
    // as production's jobs builder: the failure policy may hand out only a part of the batch
    // (isolating a failing message); the partition then restarts right after that part
    const run = narrowedPoll(MessageRun.of(batch), partition);
    const last = run.at(-1)!;
    this.#running = true;
    // the route's strategy makes the jobs (one, or one per virtual partition), and they run at once
    // as in production, each on its own consumer instance; then each is settled, in job order
    const jobs = partition.features.strategy.distribute(run, partition);
    let outcomes: Array<Awaited<ReturnType<typeof runJob>>>;
    try {
      outcomes = await Promise.all(
        jobs.map((job) => {
          partition.offsets.dispatched(job.messages);
          return runJob(
            this.instanceOf(job.parallelKey),
            {
              topic: this.topic,
              partition: this.partition,
              consumerGroup: this.consumerGroup,
              manualOffsetManagement: job.manualOffsetManagement,
              readyAt,
              attempt: partition.failures.attempts + 1,
              ...(job.details === undefined ? {} : { details: job.details }),
            },
            new PackedMessages(job.messages.pack()),
            deserializer,
            readyAt,
          );
        }),
      );
      partition.pauseRequest = null;
      for (const [i, job] of jobs.entries()) {
        const { requests, failure } = outcomes[i]!;
        const result: ConsumeResult = {
          startedAt: readyAt,
          finishedAt: now(),
          threadId: 0,
          markedOffset: requests.markedOffset,
          pause: requests.pause,
          seek: requests.seek ?? null,
          resume: requests.resume === true,
          error: failure === null ? null : serializeError(failure.thrown),
        };
        const count = requests.markedOffset === null ? 0 : job.messages.countBefore(requests.markedOffset);
        partition.offsets.processed(job.messages, count, failure === null);
        await partition.features.strategy.settle(job, { result }, partition);
      }
      // every message was processed already (the strategy skipped them): the partition goes on after them
      if (jobs.length === 0) partition.advanced(last.offset + 1);
    } finally {
      this.#running = false;
    }
    const failed = outcomes.find((o) => o.failure !== null);
    if (failed?.failure != null) throw failed.failure.thrown;
    const marks = outcomes.map((o) => o.requests.markedOffset).filter((m): m is number => m !== null);
    return Object.freeze({
      size: run.length,
      firstOffset: first.offset,
      lastOffset: last.offset,
      markedOffset: marks.length === 0 ? null : Math.max(...marks),
      pause: partition.pauseRequest,
    });
  }

  /**
   * Runs the instance's `eofed()` (with an empty `this.messages`), as the app does when the
   * partition reached its end; a `pause`, `resume()` or `seek` it asks for takes effect.
   */
  async eofed(): Promise<void> {
    await this.#hook('eofed');
  }

  /** Runs the instance's `tick()` (with an empty `this.messages`), as the periodic timer does; requests take effect. */
  async tick(): Promise<void> {
    await this.#hook('tick');
  }

  async #hook(hook: 'eofed' | 'tick'): Promise<void> {
    const label = `${this.topic}-${this.partition} (${this.consumerGroup})`;
    if (this.#running) throw new Error(`A job of ${label} is already running; production never runs two jobs of one partition at once`);
    this.#running = true;
    let outcome: Awaited<ReturnType<typeof runJob>>;
    try {
      const readyAt = now();
      const job = { topic: this.topic, partition: this.partition, consumerGroup: this.consumerGroup, manualOffsetManagement: true, readyAt, hook };
      outcome = await runJob(this.instance, job, [], deserializerFor(this.#route.deserializer), readyAt);
    } finally {
      this.#running = false;
    }
    const { requests, failure } = outcome;
    if (failure !== null) throw failure.thrown;
    const partition = this.#partition;
    if (requests.pause !== null) {
      // pause() without an offset in a hook means "where the partition stands"
      const offset = requests.pause.offset >= 0 ? requests.pause.offset : (partition.position ?? 0);
      partition.pause(offset, requests.pause.timeoutMs, 'request');
    } else if (requests.resume === true) {
      partition.resume();
    }
    await this.#applySeek(requests.seek ?? null);
  }

  async #applySeek(seek: ConsumerRequests['seek'] | null): Promise<void> {
    if (seek === null || seek === undefined) return;
    await this.#partition.seek(seek);
  }

  /**
   * Takes the partition away as a rebalance would: runs the instance's `revoked()` and drops it.
   * The next `consume()` gets a fresh instance that starts from the marked offset (what would
   * have been committed), so unmarked messages are delivered again.
   */
  async revoke(): Promise<void> {
    await this.#drop((instance) => instance.revoked());
  }

  /** Runs the instance's `shutdown()` and drops it, as a stopping app does; the position rewinds like `revoke()`. */
  async shutdown(): Promise<void> {
    await this.#drop((instance) => instance.shutdown());
  }

  async #drop(hook: (instance: C) => Promise<void> | void): Promise<void> {
    const instances = [...this.#instances.values()];
    this.#instances.clear();
    // the next owner starts from what would have been committed, with nothing of this ownership
    // but the ledger: no failures, no pause, no isolation under way
    this.#partition = this.#partition.reassigned();
    for (const instance of instances) await hook(instance);
  }
}
