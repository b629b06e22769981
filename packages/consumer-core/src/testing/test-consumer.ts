// One topic-partition's consumer under test: the user's Consumer instance plus the bookkeeping the
// framework does around it in production (position, marked offset, pause/seek requests), run
// in-process with no broker and no threads. Jobs run through the worker's own runJob, so
// `this.messages`, lazy deserialization, automatic marking and requests behave as in production.
// Never swallows what consume() throws: it reaches the test.
import { performance } from 'node:perf_hooks';
import { attachConsumer, type Consumer, type ConsumerRequests } from '../consumer';
import { packMessages, unpackMessages } from '../messages/message-packer';
import type { ProducedMessage } from '../options';
import { DLQ_HEADERS } from '../processing/dead-letter-headers';
import { controlFlowOf } from '../processing/control-flow';
import { serializeError } from '../processing/serialized-error';
import { deserializerFor, loadConsumerClass, runJob } from '../processing/worker';
import type { Topic } from '../routing/topic';
import type { FakeProducer } from './fake-producer';
import type { FedMessage, PartitionLog, TestMessageOptions } from './partition-log';

const now = (): number => performance.timeOrigin + performance.now();

/** What one `consume()` call did. */
export interface ConsumeRun {
  /** Messages in the batch (at most the route's maxMessages). */
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
  #instance: C | undefined;
  #position: number | null = null;
  #markedOffset: number | null = null;
  #pause: ConsumeRun['pause'] = null;
  #running = false;
  #attempts = 0;
  #failedAt: number | null = null;
  /** Messages this partition sent to its route's dead letter queue (as produced, with the DLQ headers), in order. */
  readonly deadLettered: ProducedMessage[] = [];

  /** @internal Made by `TestingKit.consumerFor()`. */
  constructor(route: Topic, log: PartitionLog, producer: FakeProducer) {
    this.#route = route;
    this.#log = log;
    this.#producer = producer;
    this.topic = route.name;
    this.partition = log.partition;
    this.consumerGroup = route.consumerGroup;
  }

