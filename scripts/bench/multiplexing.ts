// pnpm bench multiplexing: what several connections (KafkaJS consumers) for one subscription group
// buy, with raw KafkaJS on the same workload in the same run. Every run has its own topic and a
// fresh consumer group; every wait is bounded (BENCH_RUN_TIMEOUT_MS), so the benchmark ends by
// itself.
//   uneven   the guide's "uneven work" case: one subscription group, one topic of 4 partitions.
//            Partition 0 is heavy: each batch awaits BENCH_MUX_HEAVY_MS (200) of IO-like work (a
//            timer, so the 2-core machine's threads are not the limit), and it stays backlogged
//            (a pre-filled backlog larger than it can process in the run, plus a live stream);
//            partitions 1–3 carry a steady light stream (BENCH_MUX_LIGHT_RATE, 300 msg/s over the
//            three, no-op work). Light latency = (job start in the worker) − (message timestamp,
//            set at the produce call), per message, over the messages produced in the measuring
//            window (BENCH_MUX_SECONDS after BENCH_MUX_WARMUP_MS of warm-up, which starts once the
//            group's assignment is settled). Heavy throughput = heavy messages whose batch finished
//            in the window ÷ its length. Runs: the App with one connection (`single`), with
//            multiplexing { min: 4, max: 4 } (`multiplexed`: one partition per connection), and
//            raw KafkaJS eachBatch with partitionsConsumedConcurrently 4 (`kafkajs`, the heavy
//            batch cut to maxMessages so a batch means the same, maxBytesPerPartition 4 KiB so a
//            fetch carries about that much). Targets: light_p99_ms_multiplexed
//            ≤ 0.2 × light_p99_ms_single, and heavy_msgs_per_s_multiplexed ≥ heavy_msgs_per_s_single.
//   scaling  multiplexing { min: 1, max: 4, boot: 1, scaleDelayMs: BENCH_MUX_SCALE_DELAY_MS (3000) }
//            on an 8-partition topic with a backlog (BENCH_MUX_SCALE_PER_PARTITION, 2000, per
//            partition; each message BENCH_MUX_SCALE_WORK_MS, 5, of awaited work), topped up while
//            fewer than 4 connections run so it keeps lagging; then drained and left idle until
//            the scaler stepped back to 1. scale_up_seconds: App running → the step to 4;
//            rebalances: the group's rejoins (assignments of connection 0 after its first);
//            messages_duplicated_by_scaling: ids processed more than once (every message carries
//            a unique id); messages_lost_by_scaling must be 0; scale_down_seconds: everything
//            processed → the step back to 1.
// Both: concurrency 2, concurrentJobsPerThread 4, maxMessages BENCH_MUX_MAX_MESSAGES (100).
// The uneven runs poll with maxWaitTimeMs = fetch.wait.max.ms = BENCH_MUX_WAIT_MS (5, the latency
// benchmark's tuned setting; a light connection would otherwise wait out the default 1 s for 100
// messages); the scaling run with 100 ms. Other settings: defaults (heartbeat 3 s, session 45 s).
// Settings: BENCH_MUX_HEAVY_MS, BENCH_MUX_LIGHT_RATE, BENCH_MUX_HEAVY_RATE (live heavy stream, 50
// msg/s), BENCH_MUX_SECONDS (20), BENCH_MUX_WARMUP_MS (3000), BENCH_MUX_MAX_MESSAGES,
// BENCH_MUX_WAIT_MS, BENCH_MUX_SCALE_PER_PARTITION, BENCH_MUX_SCALE_WORK_MS,
// BENCH_MUX_SCALE_DELAY_MS, BENCH_MUX_SCALE_LAG_FLOOR (4000), BENCH_RUN_TIMEOUT_MS (120000, each
// bounded wait), BENCH_SCENARIOS (uneven,kafkajs,scaling or a subset), BENCH_MUX_DUMP (a path prefix:
// each uneven run's window samples, [timestamp, latency, thread wait], go to <prefix>-<run>.json).
// The light tail is sensitive to the machine's load (2 cores shared with the broker): the
// *_loadavg_1m and event_loop_delay_* fields say how busy it was.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BroadcastChannel } from 'node:worker_threads';
import { App } from '@decanter/consumer-core';
import { multiplexing } from '@decanter/multiplexing';
import { benchConsumerModule } from './lib/consumer-modules';
import { startKafkaJsUneven, type UnevenSink } from './lib/mux-kafkajs-uneven';
import { MuxLoad } from './lib/mux-load';
import { runMuxScaling, type MuxScalingResult } from './lib/mux-scaling';
import {
  benchBrokers,
  envNumber as env,
  printResult,
  progress,
  round,
  summarize,
  type LatencySummary,
} from './lib/stats';
import { withTopics } from './lib/topics';

