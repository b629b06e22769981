// What a job carries so that code in a worker thread can tell whether its partition is still
// owned, without a message round trip: a slot of the main thread's ownership board (shared
// memory) and the epoch the job was dispatched under. The Consumer class reads it
// (markAsConsumed, isRevoked); processing/ownership-board.ts writes it. Lives beside the Consumer
// so the public class does not reach into the processing internals.

/** What a job carries so its worker can tell whether the partition is still owned. */
export interface PartitionLease {
  /** Shared memory of the board (shared with the worker, not copied). */
  readonly buffer: SharedArrayBuffer;
  readonly index: number;
  /** Epoch the job was dispatched under. */
  readonly epoch: number;
}

/** True while the partition of `lease` is still owned under the lease's epoch (any thread). */
export function leaseHolds(lease: PartitionLease | undefined): boolean {
  if (lease === undefined) return true; // no board (the in-process testing kit decides itself)
  return Atomics.load(new Int32Array(lease.buffer), lease.index) === lease.epoch;
}
