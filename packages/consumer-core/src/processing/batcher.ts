// One poll of a subscription group: hands out up to `maxMessages`, or whatever arrived within
// `maxWaitTimeMs`; with `enable.partition.eof` it returns as soon as a partition with buffered
// messages reached its end. Never waits longer than `maxWaitTimeMs` per poll.
import type { PrefetchBuffer, TakenBatch } from '../connection/prefetch-buffer';

export interface BatcherOptions {
  maxMessages: number;
  maxWaitTimeMs: number;
  enablePartitionEof: boolean;
}

export class Batcher {
  #stopped = false;

  constructor(
    private readonly buffer: PrefetchBuffer,
    private readonly options: BatcherOptions,
  ) {}

  /** Makes a running poll return at once (with what is buffered). */
  stop(): void {
    this.#stopped = true;
    this.buffer.interrupt();
  }

  async poll(): Promise<TakenBatch[]> {
    const deadline = Date.now() + this.options.maxWaitTimeMs;
    for (;;) {
      if (this.buffer.count >= this.options.maxMessages) break;
      if (this.options.enablePartitionEof && this.buffer.hasEofPartition()) break;
      const left = deadline - Date.now();
      if (left <= 0 || this.#stopped) break;
      await this.buffer.waitForChange(left);
    }
    if (this.#stopped) return [];
    return this.buffer.take(this.options.maxMessages);
  }
}
