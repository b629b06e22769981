// The errors of @decanter/consumer-core: DecanterErrors (the one hierarchy, based in
// @decanter/producer) with a code from ConsumerErrorCodes. Classify with the brand checks —
// `isDecanterError` for any Decanter error, `isDecanterConsumerError` for this package's only —
// never `instanceof`: a worker thread and the main thread (or two installed copies of a package)
// hold different class objects for the same error.
// Imports '@decanter/producer/errors', not the package entry: worker threads load this file, and
// must not pay for loading KafkaJS and the producer to throw an error.
import { DecanterError, formatIssue, type ConfigurationIssue, type DecanterErrorOptions, type ErrorContext } from '@decanter/producer/errors';

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
  'UNRECOVERABLE',
  'RETRY_LATER',
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

/** Node's timers hold at most 2^31 - 1 ms (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;
/** The rule every pause length follows (Consumer.pause, RetryLaterError). */
export const PAUSE_TIMEOUT_RULE = `must be a number of ms from 0 to ${MAX_TIMER_MS}, or Infinity (until resume())`;

export function isPauseTimeout(ms: unknown): ms is number {
  return typeof ms === 'number' && (ms === Infinity || (ms >= 0 && ms <= MAX_TIMER_MS));
}

/** A Kafka offset a consumer may name (pause, seek, UnrecoverableError): an integer >= 0. */
export function isMessageOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

// Control-flow errors: thrown by user code in consume() to steer the framework, like BullMQ's
// UnrecoverableError and DelayedError. They cross from the worker thread by their code (and
// RetryLaterError's delay), so a subclass of either steers the same way.

/**
 * Throw from `consume()` when no retry can fix a message (a schema it will never parse, a
 * reference that does not exist). With a `deadLetterQueue` on the route the message goes there
 * at once, whatever `maxRetries` says, is marked, and consumption goes on after it. Which message:
 * `offset` when given (naming it says the messages before it in the batch are done, as
 * `markAsConsumed` would), else the batch's first unmarked one. An `offset` outside the batch, or
 * already marked, and a route without a dead letter queue, make it an ordinary failure, retried
 * after the backoff: nothing is ever skipped silently.
 */
export class UnrecoverableError extends DecanterConsumerError {
  /** The message no retry can fix, when the consumer named it. */
  readonly offset: number | undefined;

  constructor(message: string, options: { offset?: number; cause?: unknown; context?: ErrorContext } = {}) {
    const { offset, ...rest } = options;
    if (offset !== undefined && !isMessageOffset(offset)) {
      throw new TypeError(`UnrecoverableError: offset must be the offset of a message of this batch, an integer >= 0 (got ${String(offset)})`);
    }
    // Not in `context`: a context offset is a common tag on errors, and reading it as "this
    // message, and the ones before it are done" could commit past messages never processed.
    super('UNRECOVERABLE', message, { ...rest, retriable: false });
    this.offset = offset;
  }
}

/**
 * Throw from `consume()` when the batch cannot be processed now but should be later (a downstream
 * service rate-limits you, a dependency is in maintenance): the partition pauses for `delayMs`
 * and restarts from its first unmarked message. It is not a failure: `this.attempt` and the
 * dead letter queue's count do not move, and nothing is reported on `error.occurred`.
 * Messages marked before the throw stay marked. `Infinity` pauses until `resume()` from
 * `tick()` or `eofed()`. Like any pause it ends with a rebalance (the partition restarts from
 * its committed offset).
 */
export class RetryLaterError extends DecanterConsumerError {
  /** How long the partition pauses before the retry, ms (Infinity: until resume()). */
  readonly delayMs: number;

  constructor(delayMs: number, message?: string, options: Omit<DecanterConsumerErrorOptions, 'retriable'> = {}) {
    if (!isPauseTimeout(delayMs)) throw new TypeError(`RetryLaterError: delayMs ${PAUSE_TIMEOUT_RULE} (got ${String(delayMs)})`);
    super('RETRY_LATER', message ?? `Retry in ${delayMs} ms`, { ...options, retriable: true });
    this.delayMs = delayMs;
  }
}
