// The path of a message from produce to acknowledgement: check it (contract + size), take room in
// the bounded queue, partition it, add it to its variant's accumulator, and settle it when the
// dispatcher is done. The producer owns one pipeline; each transaction gets its own (sending
// through the KafkaJS transaction) sharing the queue limits, metadata and partitioner.
// It must never settle a record twice nor forget one: every admitted record gets exactly one
// outcome (delivered or failed), at its delivery deadline at the latest, and `outstanding` counts
// those that have none yet. A record keeps its queue room until the pipeline no longer holds it,
// which for a record failed while its request is in flight is when the request is answered.
import { Accumulator } from '../batching/accumulator';
import type { PartitionBatch } from '../batching/partition-batch';
import type { Partitioner } from '../batching/partitioner';
import { buildReport, offsetAt, ProduceRecord, PromiseSink } from '../batching/produce-record';
import { DeliveryError } from '../errors';
import type { Monitor } from '../events';
import type { PartitionMetadataCache, TopicPartitions } from '../metadata/partition-metadata-cache';
import type { ResolvedProducerOptions } from '../options';
import type { DeliveryReport, ProduceMessage } from '../types';
import { DeliveryHandle } from './delivery-handle';
import { Dispatcher, type RecordSettler, type SendBatch } from './dispatcher';
import { misconfigurationHint } from './failure-classification';
import { checkMessage } from './message-contract';
import type { QueueLimits } from './queue-limits';
import type { VariantSettings } from './variant-settings';

export interface PipelineShared {
  readonly options: ResolvedProducerOptions;
  readonly monitor: Monitor;
  readonly limits: QueueLimits;
  readonly metadata: PartitionMetadataCache;
  readonly partitioner: Partitioner;
}

interface Pending {
  record: ProduceRecord;
  variant: VariantSettings;
  reloaded: boolean;
}

export class DeliveryPipeline implements RecordSettler {
  private readonly accumulators = new Map<string, Accumulator>();
  private readonly pendingMetadata = new Map<string, Pending[]>();
  private readonly dispatcher: Dispatcher;
  private readonly producerId: string;
  private outstanding = 0;
  private idleWaiters: Array<() => void> = [];
  private urgent = false;
  /** Fails the records waiting for metadata at their deadline (at `metadataDeadlineAt`). */
  private metadataDeadline: NodeJS.Timeout | undefined;
  private metadataDeadlineAt = Infinity;
  /** Records of this pipeline that failed (a transaction must not commit after one). */
  failures = 0;

  constructor(
    private readonly shared: PipelineShared,
    send: SendBatch,
    /** The send path's own, when it takes batches encoded at admission (SendBatch.openEncoding). */
    private readonly openEncoding: SendBatch['openEncoding'] = send.openEncoding,
  ) {
    const o = shared.options;
    this.producerId = o.id;
    this.dispatcher = new Dispatcher(
      {
        producerId: o.id,
        maxInFlight: o.maxInFlight,
        retryBackoffMs: o.retryBackoffMs,
        retryBackoffMaxMs: o.retryBackoffMaxMs,
        maxRequestBytes: Math.max(o.batchSizeBytes, 16 * 1024 * 1024),
        batchSizeBytes: o.batchSizeBytes,
        batchMaxMessages: o.batchMaxMessages,
        idempotent: o.idempotent,
      },
      send,
      this,
      shared.monitor,
    );
  }

  /** Messages admitted and not yet acknowledged or failed. */
  get queued(): number {
    return this.outstanding;
  }

