// Errors of @decanter/virtual-partitions: Decanter errors with a code of their own, joined to the
// registry hasErrorCode checks against.
import { DecanterError, type DecanterErrorOptions } from '@decanter/producer/errors';

export const VirtualPartitionsErrorCodes = ['PARTITIONER_FAILED'] as const;
export type VirtualPartitionsErrorCode = (typeof VirtualPartitionsErrorCodes)[number];

declare module '@decanter/producer/errors' {
  interface DecanterErrorCodes extends Record<VirtualPartitionsErrorCode, true> {}
}

/** A route's partitioner threw: the batch ran as one virtual partition. */
export class PartitionerFailedError extends DecanterError<VirtualPartitionsErrorCode> {
  constructor(message: string, options: DecanterErrorOptions = {}) {
    super('PARTITIONER_FAILED', message, { retriable: true, ...options });
  }
}