const HEAVY_PARTITION = 0;
const PARTITIONS = 4;
const HEAVY_MS = env('BENCH_MUX_HEAVY_MS', 200);
const LIGHT_RATE = env('BENCH_MUX_LIGHT_RATE', 300);
const HEAVY_RATE = env('BENCH_MUX_HEAVY_RATE', 50);
const SECONDS = env('BENCH_MUX_SECONDS', 20);
const WARMUP_MS = env('BENCH_MUX_WARMUP_MS', 3_000);
const MAX_MESSAGES = env('BENCH_MUX_MAX_MESSAGES', 100);
const WAIT_MS = env('BENCH_MUX_WAIT_MS', 5);
const SCALE_PER_PARTITION = env('BENCH_MUX_SCALE_PER_PARTITION', 2_000);
const SCALE_WORK_MS = env('BENCH_MUX_SCALE_WORK_MS', 5);
const SCALE_DELAY_MS = env('BENCH_MUX_SCALE_DELAY_MS', 3_000);
const SCALE_LAG_FLOOR = env('BENCH_MUX_SCALE_LAG_FLOOR', 4_000);
const RUN_TIMEOUT_MS = env('BENCH_RUN_TIMEOUT_MS', 120_000);
const SCENARIOS = (process.env['BENCH_SCENARIOS'] ?? 'uneven,kafkajs,scaling').split(',').map((s) => s.trim());
const want = (scenario: string): boolean => SCENARIOS.includes(scenario);
const DUMP = process.env['BENCH_MUX_DUMP'];
const CONCURRENCY = 2;
const JOBS_PER_THREAD = 4;
// the most the heavy partition can take (maxMessages a batch): its backlog outlasts the run at that
const HEAVY_BACKLOG = Math.ceil(((MAX_MESSAGES * 1000) / HEAVY_MS) * (WARMUP_MS / 1000 + SECONDS + 15));
const LIGHT_PARTITIONS = Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => p !== HEAVY_PARTITION);

interface UnevenRun {
  name: string;
  light: LatencySummary;
  /** Of the light latency: the job's wait for a thread (ready → started), App runs only. */
  lightLag: LatencySummary;
  lightAll: LatencySummary;
  lightProduced: number;
  lightConsumed: number;
  heavyMsgsPerS: number;
  heavyMeanBatch: number;
  /** The heavy partition still had unprocessed messages when the window ended. */
  heavyBacklogged: boolean;
  rebalancesInWindow: number;
  /** The benchmark process's main thread (the App's listeners and poll loops): event-loop delay over the window, ms. */
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  layout: string;
  loadAvg: number;
}

/** A consumer under test: started with the sink its results go to; resolves once its assignment is settled. */
type StartConsumer = (
  sink: UnevenSink & { rebalanced(): void },
) => Promise<{ stop(): Promise<void>; layout(): string }>;

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

