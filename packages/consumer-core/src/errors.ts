// The one error hierarchy of @decanter/consumer-core. Classify errors with the brand check
// `isDecanterConsumerError` rather than `instanceof`: a worker thread and the main thread (or two
// installed copies of this package) hold different class objects for the same error.

/** Every error code this package raises; `docs/consumer.md` lists each one. */
export const ConsumerErrorCodes = [
  'CONFIGURATION',
  'CONSUME_FAILED',
  'WORKER_FAILED',
  'COMMIT_FAILED',
  'LISTENER_CRASHED',
  'SHUTDOWN_TIMEOUT',
  'PRODUCER_UNAVAILABLE',
  'DEPENDENCY_MISSING',
  'DEAD_LETTER_FAILED',
  'PARTITION_REVOKED',
  'TRANSACTION_FAILED',
] as const;
export type ConsumerErrorCode = (typeof ConsumerErrorCodes)[number];

const BRAND = Symbol.for('decanter.consumer-core.error');

/** Where an error happened, when it is tied to Kafka data. */
export interface ErrorContext {
  consumerGroup?: string;
  subscriptionGroup?: string;
  topic?: string;
  partition?: number;
  offset?: number;
}

export interface DecanterConsumerErrorOptions {
  cause?: unknown;
  retriable?: boolean;
  context?: ErrorContext;
}

/** Base class of every error this package throws or reports. */
export class DecanterConsumerError extends Error {
  readonly code: ConsumerErrorCode;
  /** True when doing the same thing again later may succeed. */
  readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(code: ConsumerErrorCode, message: string, options: DecanterConsumerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DecanterConsumerError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Brand check that works across threads' and packages' copies of the class. */
export function isDecanterConsumerError(value: unknown): value is DecanterConsumerError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** One problem found by a contract: the full path of the key, the rule it breaks, and the value. */
export interface ConfigurationIssue {
  path: string;
  rule: string;
  value: unknown;
}

export function formatIssue(issue: ConfigurationIssue): string {
  return `${issue.path} ${issue.rule} (got ${describeValue(issue.value)})`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/** Options or routes that break the contract; `issues` lists every bad key at once. */
export class ConfigurationError extends DecanterConsumerError {
  readonly issues: readonly ConfigurationIssue[];

  constructor(issues: readonly ConfigurationIssue[]) {
    super(
      'CONFIGURATION',
      `Invalid consumer configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  - ${formatIssue(i)}`).join('\n'),
    );
    this.name = 'ConfigurationError';
    this.issues = Object.freeze([...issues]);
  }
}

/** A user's `consume()` threw; the partition is paused and retried from the first unmarked offset. */
export class ConsumeFailedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('CONSUME_FAILED', message, { retriable: true, ...options });
    this.name = 'ConsumeFailedError';
  }
}

/** A worker thread failed outside of user code (it died, or could not run the job). */
export class WorkerFailedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('WORKER_FAILED', message, { retriable: true, ...options });
    this.name = 'WorkerFailedError';
  }
}

/** Committing offsets to the group coordinator failed; they stay marked and are retried. */
export class CommitFailedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('COMMIT_FAILED', message, { retriable: true, ...options });
    this.name = 'CommitFailedError';
  }
}

/** The KafkaJS consumer of a subscription group crashed. */
export class ListenerCrashedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('LISTENER_CRASHED', message, { retriable: true, ...options });
    this.name = 'ListenerCrashedError';
  }
}

/** Running jobs did not finish within `shutdownTimeoutMs`. */
export class ShutdownTimeoutError extends DecanterConsumerError {
  constructor(message: string) {
    super('SHUTDOWN_TIMEOUT', message);
    this.name = 'ShutdownTimeoutError';
  }
}

/** `this.producer` was used but the app has no producer, or the producer call failed. */
export class ProducerUnavailableError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('PRODUCER_UNAVAILABLE', message, options);
    this.name = 'ProducerUnavailableError';
  }
}

/** The partition was lost in a rebalance: what was asked for it (a transaction's offsets) was not done. */
export class PartitionRevokedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('PARTITION_REVOKED', message, options);
    this.name = 'PartitionRevokedError';
  }
}

/** A consumer's transaction was aborted (nothing it produced is visible to read_committed readers, its offsets did not move). */
export class TransactionFailedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('TRANSACTION_FAILED', message, { retriable: true, ...options });
    this.name = 'TransactionFailedError';
  }
}

/** An optional peer dependency (ts-node) is needed but not installed. */
export class DependencyMissingError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('DEPENDENCY_MISSING', message, options);
    this.name = 'DependencyMissingError';
  }
}

/** Producing a message to its route's dead letter queue failed; the partition retries after the backoff and tries again. */
export class DeadLetterFailedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('DEAD_LETTER_FAILED', message, { retriable: true, ...options });
    this.name = 'DeadLetterFailedError';
  }
}
