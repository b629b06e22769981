// The one error hierarchy of Decanter. Every error any Decanter package throws, rejects with or
// reports is a DecanterError: a `code` from its package's `as const` list, a `retriable` flag,
// the original failure as ES2022 `cause`, and a context. The base lives here, in the package every
// other one depends on; @decanter/consumer-core builds its errors on it, so one brand check
// classifies them all. Classify with isDecanterError / hasErrorCode (a brand), never instanceof:
// two copies of a package, or a worker thread and the main thread, hold different class objects.

// Symbol.for, not Symbol(): every copy of this module (other installs, worker threads) must see
// the same key. Never give this brand a second name — errors of another package would stop
// being recognised.
const BRAND = Symbol.for('decanter.error');

export const PRODUCER_ERROR_CODES = [
  'CONFIGURATION_INVALID',
  'MESSAGE_INVALID',
  'MESSAGE_TOO_LARGE',
  'QUEUE_FULL',
  'DELIVERY_FAILED',
  'DELIVERY_TIMED_OUT',
  'PRODUCER_CLOSED',
  'TRANSACTION_REQUIRED',
  'TRANSACTION_FAILED',
] as const;
export type ProducerErrorCode = (typeof PRODUCER_ERROR_CODES)[number];

/**
 * The error codes of every Decanter package a program is compiled with, as keys. The producer's
 * are here; each other package adds its own by declaration merging
 * (`declare module '@decanter/producer/errors' { interface DecanterErrorCodes ... }`), so
 * hasErrorCode accepts exactly the codes that can occur and a misspelt one does not compile.
 */
export interface DecanterErrorCodes extends Record<ProducerErrorCode, true> {}
export type DecanterErrorCode = keyof DecanterErrorCodes;

/** Where an error happened, as far as it is known; each package fills in the fields it knows. */
export interface ErrorContext {
  producerId?: string;
  consumerGroup?: string;
  subscriptionGroup?: string;
  topic?: string;
  partition?: number;
  offset?: number;
}

export interface DecanterErrorOptions {
  cause?: unknown;
  retriable?: boolean;
  context?: ErrorContext;
}

/**
 * Base class of every Decanter error. `Code` is the closed union of the package that raises it
 * (`DecanterError<ProducerErrorCode>`, `DecanterError<ConsumerErrorCode>`); a plain
 * `DecanterError` is any of them.
 */
export class DecanterError<Code extends string = string> extends Error {
  readonly code: Code;
  /** True when trying the same thing again later may succeed. */
  readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(code: Code, message: string, options: DecanterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
    // non-enumerable: the brand is for isDecanterError, not for logs, JSON or test equality
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any Decanter error of any package, whichever copy of the package created it. */
export function isDecanterError(error: unknown): error is DecanterError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * True when `error` is a Decanter error with the given code, of any package compiled in
 * (DecanterErrorCodes): consumer-core's codes work once it is imported.
 */
export function hasErrorCode<Code extends DecanterErrorCode>(error: unknown, code: Code): error is DecanterError<Code> {
  return isDecanterError(error) && error.code === code;
}

/** One rule an option broke. */
export interface ConfigurationIssue {
  /**
   * Full path of the key, as the JavaScript expression that reads it from the options object:
   * identifiers after a dot, other keys bracket-quoted (`kafka['batch.size']`, `options.maxMessages`,
   * `routes[0].topics[0].kafka['fetch.min.bytes']`). Built with configPath.
   */
  path: string;
  /** What the value must be. */
  rule: string;
  value: unknown;
}

/** Every bad key of an options object at once, each with its path, rule and value. */
export class ConfigurationError extends DecanterError<ProducerErrorCode> {
  readonly issues: readonly ConfigurationIssue[];
  constructor(issues: readonly ConfigurationIssue[]) {
    super(
      'CONFIGURATION_INVALID',
      `Invalid producer configuration:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
    );
    this.issues = issues;
  }
}

/** `path rule (got value)`: one line of a ConfigurationError message, the same in every package. */
export function formatIssue(issue: ConfigurationIssue): string {
  return `${issue.path} ${issue.rule} (got ${describeValue(issue.value)})`;
}

// Short and unambiguous: a string stays quoted (so "1" and 1 differ), numbers keep NaN/Infinity
// (JSON would print null), a function is not dumped as its source, long values are cut.
function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object' && typeof value !== 'string') return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value); // circular
  }
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A message that breaks the message contract (bad topic, payload type, partition, ...). */
export class MessageInvalidError extends DecanterError<ProducerErrorCode> {
  constructor(message: string, context?: ErrorContext) {
    super('MESSAGE_INVALID', message, context ? { context } : {});
  }
}

/** A message larger than `message.max.bytes`, rejected before it is sent. */
export class MessageTooLargeError extends DecanterError<ProducerErrorCode> {
  readonly sizeBytes: number;
  readonly limitBytes: number;
  constructor(sizeBytes: number, limitBytes: number, context?: ErrorContext) {
    super(
      'MESSAGE_TOO_LARGE',
      `Message of ${sizeBytes} bytes exceeds message.max.bytes (${limitBytes} bytes)` +
        (context?.topic ? ` for topic '${context.topic}'` : ''),
      context ? { context } : {},
    );
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** The local queue stayed full (queue.buffering.max.messages / .kbytes) for maxWaitTimeoutMs. */
export class QueueFullError extends DecanterError<ProducerErrorCode> {
  constructor(message: string, context?: ErrorContext) {
    super('QUEUE_FULL', message, { retriable: true, ...(context ? { context } : {}) });
  }
}

export interface DeliveryErrorOptions extends DecanterErrorOptions {
  /** See DeliveryError.possiblyPersisted; default false. */
  possiblyPersisted?: boolean;
}

/** The broker refused the message for good, or retries ran out of message.timeout.ms. */
export class DeliveryError extends DecanterError<ProducerErrorCode> {
  /**
   * True when the message is reported failed but the broker may still have written it: a
   * request carrying it was sent and no answer said it was not written (it was in flight when
   * the delivery timeout passed, the connection was lost mid-request, the request timed out, or
   * the broker timed out waiting for replicas). librdkafka reports these with
   * `RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED`. Producing it again may write it twice. False: it
   * was certainly not written (never sent, or refused by the broker).
   */
  readonly possiblyPersisted: boolean;

  constructor(code: 'DELIVERY_FAILED' | 'DELIVERY_TIMED_OUT', message: string, options: DeliveryErrorOptions) {
    super(code, message, options);
    this.possiblyPersisted = options.possiblyPersisted ?? false;
  }
}

/** Produce after close() began, or a transaction on a closed producer. */
export class ProducerClosedError extends DecanterError<ProducerErrorCode> {
  constructor(producerId: string) {
    super('PRODUCER_CLOSED', `Producer '${producerId}' is closed: it accepts no more messages`, {
      context: { producerId },
    });
  }
}

/** A transaction failed and was aborted (cause = what failed), or a transactional call was misused. */
export class TransactionError extends DecanterError<ProducerErrorCode> {
  constructor(code: 'TRANSACTION_REQUIRED' | 'TRANSACTION_FAILED', message: string, options: DecanterErrorOptions = {}) {
    super(code, message, options);
  }
}