async function unevenRun(load: MuxLoad, topic: string, name: string, start: StartConsumer): Promise<UnevenRun> {
  // record batches of maxMessages: what one heavy batch takes (see mux-kafkajs-uneven.ts)
  await load.fill(
    topic,
    Array.from({ length: HEAVY_BACKLOG }, () => ({ partition: HEAVY_PARTITION, value: 'h' })),
    MAX_MESSAGES,
  );
  const light: Array<[number, number, number]> = [];
  let from = Number.POSITIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  let heavyInWindow = 0;
  let heavyBatches = 0;
  let heavyTotal = 0;
  let rebalancesInWindow = 0;
  const inWindow = (t: number): boolean => t >= from && t <= to;
  const consumer = await start({
    light: (timestamp, latency, lag = Number.NaN) => light.push([timestamp, latency, lag]),
    heavy: (messages) => {
      heavyTotal += messages;
      if (!inWindow(Date.now())) return;
      heavyInWindow += messages;
      heavyBatches += 1;
    },
    rebalanced: () => {
      if (inWindow(Date.now())) rebalancesInWindow += 1;
    },
  });
  let lightSent = 0;
  let heavyBacklogged = false;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  try {
    from = Date.now() + WARMUP_MS;
    to = from + SECONDS * 1000;
    setTimeout(() => loopDelay.enable(), WARMUP_MS).unref();
    progress(
      `${name}: ${HEAVY_BACKLOG} heavy messages backlogged; producing ${LIGHT_RATE} light msg/s + ${HEAVY_RATE} heavy msg/s for ${WARMUP_MS + SECONDS * 1000} ms (${consumer.layout()})`,
    );
    const [lightCount = 0, heavyCount = 0] = await load.steady(
      topic,
      [
        { rate: LIGHT_RATE, partitions: LIGHT_PARTITIONS, value: () => 'l' },
        { rate: HEAVY_RATE, partitions: [HEAVY_PARTITION], value: () => 'h' },
      ],
      to,
    );
    loopDelay.disable();
    lightSent = lightCount;
    heavyBacklogged = heavyTotal < HEAVY_BACKLOG + heavyCount;
    await until(() => light.length >= lightSent, 10_000);
  } finally {
    await consumer.stop();
  }
  const windowed = light.filter(([ts]) => inWindow(ts));
  const measured = summarize(windowed.map(([, latency]) => latency));
  if (DUMP !== undefined) writeFileSync(`${DUMP}-${name}.json`, JSON.stringify(windowed));
  const run: UnevenRun = {
    name,
    light: measured,
    lightLag: summarize(windowed.map(([, , lag]) => lag).filter((lag) => !Number.isNaN(lag))),
    lightAll: summarize(light.map(([, latency]) => latency)),
    lightProduced: lightSent,
    lightConsumed: light.length,
    heavyMsgsPerS: Math.round(heavyInWindow / SECONDS),
    heavyMeanBatch: heavyBatches === 0 ? 0 : heavyInWindow / heavyBatches,
    heavyBacklogged,
    rebalancesInWindow,
    eventLoopP99Ms: loopDelay.count === 0 ? 0 : loopDelay.percentile(99) / 1e6,
    eventLoopMaxMs: loopDelay.count === 0 ? 0 : loopDelay.max / 1e6,
    layout: consumer.layout(),
    loadAvg: round(loadavg()[0] ?? 0, 2),
  };
  progress(
    `${name.padEnd(12)} light p50 ${run.light.p50.toFixed(1)} p90 ${run.light.p90.toFixed(1)} p99 ${run.light.p99.toFixed(1)} max ${run.light.max.toFixed(1)} ms, of it waiting for a thread p99 ${run.lightLag.p99.toFixed(1)} ms ` +
      `(${run.light.count} in window, ${run.lightConsumed}/${run.lightProduced} consumed); heavy ${run.heavyMsgsPerS} msg/s, ${run.heavyMeanBatch.toFixed(1)} a batch` +
      `${run.heavyBacklogged ? '' : ' (RAN DRY)'}; ${run.rebalancesInWindow} rebalances in the window; main thread event-loop delay p99 ${run.eventLoopP99Ms.toFixed(1)} max ${run.eventLoopMaxMs.toFixed(1)} ms; load ${run.loadAvg}`,
  );
  return run;
}

