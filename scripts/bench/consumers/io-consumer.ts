// Benchmark consumer for IO-bound work: each message's value is a number of milliseconds, awaited
// as a timer (the stand-in for a database or HTTP call), one message after the other within its
// batch — under virtual partitions, within its share, so per-key order holds. 0 waits not at all.
import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer } from '@decanter/consumer-core';

export class IoConsumer extends Consumer {
  override async consume(): Promise<void> {
    for (const message of this.messages) {
      const ms = Number(message.raw?.toString() ?? 0);
      if (ms > 0) await sleep(ms);
    }
  }
}
