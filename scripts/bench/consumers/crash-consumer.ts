// Benchmark consumer for the virtual partitions crash-cost run: each message's value is a number
// of milliseconds to wait; once waited, its offset is appended (synchronously, so a SIGKILL a
// moment later cannot lose the line) to the file named by BENCH_VP_CRASH_FILE. The file is the
// record of what was processed, duplicates included.
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer } from '@decanter/consumer-core';

export class CrashRecordingConsumer extends Consumer {
  readonly #file = process.env['BENCH_VP_CRASH_FILE'] ?? '';

  override async consume(): Promise<void> {
    if (this.#file === '') throw new Error('BENCH_VP_CRASH_FILE is not set');
    for (const message of this.messages) {
      const ms = Number(message.raw?.toString() ?? 0);
      if (ms > 0) await sleep(ms);
      appendFileSync(this.#file, `${message.offset}\n`);
    }
  }
}