/** The App on the uneven topic, with `connections` connections (1: the core's single connection). */
function appConsumer(brokers: string[], topic: string, connections: number): StartConsumer {
  return async (sink) => {
    const channelName = `decanter-bench-mux-${process.pid}-${randomBytes(4).toString('hex')}`;
    // the App's worker threads inherit these
    process.env['BENCH_MUX_CHANNEL'] = channelName;
    process.env['BENCH_MUX_HEAVY_PARTITION'] = String(HEAVY_PARTITION);
    process.env['BENCH_MUX_HEAVY_MS'] = String(HEAVY_MS);
    const channel = new BroadcastChannel(channelName);
    channel.onmessage = (event: unknown) => {
      const data = (event as { data: Float64Array }).data;
      for (let i = 0; i + 2 < data.length; i += 3) sink.light(data[i]!, data[i + 1]!, data[i + 2]!);
    };
    const group = `bench-mux-uneven-${connections}-${randomBytes(4).toString('hex')}`;
    const app = new App({
      id: `bench-mux-uneven-${connections}`,
      kafka: {
        'bootstrap.servers': brokers,
        'group.id': group,
        'fetch.wait.max.ms': WAIT_MS,
        'statistics.interval.ms': 0,
      },
      features: [multiplexing()],
      concurrency: CONCURRENCY,
      concurrentJobsPerThread: JOBS_PER_THREAD,
      maxMessages: MAX_MESSAGES,
      maxWaitTimeMs: WAIT_MS,
      routes: [
        {
          consumerGroup: group,
          ...(connections > 1
            ? { subscriptionGroups: { events: { multiplexing: { min: connections, max: connections } } } }
            : {}),
          topics: [
            {
              topic,
              subscriptionGroup: 'events',
              consumer: { module: benchConsumerModule('mux-uneven-consumer'), export: 'MuxUnevenConsumer' },
              deserializer: 'raw',
            },
          ],
        },
      ],
    });
    // each `partitions.assigned` carries one connection's whole assignment
    const held = new Map<number, number[]>();
    let lastAssignedAt = Date.now();
    app.on('partitions.assigned', (e) => {
      const connection = e.connection ?? 0;
      const mine = e.partitions.map((p) => p.partition);
      for (const [c, ps] of held)
        if (c !== connection)
          held.set(
            c,
            ps.filter((p) => !mine.includes(p)),
          );
      held.set(connection, mine);
      lastAssignedAt = Date.now();
      sink.rebalanced();
    });
    let failures = 0;
    app.on('consumer.consumed', (e) => {
      if (!e.success) failures += 1;
      else if (e.partition === HEAVY_PARTITION) sink.heavy(e.messages);
    });
    app.on('error.occurred', (e) => progress(`  ${connections} connection(s): ${e.type}: ${e.error.message}`));
    const layout = (): string =>
      [...held]
        .sort(([a], [b]) => a - b)
        .map(([c, ps]) => `connection ${c}: [${ps.join(',')}]`)
        .join('; ');
    // settled: every partition held, spread evenly over the connections, and no rejoin for 1 s
    const settled = (): boolean => {
      const counts = [...held.values()].map((ps) => ps.length).filter((n) => n > 0);
      return (
        counts.reduce((s, n) => s + n, 0) === PARTITIONS &&
        counts.length === connections &&
        Date.now() - lastAssignedAt >= 1_000
      );
    };
    await app.start();
    if (!(await until(settled, RUN_TIMEOUT_MS)))
      progress(`  ${connections} connection(s): assignment not settled: ${layout()}`);
    return {
      layout,
      async stop() {
        await app.stop();
        channel.close();
        if (failures > 0) throw new Error(`${connections} connection(s): ${failures} consume jobs failed`);
      },
    };
  };
}

function kafkajsConsumer(brokers: string[], topic: string): StartConsumer {
  return async (sink) => {
    const started = await startKafkaJsUneven(
      {
        brokers,
        topic,
        groupId: `bench-mux-kafkajs-${randomBytes(4).toString('hex')}`,
        heavyPartition: HEAVY_PARTITION,
        heavyMs: HEAVY_MS,
        maxMessages: MAX_MESSAGES,
        waitMs: WAIT_MS,
      },
      sink,
    );
    return { stop: () => started.stop(), layout: () => 'one KafkaJS consumer, partitionsConsumedConcurrently 4' };
  };
}

