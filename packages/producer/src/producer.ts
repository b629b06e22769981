// Producer: a WaterDrop-class producer on one KafkaJS producer. It adds what KafkaJS lacks —
// linger and batch.size per topic-partition, delivery reports with per-message offsets, variants,
// an application buffer, a bounded queue with backpressure, retries within message.timeout.ms —
// and keeps KafkaJS for the wire. Lifecycle: pending → connected → closing → closed (one way);
// once closing, nothing new is accepted and everything accepted is flushed before disconnecting.
import { Kafka, logLevel, Partitioners, type Admin, type Producer as KafkaJsProducer } from 'kafkajs';
import { Partitioner } from './batching/partitioner';
import { compressionType, ensureCodec } from './compression/codecs';
import { configPath } from './config-path';
import type { DeliveryHandle } from './delivery/delivery-handle';
import { DeliveryPipeline, type PipelineShared } from './delivery/delivery-pipeline';
import { QueueLimits } from './delivery/queue-limits';
import type { VariantSettings } from './delivery/variant-settings';
import { ConfigurationError, ProducerClosedError, QueueFullError, TransactionError, type ConfigurationIssue } from './errors';
import { Monitor, type ProducerEventName, type ProducerEvents } from './events';
import { PartitionMetadataCache } from './metadata/partition-metadata-cache';
import { KafkaJsHandles } from './network/kafkajs-handles';
import { encodedKafkaJsWire } from './network/encoded-wire';
import { assertKafkaJsInternals, captureCluster } from './network/kafkajs-internals';
import { kafkaJsWire, type ProducerWire } from './network/producer-wire';
import { unknownKeyRule } from './nearest-key';
import { normaliseAcks, type ProducerOptions, type ResolvedProducerOptions } from './options';
import { resolveProducerOptions } from './options-contract';
import { ProducerVariant } from './producer-variant';
import type { Transaction } from './transaction';
import { runTransaction } from './transaction-run';
import { COMPRESSION_CODECS, type DeliveryReport, type ProduceApi, type ProduceMessage, type VariantOptions } from './types';

export type ProducerState = 'pending' | 'connected' | 'closing' | 'closed';

const KAFKAJS_LOG_LEVELS = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
} as const;

export class Producer implements ProduceApi {
  /** The producer's name in logs and events. */
  readonly id: string;
  /** The validated, frozen options it runs on. */
  readonly options: ResolvedProducerOptions;
  /** Typed instrumentation events (see ProducerEvents). */
  readonly monitor = new Monitor();

  private readonly kafka: Kafka;
  private readonly client: KafkaJsProducer;
  private readonly wire: ProducerWire;
  private readonly shared: PipelineShared;
  private readonly pipeline: DeliveryPipeline;
  private readonly main: ProducerVariant;
  private readonly defaultSettings: VariantSettings;
  private stateValue: ProducerState = 'pending';
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private buffered: ProduceMessage[] = [];
  private transactionChain: Promise<unknown> = Promise.resolve();
  private inTransaction = false;
  private metadataRefresher: NodeJS.Timeout | undefined;
  /** KafkaJS's sockets and timers: they keep the process alive only while this producer has work (network/kafkajs-handles.ts). */
  private readonly handles = new KafkaJsHandles();
  private releaseQueueHold: (() => void) | undefined;

