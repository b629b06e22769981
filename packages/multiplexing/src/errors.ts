// Errors of @decanter/multiplexing: Decanter errors with a code of their own, joined to the
// registry hasErrorCode checks against.
import { DecanterError, type DecanterErrorOptions } from '@decanter/producer/errors';

export const MultiplexingErrorCodes = ['SCALING_STEP_FAILED'] as const;
export type MultiplexingErrorCode = (typeof MultiplexingErrorCodes)[number];

declare module '@decanter/producer/errors' {
  interface DecanterErrorCodes extends Record<MultiplexingErrorCode, true> {}
}

/** A step of dynamic multiplexing failed (the new connection could not join, for example); the underlying error is its `cause`. */
export class ScalingStepFailedError extends DecanterError<MultiplexingErrorCode> {
  constructor(message: string, options: DecanterErrorOptions = {}) {
    super('SCALING_STEP_FAILED', message, { retriable: true, ...options });
  }
}
