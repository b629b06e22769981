// Every event an App emits, with its payload. Dotted names in timed pairs (`x.y` before, `x.y-ed`
// after, the latter with `durationMs`); failures go through the single `error.occurred` event
// with a `type`. docs/consumer.md lists them all.

/** Where an event happened. */
export interface GroupScope {
  consumerGroup: string;
  subscriptionGroup: string;
  /** Which of the subscription group's connections (KafkaJS consumers): 0 unless a feature (multiplexing) plans several. */
  connection?: number;
}

export interface PartitionScope extends GroupScope {
  topic: string;
  partition: number;
}

/** `quieting` → `quiet`: quiet mode (no new work, group membership kept); `stop()` goes on from either. */
export type AppState = 'pending' | 'starting' | 'running' | 'quieting' | 'quiet' | 'stopping' | 'stopped';

export interface StateChangedEvent {
  from: AppState;
  to: AppState;
}

export interface BatchReceivedEvent extends PartitionScope {
  messages: number;
  bytes: number;
  firstOffset: number;
  lastOffset: number;
  highWatermark: number;
  /** Bytes in the subscription group's prefetch buffer after this batch. */
  bufferedBytes: number;
}

export interface BufferHoldEvent extends GroupScope {
  bufferedBytes: number;
  limitBytes: number;
}

export interface BufferHeldEvent extends BufferHoldEvent {
  durationMs: number;
}

export type PollEvent = GroupScope;

export interface PolledEvent extends GroupScope {
  messages: number;
  partitions: number;
  durationMs: number;
}

export interface ConsumeEvent extends PartitionScope {
  /** Class name of the consumer (its export name). */
  consumer: string;
  messages: number;
  firstOffset: number;
  lastOffset: number;
  /** Worker lane the job runs on (stable per partition). */
  lane: number;
}

export interface ConsumedEvent extends ConsumeEvent {
  /** Time spent in the worker (consume() and its bookkeeping), ms. */
  durationMs: number;
  /** Job ready → job started in the worker, ms. */
  processingLatencyMs: number;
  /** Job start − timestamp of the last message, ms (Karafka's consumption lag). */
  consumptionLatencyMs: number;
  /** Job start − timestamp of the first (oldest) message, ms. */
  maxConsumptionLatencyMs: number;
  /** Worker thread id that ran the job. */
  threadId: number;
  /** Next offset to commit after this job, or null when nothing was marked. */
  markedOffset: number | null;
  /** False when consume() threw (an `error.occurred` follows). */
  success: boolean;
}

export interface OffsetEntry {
  topic: string;
  partition: number;
  /** The next offset to read (last processed + 1). */
  offset: number;
  /** Commit metadata the partition's strategy writes (virtual partitions: what was processed ahead); absent when none. */
  metadata?: string;
}

export interface CommitEvent extends GroupScope {
  offsets: OffsetEntry[];
  /** `scaling`: before a connection of the consumer group is added or removed (multiplexing). */
  reason: 'interval' | 'rebalance' | 'shutdown' | 'scaling';
}

export interface CommittedEvent extends CommitEvent {
  durationMs: number;
}

export interface PartitionsEvent extends GroupScope {
  partitions: Array<{ topic: string; partition: number }>;
}

export interface PartitionPausedEvent extends PartitionScope {
  /** Where consumption restarts. */
  offset: number;
  /** How long the partition stays paused, ms (Infinity: until the consumer calls resume()). */
  timeoutMs: number;
  /**
   * `error`: a failed job's retry backoff; `request`: the consumer's pause/seek; `dlq`: skipping a
   * message sent to the DLQ; `retry`: the consumer threw a RetryLaterError; `isolation`: the dead
   * letter queue is isolating a failing message, so the job took a part of the poll and the rest
   * is fetched again from `offset` (0 ms).
   */
  reason: 'error' | 'request' | 'dlq' | 'retry' | 'isolation';
  /** Failures in a row of this partition (0 unless reason is `error` or `retry`). */
  attempt: number;
}

export interface DeadLetterEvent extends PartitionScope {
  /** Offset of the message sent to the DLQ. */
  offset: number;
  /** The DLQ topic. */
  deadLetterTopic: string;
  /** Runs of the message that failed (1 + maxRetries). */
  attempts: number;
  /** Name of the error class the last run threw. */
  errorClass: string;
  /**
   * How the message was found when its batch failed without saying which message failed; null
   * when it was known (the first unmarked message of a consumer that marks, the one an
   * UnrecoverableError named, the only one of its job, or a manualOffsetManagement route).
   */
  isolation: DeadLetterIsolation | null;
}

/** The search that isolated a dead-lettered message from the batch that failed (see docs/consumer.md). */
export interface DeadLetterIsolation {
  /** The failing batch, from its first unmarked message: first and last offset, and its messages. */
  firstOffset: number;
  lastOffset: number;
  messages: number;
  /** Jobs the isolation ran on parts of the batch until the message was sent (its own runs alone included). */
  jobs: number;
}

export interface DeadLetteredEvent extends DeadLetterEvent {
  /** Where the DLQ copy landed. */
  deadLetterPartition: number;
  deadLetterOffset: string | null;
  durationMs: number;
}

export interface HookEvent extends PartitionScope {
  hook: 'eofed' | 'tick';
  consumer: string;
}

export interface HookedEvent extends HookEvent {
  durationMs: number;
  success: boolean;
}

/**
 * Messages of a partition this process lost in a rebalance that it processed but could not
 * commit: the next owner starts from the committed offset and processes them again. The sum over
 * the group's processes is the number of duplicates a rebalance causes.
 */