  /**
   * The user's consumer object, created from the route on first use (its constructor runs then),
   * bound to this topic-partition and the kit's producer. It is kept across `consume()` calls, as
   * in production, until `revoke()` or `shutdown()`.
   */
  get instance(): C {
    if (this.#instance === undefined) {
      const Klass = loadConsumerClass(this.#route.consumer, false);
      const instance = new Klass() as C;
      attachConsumer(
        instance,
        { topic: this.topic, partition: this.partition, consumerGroup: this.consumerGroup },
        this.#producer.for(this.produced),
        this.#producer.transactor(this.produced, (markedOffset, messages) => {
          this.transactions.push(Object.freeze({ messages, markedOffset }));
          if (markedOffset !== null) this.#markedOffset = Math.max(this.#markedOffset ?? 0, markedOffset);
        }),
      );
      this.#instance = instance;
    }
    return this.#instance;
  }

  /** Next offset to commit (highest marked offset + 1) over all runs, or null when nothing was marked. */
  get markedOffset(): number | null {
    return this.#markedOffset;
  }

  /**
   * The pause or seek the last successful run asked for, or the pause a RetryLaterError asked for
   * (the kit does not wait `timeoutMs`), or null.
   */
  get pause(): ConsumeRun['pause'] {
    return this.#pause;
  }

  /** `this.attempt` of the next `consume()`: 1, or n + 1 after n failures in a row. */
  get attempt(): number {
    return this.#attempts + 1;
  }

  /** Offset the next `consume()` starts from (null: the partition's first message). */
  get position(): number | null {
    return this.#position;
  }

  /** Messages waiting at or after the position. */
  get pending(): number {
    return this.#log.countFrom(this.#position);
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
    if (this.#running)
      throw new Error(
        `consume() of ${label} is already running; production never runs two jobs of one partition at once`,
      );
    if (this.#pause !== null && !Number.isFinite(this.#pause.timeoutMs)) {
      throw new Error(`${label} is paused until resume(): run consumer.tick() or consumer.eofed() to let the consumer resume it`);
    }
    const batch = this.#log.read(this.#position, this.#route.maxMessages);
    const first = batch[0];
    const last = batch[batch.length - 1];
    if (first === undefined || last === undefined) {
      throw new Error(
        `Nothing to consume on ${label} from offset ${this.#position ?? 0}: feed messages first with kit.produce('${this.topic}', payload) or consumer.feed([...])`,
      );
    }
    const instance = this.instance;
    const deserializer = deserializerFor(this.#route.deserializer, false);
    this.#running = true;
    let outcome: Awaited<ReturnType<typeof runJob>>;
    try {
      const readyAt = now();
      outcome = await runJob(
        instance,
        {
          topic: this.topic,
          partition: this.partition,
          consumerGroup: this.consumerGroup,
          manualOffsetManagement: this.#route.manualOffsetManagement,
          readyAt,
          attempt: this.#attempts + 1,
        },
        unpackMessages(packMessages(batch)),
        deserializer,
        readyAt,
      );
    } finally {
      this.#running = false;
    }
    const { requests, failure } = outcome;
    if (requests.markedOffset !== null) this.#markedOffset = Math.max(this.#markedOffset ?? 0, requests.markedOffset);
    if (failure !== null) {
      this.#pause = null;
      // the first unmarked message of this batch, as in production: past what this run marked and
      // what its transactions committed
      const restart = Math.max(first.offset, requests.markedOffset ?? first.offset, Math.min(this.#markedOffset ?? first.offset, last.offset + 1));
      this.#position = restart;
      const control = controlFlowOf(serializeError(failure.thrown));
      if (control.kind === 'retry-later') {
        // not a failure: the count stays, and the partition waits (the kit does not) at `restart`
        this.#pause = Object.freeze({ offset: restart, timeoutMs: control.delayMs });
      } else {
        this.#deadLetterIfExhausted(batch, restart, failure.thrown, control.kind === 'unrecoverable' ? (control.offset ?? restart) : null);
      }
      throw failure.thrown;
    }
    this.#attempts = 0;
    this.#failedAt = null;
    this.#pause = requests.pause === null ? null : Object.freeze({ ...requests.pause });
    this.#position = requests.pause === null ? last.offset + 1 : requests.pause.offset;
    this.#applySeek(requests.seek ?? null);
    return Object.freeze({
      size: batch.length,
      firstOffset: first.offset,
      lastOffset: last.offset,
      markedOffset: requests.markedOffset,
      pause: this.#pause,
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
      outcome = await runJob(this.instance, job, [], deserializerFor(this.#route.deserializer, false), readyAt);
    } finally {
      this.#running = false;
    }
    const { requests, failure } = outcome;
    if (failure !== null) throw failure.thrown;
    if (requests.pause !== null) {
      // pause() without an offset in a hook means "where the partition stands"
      const offset = requests.pause.offset >= 0 ? requests.pause.offset : (this.#position ?? 0);
      this.#pause = Object.freeze({ offset, timeoutMs: requests.pause.timeoutMs });
      this.#position = offset;
    } else if (requests.resume === true) {
      this.#pause = null;
    }
    this.#applySeek(requests.seek ?? null);
  }

  #applySeek(seek: ConsumerRequests['seek'] | null): void {
    if (seek === null || seek === undefined) return;
    this.#pause = null;
    this.#position = seek === 'earliest' ? null : seek === 'latest' ? this.#log.nextOffset : this.#log.offsetAt(seek.timestamp);
  }

  // Same rule as production: after the route's deadLetterQueue.maxRetries failed retries the
  // first unmarked message goes to the DLQ topic (recorded here), is marked, and the position
  // moves past it; an UnrecoverableError sends its message (`unrecoverableAt`, when an unmarked
  // one of the batch) at once. The error is still rethrown to the test.
  #deadLetterIfExhausted(
    batch: readonly { offset: number; key: Buffer | null; value: Buffer | null; headers?: unknown }[],
    restart: number,
    thrown: unknown,
    unrecoverableAt: number | null,
  ): void {
    const dlq = this.#route.deadLetterQueue ?? null;
    if (dlq?.independent === true && this.#failedAt !== null && restart > this.#failedAt) this.#attempts = 0;
    this.#attempts += 1;
    this.#failedAt = restart;
    const unrecoverable = unrecoverableAt !== null && unrecoverableAt >= restart && batch.some((m) => m.offset === unrecoverableAt);
    const target = unrecoverable ? unrecoverableAt : restart;
    const failing = batch.find((m) => m.offset === target);
    if (dlq === null || failing === undefined || (!unrecoverable && this.#attempts <= dlq.maxRetries)) return;
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    const message: ProducedMessage = {
      topic: dlq.topic,
      key: failing.key,
      payload: failing.value,
      headers: {
        ...(failing.headers as ProducedMessage['headers']),
        [DLQ_HEADERS.topic]: this.topic,
        [DLQ_HEADERS.partition]: String(this.partition),
        [DLQ_HEADERS.offset]: String(failing.offset),
        [DLQ_HEADERS.consumerGroup]: this.consumerGroup,
        [DLQ_HEADERS.attempts]: String(this.#attempts),
        [DLQ_HEADERS.errorClass]: error.name,
        [DLQ_HEADERS.errorMessage]: error.message,
      },
    };
    this.deadLettered.push(message);
    this.#markedOffset = Math.max(this.#markedOffset ?? 0, failing.offset + 1);
    this.#position = failing.offset + 1;
    this.#attempts = 0;
    this.#failedAt = null;
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
    const instance = this.#instance;
    this.#instance = undefined;
    this.#position = this.#markedOffset;
    this.#pause = null;
    this.#attempts = 0;
    this.#failedAt = null;
    if (instance !== undefined) await hook(instance);
  }
}
