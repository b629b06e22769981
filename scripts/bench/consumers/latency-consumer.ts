// Benchmark consumer of consumer-latency: for every message, the time from its Kafka timestamp
// (set by the producer at produce time) to the moment this job started in the worker — the same
// clock and definition as the framework's `consumptionLatencyMs`, but per message rather than per
// batch — and the part of it the job spent waiting for a thread (`processingLag`), so a tail can be
// told apart as "before the batch was ready" or "after". Samples ([timestamp, latency, lag] triples) go back to the benchmark's main thread over the BroadcastChannel named in
// BENCH_LATENCY_CHANNEL (worker threads inherit the environment).
import { BroadcastChannel } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { Consumer } from '@decanter/consumer-core';

let channel: BroadcastChannel | undefined;

function report(samples: Float64Array): void {
  const name = process.env['BENCH_LATENCY_CHANNEL'];
  if (name === undefined) return;
  if (channel === undefined) {
    channel = new BroadcastChannel(name);
    (channel as unknown as { unref(): void }).unref();
  }
  channel.postMessage(samples);
}

export class LatencyConsumer extends Consumer {
  override consume(): void {
    const startedAt = performance.timeOrigin + performance.now();
    // triples: [timestamp, latency, processing lag] so the benchmark can keep the messages of its measuring window
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