export interface OffsetsDiscardedEvent extends PartitionScope {
  /** First processed offset that was not committed. */
  fromOffset: number;
  /** Next offset after the last processed one (exclusive). */
  toOffset: number;
  /** Processed messages in [fromOffset, toOffset). */
  messages: number;
  /** `revoked`: marked but not yet committed when the partition was lost; `finished-after-revocation`: a job that was running then. */
  reason: 'revoked' | 'finished-after-revocation';
}

/** Rebalance figures of a subscription group since the app started. */
export interface RebalanceStatistics {
  /** Assignments received (each eager rebalance ends in one). */
  rebalances: number;
  /** Messages reported in `offsets.discarded` (duplicates this process caused by losing partitions). */
  discardedMessages: number;
  /** Messages KafkaJS fetched again after a rejoin that this process had already processed, skipped. */
  skippedMessages: number;
}

/** What partition strategies add to a partition's statistics (declaration merging; see PartitionStrategy.statistics). */
export interface PartitionStatisticsExtensions {}

export interface PartitionStatistics extends PartitionStatisticsExtensions {
  topic: string;
  partition: number;
  /** High watermark − committed offset (or the next offset to fetch before a first commit). */
  lag: number;
  /** High watermark − next offset to fetch. */
  fetchLag: number;
  highWatermark: number | null;
  fetchPosition: number | null;
  markedOffset: number | null;
  committedOffset: number | null;
  bufferedMessages: number;
}

export interface StatisticsEvent {
  /** One entry per connection of each subscription group (its `connection` says which). */
  subscriptionGroups: Array<GroupScope & RebalanceStatistics & { bufferedBytes: number; partitions: PartitionStatistics[] }>;
  /** Bytes in every connection's prefetch buffer together: the app's prefetch memory (each connection is bounded by its own queued.max.messages.kbytes). */
  bufferedBytes: number;
}

export type ErrorType =
  | 'consumer.consume.error'
  | 'consumer.revoked.error'
  | 'consumer.shutdown.error'
  | 'consumer.eofed.error'
  | 'consumer.tick.error'
  | 'consumer.seek.error'
  | 'dlq.dispatch.error'
  | 'worker.error'
  | 'poll.error'
  | 'listener.crash'
  | 'offsets.commit.error'
  | 'app.stop.error'
  | 'instrumentation.listener.error'
  | keyof ErrorTypeExtensions;

/** Types of error.occurred that features add (declaration merging: `'my_feature.error': true`). */
export interface ErrorTypeExtensions {}

export interface ErrorOccurredEvent extends Partial<PartitionScope> {
  type: ErrorType;
  error: Error;
  offset?: number;
}

export interface FeatureWarningEvent extends GroupScope {
  /** The feature's name. */
  feature: string;
  message: string;
  topic?: string;
  partition?: number;
}

/** The App's event map (eventemitter3); features add their own events by declaration merging. */
export interface AppEvents {
  /** The app moved to a new lifecycle state. */
  'app.state.changed': (event: StateChangedEvent) => void;
  /** A fetched batch was taken into a prefetch buffer. */
  'listener.batch.received': (event: BatchReceivedEvent) => void;
  /** The prefetch buffer is full: KafkaJS is held (heartbeating) until there is room. */
  'listener.buffer.hold': (event: BufferHoldEvent) => void;
  /** The hold ended. */
  'listener.buffer.held': (event: BufferHeldEvent) => void;
  /** A subscription group's poll began. */
  'poll.started': (event: PollEvent) => void;
  /** The poll handed out messages (never fired for an empty poll). */
  'poll.completed': (event: PolledEvent) => void;
  /** A consume job was handed to its worker lane. */
  'consumer.consume': (event: ConsumeEvent) => void;
  /** A consume job finished (successfully or not). */
  'consumer.consumed': (event: ConsumedEvent) => void;
  'offsets.commit': (event: CommitEvent) => void;
  'offsets.committed': (event: CommittedEvent) => void;
  'partitions.assigned': (event: PartitionsEvent) => void;
  'partitions.revoked': (event: PartitionsEvent) => void;
  /** Processed offsets of a lost partition that could not be committed: the next owner processes them again. */
  'offsets.discarded': (event: OffsetsDiscardedEvent) => void;
  /** A partition was paused (after an error or a consumer's pause/seek). */
  'partition.paused': (event: PartitionPausedEvent) => void;
  'partition.resumed': (event: PartitionPausedEvent) => void;
  /** A message that kept failing is being produced to its route's dead letter queue. */
  'dlq.dispatch': (event: DeadLetterEvent) => void;
  /** It was produced and marked; the partition goes on after it. */
  'dlq.dispatched': (event: DeadLetteredEvent) => void;
  /** An `eofed()` or `tick()` hook job was handed to its lane. */
  'consumer.hook': (event: HookEvent) => void;
  /** The hook job finished. */
  'consumer.hooked': (event: HookedEvent) => void;
  /** The KafkaJS consumer crashed for good and Decanter started it again (from committed offsets). */
  'listener.restarted': (event: GroupScope) => void;
  /** Periodic lag and buffer figures (kafka['statistics.interval.ms']). */
  'statistics.emitted': (event: StatisticsEvent) => void;
  /** A feature noticed something an operator should know (e.g. virtual partitions that stay skewed); the logger prints it as a warning. */
  'feature.warning': (event: FeatureWarningEvent) => void;
  /** Any failure, with a `type`. */
  'error.occurred': (event: ErrorOccurredEvent) => void;
}
