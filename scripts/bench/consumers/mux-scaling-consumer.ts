// Benchmark consumer of the multiplexing benchmark's scaling run: every message's value is its
// unique id (a decimal integer); each message awaits BENCH_MUX_SCALE_WORK_MS (default 5) of
// IO-like work (a timer), one after the other within its batch, and once the batch is done the
// ids go to the benchmark's main thread over the BroadcastChannel named in BENCH_MUX_CHANNEL, so
// it can count every id processed more than once (duplicates) or never (losses). It reports only
// what it really processed: an id is sent after its work, never before.
import { setTimeout as sleep } from 'node:timers/promises';
import { BroadcastChannel } from 'node:worker_threads';
import { Consumer } from '@decanter/consumer-core';

const WORK_MS = Number(process.env['BENCH_MUX_SCALE_WORK_MS'] ?? 5);

let channel: BroadcastChannel | undefined;

function report(ids: Float64Array): void {
  const name = process.env['BENCH_MUX_CHANNEL'];
  if (name === undefined) return;
  if (channel === undefined) {
    channel = new BroadcastChannel(name);
    (channel as unknown as { unref(): void }).unref();
  }
  channel.postMessage(ids);
}

export class MuxScalingConsumer extends Consumer {
  override async consume(): Promise<void> {
    const ids = new Float64Array(this.messages.length);
    let i = 0;
    for (const message of this.messages) {
      if (WORK_MS > 0) await sleep(WORK_MS);
      ids[i++] = Number(message.raw?.toString() ?? -1);
    }
    report(ids);
  }
}
