// Which partitions this process owns right now, in memory the worker threads can read without a
// message round trip: one Int32 slot per partition in a SharedArrayBuffer, holding the epoch of
// the current ownership (0 = not owned). The main thread writes it; a worker compares it with the
// epoch its job was dispatched under, so `markAsConsumed` can answer false the moment the
// partition is lost, even while consume() is still running. Never holds anything but epochs.

import type { PartitionLease } from '../partition-lease';

export { leaseHolds, type PartitionLease } from '../partition-lease';

const SLOTS_PER_CHUNK = 1024;

export class OwnershipBoard {
  readonly #chunks: Int32Array[] = [];
  readonly #slots = new Map<string, { chunk: number; index: number }>();

  /** Records that `key` is owned under `epoch` (> 0). */
  own(key: string, epoch: number): void {
    const slot = this.#slot(key);
    Atomics.store(this.#chunks[slot.chunk]!, slot.index, epoch);
  }

  /** Records that `key` is no longer owned: leases handed out for it stop holding. */
  release(key: string): void {
    const slot = this.#slots.get(key);
    if (slot !== undefined) Atomics.store(this.#chunks[slot.chunk]!, slot.index, 0);
  }

  /** A lease on `key` under `epoch`, for a job. */
  lease(key: string, epoch: number): PartitionLease {
    const slot = this.#slot(key);
    return { buffer: this.#chunks[slot.chunk]!.buffer as SharedArrayBuffer, index: slot.index, epoch };
  }

  #slot(key: string): { chunk: number; index: number } {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      const n = this.#slots.size;
      const chunk = Math.floor(n / SLOTS_PER_CHUNK);
      if (chunk === this.#chunks.length) this.#chunks.push(new Int32Array(new SharedArrayBuffer(SLOTS_PER_CHUNK * 4)));
      slot = { chunk, index: n % SLOTS_PER_CHUNK };
      this.#slots.set(key, slot);
    }
    return slot;
  }
}