async function unevenScenario(
  brokers: string[],
  load: MuxLoad,
  topics: { single: string; multiplexed: string; kafkajs?: string },
) {
  const single = await unevenRun(load, topics.single, 'single', appConsumer(brokers, topics.single, 1));
  const multiplexed = await unevenRun(
    load,
    topics.multiplexed,
    'multiplexed',
    appConsumer(brokers, topics.multiplexed, PARTITIONS),
  );
  const kafkajs =
    topics.kafkajs === undefined
      ? undefined
      : await unevenRun(load, topics.kafkajs, 'kafkajs', kafkajsConsumer(brokers, topics.kafkajs));
  const runs = [single, multiplexed, ...(kafkajs === undefined ? [] : [kafkajs])];
  for (const r of runs)
    if (r.lightConsumed < r.lightProduced)
      progress(`WARNING ${r.name}: consumed ${r.lightConsumed} of ${r.lightProduced} light messages`);
  return {
    light_p50_ms_single: round(single.light.p50, 1),
    light_p99_ms_single: round(single.light.p99, 1),
    light_p50_ms_multiplexed: round(multiplexed.light.p50, 1),
    light_p99_ms_multiplexed: round(multiplexed.light.p99, 1),
    heavy_msgs_per_s_single: single.heavyMsgsPerS,
    heavy_msgs_per_s_multiplexed: multiplexed.heavyMsgsPerS,
    light_p99_ratio_multiplexed_to_single: round(multiplexed.light.p99 / single.light.p99, 3),
    light_p99_target_met: multiplexed.light.p99 <= 0.2 * single.light.p99,
    heavy_target_met: multiplexed.heavyMsgsPerS >= single.heavyMsgsPerS,
    light_max_ms_single: round(single.light.max, 1),
    light_max_ms_multiplexed: round(multiplexed.light.max, 1),
    // where a multiplexed tail comes from: waiting for a worker thread, or the main thread (listeners, poll loops) being late
    light_p99_thread_wait_ms_multiplexed: round(multiplexed.lightLag.p99, 1),
    event_loop_delay_p99_ms: runs.map((r) => round(r.eventLoopP99Ms, 1)).join('/'),
    event_loop_delay_max_ms: runs.map((r) => round(r.eventLoopMaxMs, 1)).join('/'),
    // why the heavy partition differs: its share of a poll (maxMessages shared with the light partitions on one connection)
    heavy_mean_batch_single: round(single.heavyMeanBatch, 1),
    heavy_mean_batch_multiplexed: round(multiplexed.heavyMeanBatch, 1),
    kafkajs_light_p50_ms: kafkajs === undefined ? null : round(kafkajs.light.p50, 1),
    kafkajs_light_p99_ms: kafkajs === undefined ? null : round(kafkajs.light.p99, 1),
    kafkajs_heavy_msgs_per_s: kafkajs === undefined ? null : kafkajs.heavyMsgsPerS,
    light_p99_ratio_multiplexed_to_kafkajs:
      kafkajs === undefined ? null : round(multiplexed.light.p99 / kafkajs.light.p99, 3),
    light_samples: runs.map((r) => r.light.count).join('/'),
    light_lost: runs.reduce((s, r) => s + Math.max(0, r.lightProduced - r.lightConsumed), 0),
    heavy_backlogged_throughout: runs.every((r) => r.heavyBacklogged),
    rebalances_in_window: runs.map((r) => r.rebalancesInWindow).join('/'),
    multiplexed_layout: multiplexed.layout,
    uneven_loadavg_1m: runs.map((r) => r.loadAvg).join('/'),
  };
}

