// Benchmark consumer of the multiplexing benchmark's uneven-work runs: the heavy partition
// (BENCH_MUX_HEAVY_PARTITION, default 0) awaits BENCH_MUX_HEAVY_MS (default 200) per batch — a
// timer, IO-like, so the worker threads are never the limit — and every other partition does
// nothing but record, per message, (job start in the worker) − (message timestamp, set at the
// produce call): the same definition as consumer-latency's, and the part of it the job waited for
// a thread (processingLag). Samples ([timestamp, latency, lag] triples)
// go to the benchmark's main thread over the BroadcastChannel named in BENCH_MUX_CHANNEL (worker
// threads inherit the environment at App start). It must never block its thread: the heavy share
// of the poll has to leave the light partitions' jobs running beside it.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BroadcastChannel } from 'node:worker_threads';
import { Consumer } from '@decanter/consumer-core';

const HEAVY_PARTITION = Number(process.env['BENCH_MUX_HEAVY_PARTITION'] ?? 0);
const HEAVY_MS = Number(process.env['BENCH_MUX_HEAVY_MS'] ?? 200);

let channel: BroadcastChannel | undefined;

function report(samples: Float64Array): void {
  const name = process.env['BENCH_MUX_CHANNEL'];
  if (name === undefined) return;
  if (channel === undefined) {
    channel = new BroadcastChannel(name);
    (channel as unknown as { unref(): void }).unref();
  }
  channel.postMessage(samples);
}

export class MuxUnevenConsumer extends Consumer {
  override async consume(): Promise<void> {
    const startedAt = performance.timeOrigin + performance.now();
    if (this.partition === HEAVY_PARTITION) {
      await sleep(HEAVY_MS);
      return;
    }
    const samples = new Float64Array(this.messages.length * 3);
    const lag = this.messages.metadata.processingLag;
    let i = 0;
    for (const message of this.messages) {
      samples[i++] = message.timestamp;
      samples[i++] = startedAt - message.timestamp;
      samples[i++] = lag;
    }
    report(samples);
  }
}
