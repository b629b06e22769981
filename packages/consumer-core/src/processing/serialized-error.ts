// How an error crosses a thread boundary: worker → main in a job's result, main → worker in a
// producer-bridge reply. Structured clone keeps neither an error's class nor the symbol-keyed
// brands isDecanterError checks, so an error travels as plain data and the receiving side
// rebuilds it. It must stay plain, cloneable data, and it must never drop a Decanter error's
// code: the receiving side classifies by code, and users check the rebuilt error with
// isDecanterError / hasErrorCode.
import {
  ConsumerErrorCodes,
  DecanterConsumerError,
  DecanterError,
  isDecanterConsumerError,
  isDecanterError,
  type ConsumerErrorCode,
  type ErrorContext,
} from '../errors';

/** An error as it crosses between threads. `code`, `retriable` and `context` only for Decanter errors. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  retriable?: boolean;
  context?: ErrorContext;
  /** It was a consumer-core error (not the code alone: TRANSACTION_FAILED is also a producer code). */
  consumer?: boolean;
  /** The error's own `cause`, serialized the same way (a few levels deep at most). */
  cause?: SerializedError;
  /** RetryLaterError's delay (structured clone keeps Infinity). */
  delayMs?: number;
  /** The offset an UnrecoverableError named. */
  unrecoverableOffset?: number;
}

/** How many causes deep an error is carried: enough for "wrapper → producer error → KafkaJS error". */
const MAX_CAUSE_DEPTH = 3;

/** Turns anything thrown into cloneable data; a Decanter error keeps its code, retriable and context. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const out: SerializedError = { name: error.name, message: error.message };
  if (error.stack !== undefined) out.stack = error.stack;
  if (isDecanterError(error)) {
    out.code = error.code;
    out.retriable = error.retriable;
    // a copy of the known fields only: anything else a caller put in there may not clone
    out.context = pickContext(error.context);
    if (isDecanterConsumerError(error)) out.consumer = true;
    const { delayMs, offset } = error as { delayMs?: unknown; offset?: unknown };
    if (error.code === 'RETRY_LATER' && typeof delayMs === 'number') out.delayMs = delayMs;
    if (error.code === 'UNRECOVERABLE' && typeof offset === 'number') out.unrecoverableOffset = offset;
  }
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/**
 * Rebuilds an error on the receiving thread: a consumer-core error as a DecanterConsumerError,
 * another Decanter error as a DecanterError (both pass isDecanterError there), anything else as a
 * plain Error. The original class is not restored (the receiver may not have it); its name, code,
 * message, stack, retriable flag and context are.
 */
export function reviveError(serialized: SerializedError): Error {
  const { code } = serialized;
  const cause = serialized.cause === undefined ? {} : { cause: reviveError(serialized.cause) };
  let error: Error;
  if (code === undefined) {
    error = new Error(serialized.message, cause);
  } else {
    const options = { retriable: serialized.retriable ?? false, context: serialized.context ?? {}, ...cause };
    error =
      serialized.consumer === true && isConsumerCode(code)
        ? new DecanterConsumerError(code, serialized.message, options)
        : new DecanterError(code, serialized.message, options);
  }
  error.name = serialized.name;
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return error;
}

function isConsumerCode(code: string): code is ConsumerErrorCode {
  return (ConsumerErrorCodes as readonly string[]).includes(code);
}

const CONTEXT_KEYS = ['producerId', 'consumerGroup', 'subscriptionGroup', 'topic', 'partition', 'offset'] as const;

function pickContext(context: ErrorContext): ErrorContext {
  const out: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) if (context[key] !== undefined) out[key] = context[key];
  return out as ErrorContext;
}