  /**
   * Validates `options` (a ConfigurationError lists every problem) and creates the KafkaJS
   * clients; nothing connects until the first produce (or connect()).
   * @param wire internal: what @decanter/producer/testing's FakeProducer talks through instead of Kafka.
   */
  constructor(options: ProducerOptions, wire?: ProducerWire) {
    this.options = resolveProducerOptions(options);
    const o = this.options;
    this.id = o.id;
    this.kafka = new Kafka({
      clientId: o.clientId,
      brokers: [...o.brokers],
      connectionTimeout: o.connectionTimeoutMs,
      requestTimeout: o.requestTimeoutMs + 5_000,
      logLevel: KAFKAJS_LOG_LEVELS[o.kafkaJsLogLevel],
      socketFactory: this.handles.socketFactory,
      ...(o.ssl !== undefined ? { ssl: o.ssl } : {}),
      ...(o.sasl !== undefined ? { sasl: o.sasl } : {}),
    });
    // recordEncoder 'decanter': the batches are encoded by Decanter and sent over the KafkaJS
    // producer's own cluster (its connections, metadata, API versions), caught as KafkaJS builds
    // it (network/kafkajs-internals.ts); idempotence and transactions then run on an EOS manager
    // of the wire's own (network/encoded-wire.ts), so this KafkaJS producer has none
    const ownEncoder = o.recordEncoder === 'decanter' && wire === undefined;
    const createClient = (): KafkaJsProducer => this.kafka.producer({
      // Every message carries its partition (chosen at enqueue); this only silences KafkaJS's
      // warning about its v2 default partitioner.
      createPartitioner: Partitioners.DefaultPartitioner,
      // Retries are ours (delivery/dispatcher.ts) so they honour message.timeout.ms; KafkaJS
      // insists on at least one for an idempotent producer.
      retry: { retries: o.idempotent && !ownEncoder ? 1 : 0, initialRetryTime: o.retryBackoffMs, maxRetryTime: o.retryBackoffMaxMs },
      allowAutoTopicCreation: o.allowAutoTopicCreation,
      // KafkaJS sends nothing to a partition its metadata does not know (the dispatcher retries
      // it until KafkaJS knows it). KafkaJS refreshes only when its metadata is this old, while
      // our cache looks again at once for a partition it does not know: keep KafkaJS's age short
      // (a refresh is one small request, made only while producing).
      metadataMaxAge: Math.min(o.metadataMaxAgeMs, 30_000),
      idempotent: o.idempotent && !ownEncoder,
      ...(o.transactionalId !== undefined ? { maxInFlightRequests: 1, ...(ownEncoder ? {} : { transactionalId: o.transactionalId }) } : {}),
      transactionTimeout: o.transactionTimeoutMs,
    });
    const admin = (): Admin => this.kafka.admin({ retry: { retries: 2, initialRetryTime: o.retryBackoffMs } });
    if (ownEncoder) {
      assertKafkaJsInternals(this.kafka);
      const { client, cluster } = captureCluster(this.kafka, createClient);
      this.client = client;
      this.wire = encodedKafkaJsWire(this.kafka, client, admin(), cluster, {
        idempotent: o.idempotent,
        ...(o.transactionalId !== undefined ? { transactionalId: o.transactionalId } : {}),
        transactionTimeoutMs: o.transactionTimeoutMs,
      });
    } else {
      this.client = createClient();
      this.wire = wire ?? kafkaJsWire(this.client, admin());
    }
    this.shared = {
      options: o,
      monitor: this.monitor,
      // queued or in-flight messages keep the process alive until they are settled
      limits: new QueueLimits(o.queueMaxMessages, o.queueMaxBytes, o.id, (occupied) => {
        if (occupied) this.releaseQueueHold ??= this.handles.hold();
        else {
          this.releaseQueueHold?.();
          this.releaseQueueHold = undefined;
        }
      }),
      metadata: new PartitionMetadataCache(async () => {
        await this.connect();
        return this.wire.metadata;
      }, o.metadataMaxAgeMs, o.allowAutoTopicCreation ? (topic) => this.requestTopicCreation(topic) : undefined),
      partitioner: new Partitioner(),
    };
    this.pipeline = new DeliveryPipeline(this.shared, (request) => this.wire.sendBatch(request), this.wire.sendBatch.openEncoding);
    this.defaultSettings = this.settingsFor({});
    this.main = new ProducerVariant(() => this.pipeline, this.defaultSettings, this.monitor, this.id, this.plainGate);
  }

