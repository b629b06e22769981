// Benchmark consumer: spends ≈50 µs of hashing per message (cpuWork, the same function raw KafkaJS
// runs on its main thread in the same benchmark).
import { Consumer } from '@decanter/consumer-core';
import { cpuRoundsFromEnv, cpuWork } from './cpu-work';

export class CpuConsumer extends Consumer {
  readonly #rounds = cpuRoundsFromEnv();
  /** Keeps the results alive so the work cannot be optimised away. */
  checksum = 0;

  override consume(): void {
    for (const message of this.messages) this.checksum ^= cpuWork(message.raw, this.#rounds);
  }
}
