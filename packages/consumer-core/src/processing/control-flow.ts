// What a consume() that threw asks of the framework: a control-flow error (UnrecoverableError,
// RetryLaterError, or a subclass of either) steers its partition; anything else is a failure to
// retry. Read from the error as it crossed from the worker thread, by code, since the class does
// not survive the crossing.
import { isMessageOffset, isPauseTimeout } from '../errors';
import type { SerializedError } from './serialized-error';

export type ControlFlow =
  /** Not a failure: pause the partition for `delayMs` and restart at its first unmarked message. */
  | { readonly kind: 'retry-later'; readonly delayMs: number }
  /** A failure no retry fixes: the route's dead letter queue takes the message now (`offset`, or the first unmarked one). */
  | { readonly kind: 'unrecoverable'; readonly offset: number | null }
  /** An ordinary failure: count it, back off, retry (or DLQ after maxRetries). */
  | { readonly kind: 'failure' };

const FAILURE: ControlFlow = { kind: 'failure' };

export function controlFlowOf(error: SerializedError): ControlFlow {
  if (error.consumer !== true) return FAILURE;
  if (error.code === 'UNRECOVERABLE') {
    const offset = error.unrecoverableOffset;
    if (offset === undefined) return { kind: 'unrecoverable', offset: null };
    // the constructor refuses a bad offset; one that got here anyway steers nothing
    return isMessageOffset(offset) ? { kind: 'unrecoverable', offset } : FAILURE;
  }
  // the constructor checked the delay; this check is for one that reached us some other way
  if (error.code === 'RETRY_LATER' && isPauseTimeout(error.delayMs)) return { kind: 'retry-later', delayMs: error.delayMs };
  return FAILURE;
}
