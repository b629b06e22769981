// Benchmark consumer of the chaos run: waits BENCH_CHAOS_WORK_MS per batch (IO-like work), then
// appends "<partition> <offset> <pid> <ms since epoch>" for each message of the batch to BENCH_CHAOS_FILE in one
// synchronous write, before consume() returns — so before the framework may mark or commit the
// batch. Several processes append to the same file (O_APPEND: each write lands whole). The file is
// the outside record of what was processed, duplicates included.
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer } from '@decanter/consumer-core';

export class ChaosRecordingConsumer extends Consumer {
  readonly #file = process.env['BENCH_CHAOS_FILE'] ?? '';
  readonly #workMs = Number(process.env['BENCH_CHAOS_WORK_MS'] ?? '0');

  override async consume(): Promise<void> {
    if (this.#file === '') throw new Error('BENCH_CHAOS_FILE is not set');
    if (this.#workMs > 0) await sleep(this.#workMs);
    let lines = '';
    const at = Date.now();
    for (const message of this.messages) lines += `${message.partition} ${message.offset} ${process.pid} ${at}\n`;
    appendFileSync(this.#file, lines);
  }
}