  /**
   * Resolves once no Produce request is in flight (nor backing off), or at `until` (Date.now()
   * time), whichever comes first: before a transaction ends, so that no request of it is still
   * on its way to the broker when the coordinator writes the commit or abort markers.
   */
  async whenIdle(until: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.dispatcher.whenIdle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, until - Date.now()))))]);
    clearTimeout(timer);
  }

  /** Retries nothing more (see Dispatcher.stop): once drained, when the producer or the transaction ends. */
  stop(): void {
    this.dispatcher.stop();
  }

  /** Admits, queues and returns the delivery of one message. */
  produce(message: ProduceMessage, variant: VariantSettings): Promise<DeliveryReport> {
    const bytes = this.check(message);
    if (this.shared.limits.tryReserve(bytes)) return this.enqueue(message, variant, bytes);
    return this.shared.limits.reserve(bytes, this.shared.options.maxWaitTimeoutMs, message.topic, () => this.enqueue(message, variant, bytes));
  }

  /** Like produce, but resolves with a handle as soon as the message is queued. */
  queue(message: ProduceMessage, variant: VariantSettings): DeliveryHandle | Promise<DeliveryHandle> {
    const bytes = this.check(message);
    if (this.shared.limits.tryReserve(bytes)) return this.enqueueHandle(message, variant, bytes);
    return this.shared.limits.reserve(bytes, this.shared.options.maxWaitTimeoutMs, message.topic, () => this.enqueueHandle(message, variant, bytes));
  }

  /**
   * Checks every message first (none is queued when one is invalid), then queues them in order,
   * waiting for room when the queue is full. Resolves once all are queued, with a handle for
   * each. When room does not come in time, the messages already queued still go (their handles
   * say how), and the rest get handles failed with that QUEUE_FULL error: every message of the
   * call has a handle, so none is sent without its caller being able to learn its fate.
   */
  async queueMany(
    messages: readonly ProduceMessage[],
    variant: VariantSettings,
    maxWaitMs = this.shared.options.maxWaitTimeoutMs,
    /** Told the index of the first message that found no room (the application buffer keeps the rest). */
    refused?: (from: number, error: Error) => void,
  ): Promise<DeliveryHandle[]> {
    const sizes = messages.map((m) => this.check(m));
    const deliveries: DeliveryHandle[] = new Array(messages.length);
    for (let i = 0; i < messages.length; i += 1) {
      const message = messages[i] as ProduceMessage;
      const bytes = sizes[i] as number;
      if (this.shared.limits.tryReserve(bytes)) {
        deliveries[i] = this.enqueueHandle(message, variant, bytes);
        continue;
      }
      try {
        deliveries[i] = await this.shared.limits.reserve(bytes, maxWaitMs, message.topic, () => this.enqueueHandle(message, variant, bytes));
      } catch (error) {
        if (i === 0) throw error; // nothing queued: the call fails as a whole
        refused?.(i, error as Error);
        for (let j = i; j < messages.length; j += 1) {
          const refused = new DeliveryHandle(messages[j] as ProduceMessage);
          refused.reject(error as Error);
          deliveries[j] = refused;
        }
        break;
      }
    }
    return deliveries;
  }

  /** Throws what produce would throw for `message` (contract, size); for the application buffer. */
  checkMessage(message: ProduceMessage): void {
    this.check(message);
  }

  /** Stops lingering: seals every open batch now, and later ones at once, until `relax()`. */
  hurry(): void {
    this.urgent = true;
    for (const acc of this.accumulators.values()) {
      acc.urgent = true;
      acc.sealAll();
    }
  }

  relax(): void {
    this.urgent = false;
    for (const acc of this.accumulators.values()) acc.urgent = false;
  }

  /** Resolves when every admitted message is acknowledged or failed (seals open batches first). */
  async drain(): Promise<void> {
    this.hurry();
    try {
      while (this.outstanding > 0) {
        await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      }
    } finally {
      this.relax();
    }
  }

  // ---- RecordSettler (called by the dispatcher) ----

  succeeded(batch: PartitionBatch, baseOffset: string | null): void {
    const records = batch.records;
    const { topic, partition } = batch;
    const acknowledged = this.shared.monitor.has('message.acknowledged');
    const now = acknowledged ? performance.now() : 0;
    let settled = 0;
    for (let i = 0; i < records.length; i += 1) {
      const record = records[i] as ProduceRecord;
      // false for a record failed by its deadline while this request was in flight: it was
      // reported failed (possibly persisted), and it is not counted or reported as delivered
      if (!record.delivered(topic, partition, baseOffset, i)) continue;
      settled += 1;
      if (acknowledged) {
        const report = buildReport(record.message, topic, partition, offsetAt(baseOffset, i));
        this.shared.monitor.notify('message.acknowledged', { producerId: this.producerId, report, durationMs: now - record.enqueuedAt });
      }
    }
    this.shared.limits.release(records.length, batch.bytes);
    this.settled(settled);
  }

  failed(records: readonly ProduceRecord[], error: Error): void {
    let bytes = 0;
    for (const record of records) bytes += record.bytes;
    const settled = this.reject(records, error);
    this.shared.limits.release(records.length, bytes);
    this.settled(settled);
  }

  expired(records: readonly ProduceRecord[], error: Error): void {
    // The room stays taken: the request in flight still holds these records (see the header).
    this.settled(this.reject(records, error));
  }

  metadataStale(topics: readonly string[]): void {
    for (const topic of topics) this.shared.metadata.invalidate(topic);
  }

  backlog(backlogged: boolean): void {
    this.shared.limits.setBacklogged(this, backlogged);
  }

  // ---- internals ----

  /** Fails the records not settled yet; returns how many that was. */
  private reject(records: readonly ProduceRecord[], error: Error): number {
    const report = this.shared.monitor.has('error.occurred');
    let settled = 0;
    for (const record of records) {
      if (!record.reject(error)) continue;
      settled += 1;
      if (report) {
        this.shared.monitor.notify('error.occurred', {
          producerId: this.producerId,
          type: 'message.delivery',
          error,
          message: record.message,
          topic: record.message.topic,
          partition: record.partition,
        });
      }
    }
    this.failures += settled;
    return settled;
  }

  private settled(count: number): void {
    this.outstanding -= count;
    if (this.outstanding === 0 && this.idleWaiters.length > 0) {
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private enqueue(message: ProduceMessage, variant: VariantSettings, bytes: number): Promise<DeliveryReport> {
    this.outstanding += 1;
    return new Promise<DeliveryReport>((resolve, reject) => {
      const now = Date.now();
      const record = new ProduceRecord(message, bytes, performance.now(), now + variant.timeoutMs, new PromiseSink(message, resolve, reject), now);
      this.place(record, variant, false);
    });
  }

  private enqueueHandle(message: ProduceMessage, variant: VariantSettings, bytes: number): DeliveryHandle {
    this.outstanding += 1;
    const handle = new DeliveryHandle(message);
    const now = Date.now();
    this.place(new ProduceRecord(message, bytes, performance.now(), now + variant.timeoutMs, handle, now), variant, false);
    return handle;
  }

  private place(record: ProduceRecord, variant: VariantSettings, reloaded: boolean): void {
    const message = record.message;
    const topic = message.topic;
    const meta = this.shared.metadata.get(topic);
    // Records still waiting for this topic's metadata go first, even when the cache has just
    // been filled and they have not been placed yet: a partition's records stay in call order.
    if (meta === undefined || (this.pendingMetadata.size > 0 && !reloaded && this.pendingMetadata.has(topic))) {
      this.awaitMetadata(topic, { record, variant, reloaded });
      return;
    }
    let partition: number;
    if (message.partition !== undefined) {
      partition = message.partition;
      if (partition >= meta.partitions.length) {
        if (!reloaded) {
          // The topic may have grown since we looked: look again once before failing.
          this.shared.metadata.invalidate(topic);
          this.awaitMetadata(topic, { record, variant, reloaded: true });
          return;
        }
        this.failed(
          [record],
          new DeliveryError('DELIVERY_FAILED', `Partition ${partition} does not exist: topic '${topic}' has ${meta.partitions.length} partition(s)`, {
            context: { producerId: this.producerId, topic, partition },
          }),
        );
        return;
      }
    } else if (message.partitionKey !== undefined) {
      partition = this.shared.partitioner.forKey(topic, meta, message.partitionKey);
    } else if (message.key !== undefined && message.key !== null) {
      partition = this.shared.partitioner.forKey(topic, meta, message.key);
    } else {
      partition = this.shared.partitioner.forKeyless(topic, meta);
    }
    const leader = meta.partitions[partition]?.leader ?? -1;
    this.accumulatorFor(variant).append(record, topic, partition, leader);
  }

  private accumulatorFor(variant: VariantSettings): Accumulator {
    let acc = this.accumulators.get(variant.key);
    if (acc === undefined) {
      const o = this.shared.options;
      acc = new Accumulator(
        { lingerMs: o.lingerMs, batchSizeBytes: o.batchSizeBytes, batchMaxMessages: o.batchMaxMessages },
        (batch, flushing) => {
          this.shared.partitioner.onBatchSealed(batch.topic, batch.partition, this.shared.metadata.get(batch.topic));
          this.dispatcher.ready(batch, variant);
          if (!flushing) this.dispatcher.drainSoon();
        },
        () => this.dispatcher.drainNow(),
        this.openEncoding,
      );
      acc.urgent = this.urgent;
      this.accumulators.set(variant.key, acc);
    }
    return acc;
  }

  private awaitMetadata(topic: string, pending: Pending): void {
    this.armMetadataDeadline(pending.record.deadline);
    // An entry exists while its topic's metadata is being loaded (or the load backs off), even
    // when its records have all timed out meanwhile.
    const waiting = this.pendingMetadata.get(topic);
    if (waiting !== undefined) {
      waiting.push(pending);
      return;
    }
    this.pendingMetadata.set(topic, [pending]);
    this.loadMetadata(topic, 1);
  }

  /** Makes the records waiting for metadata time out at `at` at the latest (a load can hang longer). */
  private armMetadataDeadline(at: number): void {
    if (at >= this.metadataDeadlineAt) return;
    if (this.metadataDeadline !== undefined) clearTimeout(this.metadataDeadline);
    this.metadataDeadlineAt = at;
    this.metadataDeadline = setTimeout(this.metadataTimedOut, Math.max(0, at - Date.now()));
    this.metadataDeadline.unref(); // the records' queue room keeps the process alive
  }

  private readonly metadataTimedOut = (): void => {
    this.metadataDeadline = undefined;
    this.metadataDeadlineAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    const due: Array<{ topic: string; records: ProduceRecord[] }> = [];
    for (const [topic, waiting] of this.pendingMetadata) {
      const records: ProduceRecord[] = [];
      let kept = 0;
      for (const p of waiting) {
        if (p.record.deadline <= now) records.push(p.record);
        else {
          waiting[kept++] = p;
          if (p.record.deadline < next) next = p.record.deadline;
        }
      }
      waiting.length = kept;
      if (records.length > 0) due.push({ topic, records });
    }
    for (const { topic, records } of due) {
      this.failed(
        records,
        new DeliveryError('DELIVERY_TIMED_OUT', `No partition metadata for topic '${topic}' within the delivery timeout (message.timeout.ms): the metadata request has not been answered`, {
          retriable: true,
          context: { producerId: this.producerId, topic },
        }),
      );
    }
    this.armMetadataDeadline(next);
  };

  private loadMetadata(topic: string, attempt: number): void {
    this.shared.metadata.load(topic).then(
      (meta: TopicPartitions) => {
        void meta;
        const waiting = this.pendingMetadata.get(topic) ?? [];
        this.pendingMetadata.delete(topic);
        for (const p of waiting) this.place(p.record, p.variant, p.reloaded);
      },
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        if (this.shared.monitor.has('error.occurred')) {
          this.shared.monitor.notify('error.occurred', { producerId: this.producerId, type: 'metadata.failed', error: failure, topic });
        }
        const waiting = this.pendingMetadata.get(topic) ?? [];
        const hint = misconfigurationHint(failure);
        if (hint !== null) {
          // Retrying would meet the same refusal until message.timeout.ms: fail them now. The next
          // message for this topic tries again (the settings may have been fixed broker-side).
          this.pendingMetadata.delete(topic);
          this.failed(
            waiting.map((p) => p.record),
            new DeliveryError('DELIVERY_FAILED', `No partition metadata for topic '${topic}': ${hint}: ${failure.message}`, {
              cause: failure,
              context: { producerId: this.producerId, topic },
            }),
          );
          return;
        }
        const o = this.shared.options;
        const backoff = Math.min(o.retryBackoffMs * 2 ** (attempt - 1), o.retryBackoffMaxMs);
        const retryAt = Date.now() + backoff;
        const expired = waiting.filter((p) => p.record.deadline <= retryAt);
        const alive = waiting.filter((p) => p.record.deadline > retryAt);
        if (expired.length > 0) {
          this.failed(
            expired.map((p) => p.record),
            new DeliveryError('DELIVERY_TIMED_OUT', `No partition metadata for topic '${topic}' within the delivery timeout: ${failure.message}`, {
              cause: failure,
              retriable: true,
              context: { producerId: this.producerId, topic },
            }),
          );
        }
        if (alive.length === 0) {
          this.pendingMetadata.delete(topic);
          return;
        }
        this.pendingMetadata.set(topic, alive);
        setTimeout(() => this.loadMetadata(topic, attempt + 1), backoff);
      },
    );
  }

  /** The message contract (delivery/message-contract.ts); returns the estimated record bytes. */
  private check(message: ProduceMessage): number {
    return checkMessage(message, this.shared.options.messageMaxBytes, this.producerId);
  }
}
