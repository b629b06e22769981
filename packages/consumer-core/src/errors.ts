// The errors of @decanter/consumer-core: DecanterErrors (the one hierarchy, based in
// @decanter/producer) with a code from ConsumerErrorCodes. Classify with the brand checks —
// `isDecanterError` for any Decanter error, `isDecanterConsumerError` for this package's only —
// never `instanceof`: a worker thread and the main thread (or two installed copies of a package)
// hold different class objects for the same error.
// Imports '@decanter/producer/errors', not the package entry: worker threads load this file, and
// must not pay for loading KafkaJS and the producer to throw an error.
import { DecanterError, formatIssue, type ConfigurationIssue, type DecanterErrorOptions } from '@decanter/producer/errors';

// re-exported so code that only uses this package classifies without importing the producer
export { DecanterError, formatIssue, hasErrorCode, isDecanterError } from '@decanter/producer/errors';
export type { ConfigurationIssue, DecanterErrorCode, DecanterErrorCodes, ErrorContext } from '@decanter/producer/errors';

/** Every error code this package raises; `docs/errors.md` and `docs/consumer.md` list each one. */
export const ConsumerErrorCodes = [
  'CONFIGURATION_INVALID',
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

// This package's codes join the registry hasErrorCode checks against.
declare module '@decanter/producer/errors' {
  interface DecanterErrorCodes extends Record<ConsumerErrorCode, true> {}
}

// A second, narrower brand beside DecanterError's own: it tells this package's errors from the
// producer's (both are DecanterErrors). Symbol.for so every copy and thread shares it.
const CONSUMER_BRAND = Symbol.for('decanter.consumer-core.error');

export type DecanterConsumerErrorOptions = DecanterErrorOptions;

/** Base class of every error this package throws or reports (`name` is the class's, as DecanterError sets it). */
export class DecanterConsumerError extends DecanterError<ConsumerErrorCode> {
  constructor(code: ConsumerErrorCode, message: string, options: DecanterConsumerErrorOptions = {}) {
    super(code, message, options);
    Object.defineProperty(this, CONSUMER_BRAND, { value: true });
  }
}

/** True for errors of this package only (any copy, any thread); `isDecanterError` for any Decanter error. */
export function isDecanterConsumerError(value: unknown): value is DecanterConsumerError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CONSUMER_BRAND] === true;
}

/** Options or routes that break the contract; `issues` lists every bad key at once. */
export class ConfigurationError extends DecanterConsumerError {
  readonly issues: readonly ConfigurationIssue[];

  constructor(issues: readonly ConfigurationIssue[]) {
    super(
      'CONFIGURATION_INVALID',
      `Invalid consumer configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  - ${formatIssue(i)}`).join('\n'),
    );
    this.issues = Object.freeze([...issues]);
  }
}

/** A user's `consume()` threw; the partition is paused and retried from the first unmarked offset. */
export class ConsumeFailedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('CONSUME_FAILED', message, { retriable: true, ...options });
  }
}

/** A worker thread failed outside of user code (it died, or could not run the job). */
export class WorkerFailedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('WORKER_FAILED', message, { retriable: true, ...options });
  }
}

/** Committing offsets to the group coordinator failed; they stay marked and are retried. */
export class CommitFailedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('COMMIT_FAILED', message, { retriable: true, ...options });
  }
}

/** The KafkaJS consumer of a subscription group crashed. */
export class ListenerCrashedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('LISTENER_CRASHED', message, { retriable: true, ...options });
  }
}

/** Running jobs did not finish within `shutdownTimeoutMs`. */
export class ShutdownTimeoutError extends DecanterConsumerError {
  constructor(message: string) {
    super('SHUTDOWN_TIMEOUT', message);
  }
}

/** `this.producer` was used but the app has no producer, or the producer call failed. */
export class ProducerUnavailableError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('PRODUCER_UNAVAILABLE', message, options);
  }
}

/** The partition was lost in a rebalance: what was asked for it (a transaction's offsets) was not done. */
export class PartitionRevokedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('PARTITION_REVOKED', message, options);
  }
}

/** A consumer's transaction was aborted (nothing it produced is visible to read_committed readers, its offsets did not move). */
export class TransactionFailedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('TRANSACTION_FAILED', message, { retriable: true, ...options });
  }
}

/** An optional peer dependency (ts-node) is needed but not installed. */
export class DependencyMissingError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('DEPENDENCY_MISSING', message, options);
  }
}

/** Producing a message to its route's dead letter queue failed; the partition retries after the backoff and tries again. */
export class DeadLetterFailedError extends DecanterConsumerError {
  constructor(message: string, options: DecanterConsumerErrorOptions = {}) {
    super('DEAD_LETTER_FAILED', message, { retriable: true, ...options });
  }
}