async function scalingScenario(brokers: string[], load: MuxLoad, topic: string) {
  const r: MuxScalingResult = await runMuxScaling(
    {
      brokers,
      topic,
      partitions: 8,
      consumer: { module: benchConsumerModule('mux-scaling-consumer'), export: 'MuxScalingConsumer' },
      perPartition: SCALE_PER_PARTITION,
      workMs: SCALE_WORK_MS,
      min: 1,
      max: 4,
      scaleDelayMs: SCALE_DELAY_MS,
      maxMessages: MAX_MESSAGES,
      concurrency: CONCURRENCY,
      concurrentJobsPerThread: JOBS_PER_THREAD,
      lagFloor: SCALE_LAG_FLOOR,
      scaleUpTimeoutMs: RUN_TIMEOUT_MS,
      drainTimeoutMs: RUN_TIMEOUT_MS,
      idleTimeoutMs: RUN_TIMEOUT_MS,
    },
    load,
  );
  progress(
    `scaling: reached ${r.maxConnectionsReached} connections${r.scaleUpSeconds === null ? '' : ` in ${r.scaleUpSeconds} s`}; ${r.rebalances} rebalances, ` +
      `${r.partitionsMoved} partitions moved; ${r.duplicated} duplicated (${r.discardedReported} reported discarded), ${r.lost} lost of ${r.produced}; ` +
      `down to ${r.scaledDownTo}${r.scaleDownSeconds === null ? '' : ` ${r.scaleDownSeconds} s after idle`}`,
  );
  return {
    scale_up_seconds: r.scaleUpSeconds,
    rebalances: r.rebalances,
    messages_duplicated_by_scaling: r.duplicated,
    messages_lost_by_scaling: r.lost,
    scaled_down_to: r.scaledDownTo,
    scale_down_seconds: r.scaleDownSeconds,
    first_scale_down_seconds: r.firstScaleDownSeconds,
    scaling_max_connections_reached: r.maxConnectionsReached,
    scaling_steps: r.steps.join('; '),
    scaling_partitions_moved: r.partitionsMoved,
    scaling_discarded_reported: r.discardedReported,
    scaling_msgs_per_s_by_connections: r.msgsPerSByConnections,
    scaling_drain_seconds: r.drainSeconds,
    scaling_messages: r.produced,
    scaling_topped_up: r.toppedUp,
    scaling_errors: r.errors,
    scaling_target_met: r.maxConnectionsReached === 4 && r.scaledDownTo < 4 && r.lost === 0,
  };
}

async function main(): Promise<void> {
  const brokers = benchBrokers();
  const specs = [
    ...(want('uneven')
      ? [
          { prefix: 'mux-single', partitions: PARTITIONS },
          { prefix: 'mux-multiplexed', partitions: PARTITIONS },
        ]
      : []),
    ...(want('uneven') && want('kafkajs') ? [{ prefix: 'mux-kafkajs', partitions: PARTITIONS }] : []),
    ...(want('scaling') ? [{ prefix: 'mux-scaling', partitions: 8 }] : []),
  ];
  const load = new MuxLoad(brokers);
  try {
    await withTopics(brokers, specs, async (topics) => {
      const topicOf = (prefix: string): string | undefined => topics[specs.findIndex((s) => s.prefix === prefix)];
      const uneven = want('uneven')
        ? await unevenScenario(brokers, load, {
            single: topicOf('mux-single')!,
            multiplexed: topicOf('mux-multiplexed')!,
            ...(want('kafkajs') ? { kafkajs: topicOf('mux-kafkajs')! } : {}),
          })
        : {};
      const scaling = want('scaling') ? await scalingScenario(brokers, load, topicOf('mux-scaling')!) : {};
      printResult({
        ...uneven,
        ...scaling,
        heavy_ms_per_batch: HEAVY_MS,
        light_msgs_per_s: LIGHT_RATE,
        seconds: SECONDS,
        max_messages: MAX_MESSAGES,
        wait_ms: WAIT_MS,
        concurrency: CONCURRENCY,
        concurrent_jobs_per_thread: JOBS_PER_THREAD,
        scenarios: SCENARIOS.join(','),
        loadavg_1m: round(loadavg()[0] ?? 0, 2),
      });
    });
  } finally {
    await load.disconnect();
    if (load.errors > 0) progress(`WARNING ${load.errors} messages failed to produce`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