  get state(): ProducerState {
    return this.stateValue;
  }

  /** Messages queued (admitted, not yet acknowledged or failed), the application buffer excluded. */
  get queued(): number {
    return this.pipeline.queued;
  }

  /** Messages in the application buffer (buffer / bufferMany), waiting for a flush. */
  get bufferedCount(): number {
    return this.buffered.length;
  }

  /**
   * The underlying KafkaJS producer, for its instrumentation events only (e.g.
   * `producer.events.REQUEST`); sending through it bypasses everything this class guarantees. On
   * Decanter's record encoder (the default) it is built without idempotence or a transactional
   * id (network/encoded-wire.ts keeps those), so its own transaction() refuses to run.
   */
  get kafkaJsProducer(): KafkaJsProducer {
    return this.client;
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends ProducerEventName>(name: K, listener: ProducerEvents[K]): () => void {
    this.monitor.on(name, listener as never);
    return () => {
      this.monitor.off(name, listener as never);
    };
  }

  /** Connects (optional: produce connects lazily). Idempotent; fails after close(). */
  connect(): Promise<void> {
    if (this.stateValue === 'closed') return Promise.reject(new ProducerClosedError(this.id));
    this.connecting ??= (async () => {
      const start = performance.now();
      const release = this.handles.hold();
      try {
        await this.wire.connect();
      } catch (error) {
        this.connecting = undefined;
        throw error;
      } finally {
        release();
      }
      if (this.stateValue === 'pending') this.stateValue = 'connected';
      this.metadataRefresher ??= setInterval(() => this.shared.metadata.refreshStale(), Math.min(this.options.metadataMaxAgeMs, 60_000));
      this.metadataRefresher.unref();
      this.monitor.notify('producer.connected', { producerId: this.id, durationMs: performance.now() - start });
    })();
    return this.connecting;
  }

  produceSync(message: ProduceMessage): Promise<DeliveryReport> {
    return this.main.produceSync(message);
  }

  produceAsync(message: ProduceMessage): Promise<DeliveryHandle> {
    return this.main.produceAsync(message);
  }

  produceManySync(messages: readonly ProduceMessage[]): Promise<DeliveryReport[]> {
    return this.main.produceManySync(messages);
  }

  produceManyAsync(messages: readonly ProduceMessage[]): Promise<DeliveryHandle[]> {
    return this.main.produceManyAsync(messages);
  }

  /**
   * Adds a message to the application buffer; nothing is sent until flushSync/flushAsync (or
   * close). It is checked now (contract, message.max.bytes), so that one bad message cannot fail
   * a later flush of the others.
   */
  buffer(message: ProduceMessage): void {
    this.plainGate();
    this.pipeline.checkMessage(message);
    this.buffered.push(message);
    if (this.monitor.has('message.buffered')) {
      this.monitor.notify('message.buffered', { producerId: this.id, message, buffered: this.buffered.length });
    }
  }

  /** Adds messages to the application buffer, all or none: each is checked first, as in buffer(). */
  bufferMany(messages: readonly ProduceMessage[]): void {
    this.plainGate();
    for (const m of messages) this.pipeline.checkMessage(m);
    for (const m of messages) this.buffered.push(m);
    if (this.monitor.has('messages.buffered')) {
      this.monitor.notify('messages.buffered', { producerId: this.id, messages, buffered: this.buffered.length });
    }
  }

  /** Produces the buffer and resolves with the reports once all are acknowledged. */
  async flushSync(): Promise<DeliveryReport[]> {
    this.plainGate();
    return this.flushBuffer(true);
  }

  /** Queues the buffer and resolves with the handles once all are queued. */
  async flushAsync(): Promise<DeliveryHandle[]> {
    this.plainGate();
    return this.flushBuffer(false);
  }

  /** The produce API with other acks / compression / timeout, on the same connection. */
  variant(options: VariantOptions): ProducerVariant {
    return new ProducerVariant(() => this.pipeline, this.settingsFor(options, 'variant'), this.monitor, this.id, this.plainGate);
  }

  /**
   * Runs `work` in a Kafka transaction: commits when it resolves (after every message produced in
   * it is acknowledged), aborts when it throws (and rethrows). Transactions run one at a time.
   */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.options.transactionalId === undefined) {
      throw new TransactionError('TRANSACTION_REQUIRED', `Producer '${this.id}' has no kafka.transactional.id: it cannot run transactions`);
    }
    this.closedGate();
    const run = this.transactionChain.then(() => this.runTransaction(work));
    this.transactionChain = run.catch(() => undefined);
    return run;
  }

  /** Flushes the buffer and every queued message, waits for in-flight requests, then disconnects. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const release = this.handles.hold();
    try {
      await this.closeHeld();
    } finally {
      release();
    }
  }

  private async closeHeld(): Promise<void> {
    const start = performance.now();
    const wasConnected = this.connecting !== undefined;
    this.stateValue = 'closing';
    this.monitor.notify('producer.closing', { producerId: this.id });
    this.pipeline.hurry(); // nothing lingers any more: what is queued now, and the buffer, goes at once
    // Waits for room as long as it takes (the queue drains: every queued message is delivered or
    // times out), and buffer() checked every message, so all of them are queued; what rejects
    // here is a delivery failure, which is reported per message (error.occurred).
    if (this.buffered.length > 0) await this.flushBuffer(true, Infinity).catch(() => undefined);
    await this.transactionChain;
    await this.pipeline.drain();
    // Every message is settled. What may still run is requests whose messages all failed by their
    // deadline: disconnecting waits for those in flight (KafkaJS lets pending requests finish),
    // and nothing is retried any more (an idempotent producer's resends to resolve sequence
    // numbers end with its producer id).
    this.pipeline.stop();
    clearInterval(this.metadataRefresher);
    // Messages that timed out waiting for metadata may have left a connection attempt running
    // (KafkaJS retries it for ~10 s): it ends before the clients are disconnected, so that
    // nothing of this producer is left running after close().
    await this.connecting?.catch(() => undefined);
    if (wasConnected || this.connecting !== undefined) {
      await this.wire.disconnect();
    }
    this.stateValue = 'closed';
    this.monitor.notify('producer.closed', { producerId: this.id, durationMs: performance.now() - start });
  }

  private async flushBuffer(sync: true, maxWaitMs?: number): Promise<DeliveryReport[]>;
  private async flushBuffer(sync: false, maxWaitMs?: number): Promise<DeliveryHandle[]>;
  private async flushBuffer(sync: boolean, maxWaitMs?: number): Promise<DeliveryReport[] | DeliveryHandle[]> {
    const messages = this.buffered;
    this.buffered = [];
    const start = performance.now();
    let handles: DeliveryHandle[];
    let refused: { from: number; error: Error } | undefined;
    try {
      handles = await this.pipeline.queueMany(messages, this.defaultSettings, maxWaitMs, (from, error) => {
        // the queue filled up midway: the buffer keeps what found no room, in order
        this.buffered = messages.slice(from).concat(this.buffered);
        refused = { from, error };
      });
    } catch (error) {
      // nothing was queued (queueMany fails as a whole only then): the buffer keeps them, in order
      this.buffered = messages.concat(this.buffered);
      throw error;
    }
    if (refused !== undefined) {
      // What was queued goes (a sync flush waits for it); the call fails, saying what stays buffered.
      const queued = handles.slice(0, refused.from);
      if (sync) await Promise.allSettled(queued.map((h) => h.wait()));
      throw new QueueFullError(
        `${refused.error.message}; ${refused.from} of the ${messages.length} buffered messages were queued, the other ${messages.length - refused.from} stay in the buffer`,
        { producerId: this.id },
      );
    }
    if (!sync) {
      this.monitor.notify('buffer.flushed_async', { producerId: this.id, messages, durationMs: performance.now() - start });
      return handles;
    }
    const reports = await Promise.all(handles.map((h) => h.wait()));
    this.monitor.notify('buffer.flushed_sync', { producerId: this.id, messages, durationMs: performance.now() - start });
    return reports;
  }

  private async runTransaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    this.closedGate();
    const release = this.handles.hold(); // an open transaction keeps the process alive
    try {
      return await runTransaction(
        {
          producerId: this.id,
          shared: this.shared,
          settings: this.defaultSettings,
          monitor: this.monitor,
          options: this.options,
          begin: async () => {
            await this.connect();
            return this.wire.transaction();
          },
          setOpen: (open) => {
            this.inTransaction = open;
          },
        },
        work,
      );
    } finally {
      release();
    }
  }

  /**
   * An empty sendBatch makes the KafkaJS producer fetch the topic's metadata with auto-creation
   * allowed, and sends no Produce request (it has no messages to group).
   */
  private async requestTopicCreation(topic: string): Promise<void> {
    await this.wire.sendBatch({ acks: -1, timeout: this.options.requestTimeoutMs, compression: compressionType('none'), topicMessages: [{ topic, messages: [] }] });
  }

  private readonly closedGate = (): void => {
    if (this.stateValue === 'closing' || this.stateValue === 'closed') throw new ProducerClosedError(this.id);
  };

  /** Gate of produce outside transactions. */
  private readonly plainGate = (): void => {
    this.closedGate();
    if (this.options.transactionalId !== undefined) {
      throw new TransactionError(
        'TRANSACTION_REQUIRED',
        `Producer '${this.id}' is transactional (kafka.transactional.id): produce inside producer.transaction(...)` +
          (this.inTransaction ? ' through the transaction object it passes' : ''),
      );
    }
  };

  private settingsFor(options: VariantOptions, path = 'options'): VariantSettings {
    const issues: ConfigurationIssue[] = [];
    const o = this.options;
    const known = ['acks', 'compression', 'timeoutMs'];
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) {
        issues.push({ path: configPath(path, key), rule: unknownKeyRule(key, known, 'variant setting', { otherwise: ' (acks, compression, timeoutMs)' }), value: (options as Record<string, unknown>)[key] });
      }
    }
    const acks = options.acks === undefined ? o.acks : [0, 1, -1, 'all'].includes(options.acks) ? normaliseAcks(options.acks) : undefined;
    if (acks === undefined) issues.push({ path: `${path}.acks`, rule: "must be one of 0, 1, -1, 'all'", value: options.acks });
    else if (o.idempotent && acks !== -1) issues.push({ path: `${path}.acks`, rule: "must be -1 or 'all' on an idempotent producer", value: options.acks });
    const compression = options.compression ?? o.compression;
    if (!COMPRESSION_CODECS.includes(compression)) {
      issues.push({ path: `${path}.compression`, rule: `must be one of ${COMPRESSION_CODECS.join(', ')}`, value: compression });
    } else {
      const problem = ensureCodec(compression);
      if (problem) issues.push({ path: `${path}.compression`, rule: `'${compression}' ${problem}`, value: compression });
    }
    const timeoutMs = options.timeoutMs ?? o.messageTimeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) issues.push({ path: `${path}.timeoutMs`, rule: 'must be an integer >= 1', value: timeoutMs });
    if (issues.length > 0) throw new ConfigurationError(issues);
    const resolvedAcks = acks ?? o.acks;
    return Object.freeze({
      key: `${resolvedAcks}/${compression}/${timeoutMs}`,
      acks: resolvedAcks,
      compression,
      compressionType: compressionType(compression),
      timeoutMs,
      requestTimeoutMs: Math.min(o.requestTimeoutMs, timeoutMs),
    });
  }
}
