// The producer's error hierarchy. Every error it throws or rejects with is a DecanterError with a
// code from PRODUCER_ERROR_CODES, a `retriable` flag and the original failure as ES2022 `cause`.
// Classify with isDecanterError / hasErrorCode (a brand), never instanceof: two copies of the
// package can live in one process.

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

/** Where an error happened, as far as it is known. */
export interface ErrorContext {
  producerId?: string;
  topic?: string;
  partition?: number;
}

export interface DecanterErrorOptions {
  cause?: unknown;
  retriable?: boolean;
  context?: ErrorContext;
}

export class DecanterError extends Error {
  readonly [BRAND] = true;
  readonly code: ProducerErrorCode;
  /** True when trying the same thing again later may succeed. */
  readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(code: ProducerErrorCode, message: string, options: DecanterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

/** True for any Decanter error, whichever copy of the package created it. */
export function isDecanterError(error: unknown): error is DecanterError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** True when `error` is a Decanter error with the given code. */
export function hasErrorCode(error: unknown, code: ProducerErrorCode): error is DecanterError {
  return isDecanterError(error) && error.code === code;
}

/** One rule an option broke. */
export interface ConfigurationIssue {
  /** Full path of the key, e.g. `kafka.batch.size` reads `kafka['batch.size']`. */
  path: string;
  /** What the value must be. */
  rule: string;
  value: unknown;
}

/** Every bad key of an options object at once, each with its path, rule and value. */
export class ConfigurationError extends DecanterError {
  readonly issues: readonly ConfigurationIssue[];
  constructor(issues: readonly ConfigurationIssue[]) {
    super(
      'CONFIGURATION_INVALID',
      `Invalid producer configuration:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
    );
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigurationIssue): string {
  return `${issue.path} ${issue.rule} (got ${describeValue(issue.value)})`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A message that breaks the message contract (bad topic, payload type, partition, ...). */
export class MessageInvalidError extends DecanterError {
  constructor(message: string, context?: ErrorContext) {
    super('MESSAGE_INVALID', message, context ? { context } : {});
  }
}

/** A message larger than `message.max.bytes`, rejected before it is sent. */
export class MessageTooLargeError extends DecanterError {
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
export class QueueFullError extends DecanterError {
  constructor(message: string, context?: ErrorContext) {
    super('QUEUE_FULL', message, { retriable: true, ...(context ? { context } : {}) });
  }
}

/** The broker refused the message for good, or retries ran out of message.timeout.ms. */
export class DeliveryError extends DecanterError {
  constructor(code: 'DELIVERY_FAILED' | 'DELIVERY_TIMED_OUT', message: string, options: DecanterErrorOptions) {
    super(code, message, options);
  }
}

/** Produce after close() began, or a transaction on a closed producer. */
export class ProducerClosedError extends DecanterError {
  constructor(producerId: string) {
    super('PRODUCER_CLOSED', `Producer '${producerId}' is closed: it accepts no more messages`, {
      context: { producerId },
    });
  }
}

/** A transaction failed and was aborted (cause = what failed), or a transactional call was misused. */
export class TransactionError extends DecanterError {
  constructor(code: 'TRANSACTION_REQUIRED' | 'TRANSACTION_FAILED', message: string, options: DecanterErrorOptions = {}) {
    super(code, message, options);
  }
}
