// The multiplexing benchmark's scaling run: an App with dynamic multiplexing (min 1, max 4, boot 1)
// on an 8-partition topic that lags (a pre-filled backlog, topped up while fewer than `max`
// connections run, so the lag never ends before the scaler could act), then drained and left idle
// until the scaler has stepped back down to `min`. Every message's value is a unique id; the
// consumer reports each id it processed, so duplicates and losses are counted, not estimated.
// Rebalances are the group's generations as connection 0 (never removed: the scaler removes the
// last connection) sees them: one `partitions.assigned` per rejoin. Every wait is bounded.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BroadcastChannel } from 'node:worker_threads';
import { App } from '@decanter/consumer-core';
import { multiplexing, type MultiplexingScaledEvent } from '@decanter/multiplexing';
import type { MuxLoad } from './mux-load';
import { progress, round } from './stats';

export interface MuxScalingSettings {
  brokers: string[];
  topic: string;
  partitions: number;
  consumer: { module: string; export: string };
  /** Messages per partition in the backlog before the App starts. */
  perPartition: number;
  /** The consumer's awaited work per message, ms (the worker threads read it from the environment). */
  workMs: number;
  min: number;
  max: number;
  scaleDelayMs: number;
  maxMessages: number;
  concurrency: number;
  concurrentJobsPerThread: number;
  /** While fewer than `max` connections run, keep at least this many produced messages unprocessed. */
  lagFloor: number;
  scaleUpTimeoutMs: number;
  drainTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface MuxScalingResult {
  /** App running → the step that reached `max`; null when it was not reached in time. */
  scaleUpSeconds: number | null;
  maxConnectionsReached: number;
  /** All produced messages processed → the step that reached `min`; null when not reached in time. */
  scaleDownSeconds: number | null;
  /** All produced messages processed → the first step down. */
  firstScaleDownSeconds: number | null;
  scaledDownTo: number;
  steps: string[];
  rebalances: number;
  assignments: number;
  partitionsMoved: number;
  produced: number;
  toppedUp: number;
  duplicated: number;
  lost: number;
  discardedReported: number;
  msgsPerSByConnections: Record<string, number>;
  drainSeconds: number | null;
  errors: number;
}

const MAX_IDS = 4_000_000;

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) return false;
    await sleep(50);
  }
  return true;
}

export async function runMuxScaling(s: MuxScalingSettings, load: MuxLoad): Promise<MuxScalingResult> {
  const seen = new Uint8Array(MAX_IDS);
  let produced = 0;
  let distinct = 0;
  const produceIds = async (count: number): Promise<void> => {
    const first = produced;
    if (first + count > MAX_IDS) throw new Error(`scaling run: more than ${MAX_IDS} ids`);
    produced += count;
    await load.fill(
      s.topic,
      Array.from({ length: count }, (_, i) => ({ partition: (first + i) % s.partitions, value: String(first + i) })),
    );
  };
  await produceIds(s.perPartition * s.partitions);
  const backlog = produced;
  progress(`scaling: ${backlog} messages of ${s.workMs} ms each in the backlog of ${s.partitions} partitions`);

  const channelName = `decanter-bench-mux-scaling-${process.pid}-${randomBytes(4).toString('hex')}`;
  process.env['BENCH_MUX_CHANNEL'] = channelName; // the App's worker threads inherit these
  process.env['BENCH_MUX_SCALE_WORK_MS'] = String(s.workMs);
  const channel = new BroadcastChannel(channelName);
  // throughput per connection count while lagging: messages processed and time spent at each count
  let connections = 1;
  let phaseFrom = performance.now();
  let draining = true;
  const processedAt = new Map<number, number>();
  const timeAt = new Map<number, number>();
  const closePhase = (): void => {
    const now = performance.now();
    if (draining) timeAt.set(connections, (timeAt.get(connections) ?? 0) + now - phaseFrom);
    phaseFrom = now;
  };
  channel.onmessage = (event: unknown) => {
    const ids = (event as { data: Float64Array }).data;
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= MAX_IDS) continue;
      if (seen[id] === 0) distinct += 1;
      if (seen[id]! < 255) seen[id] = seen[id]! + 1;
    }
    if (draining) processedAt.set(connections, (processedAt.get(connections) ?? 0) + ids.length);
  };

  const group = `bench-mux-scaling-${randomBytes(4).toString('hex')}`;
  const app = new App({
    id: 'bench-mux-scaling',
    kafka: { 'bootstrap.servers': s.brokers, 'group.id': group, 'fetch.wait.max.ms': 100, 'statistics.interval.ms': 0 },
    features: [multiplexing()],
    concurrency: s.concurrency,
    concurrentJobsPerThread: s.concurrentJobsPerThread,
    maxMessages: s.maxMessages,
    maxWaitTimeMs: 100,
    routes: [
      {
        consumerGroup: group,
        subscriptionGroups: {
          events: { multiplexing: { min: s.min, max: s.max, boot: 1, scaleDelayMs: s.scaleDelayMs } },
        },
        topics: [{ topic: s.topic, subscriptionGroup: 'events', consumer: s.consumer, deserializer: 'raw' }],
      },
    ],
  });
  let runningAt = 0;
  let idleAt: number | null = null;
  let maxAt: number | null = null;
  let minAt: number | null = null;
  let firstDownAt: number | null = null;
  let maxReached = 1;
  let assignments0 = 0;
  let assignments = 0;
  let moved = 0;
  let discarded = 0;
  let errors = 0;
  const steps: string[] = [];
  const ownerOf = new Map<number, number>();
  const since = (t: number): string => `${round((t - runningAt) / 1000, 1)} s`;
  const onStep = (direction: 'up' | 'down') => (e: MultiplexingScaledEvent) => {
    closePhase();
    connections = e.to;
    const now = performance.now();
    maxReached = Math.max(maxReached, e.to);
    if (direction === 'up' && e.to === s.max) maxAt ??= now;
    if (direction === 'down') {
      if (idleAt !== null) firstDownAt ??= now;
      if (e.to === s.min) minAt = now;
    }
    const line = `${e.from}→${e.to} ${e.reason} (connection ${e.connection}) at ${since(now)}, step took ${Math.round(e.durationMs)} ms`;
    steps.push(line);
    progress(`  scaling: ${line}; ${distinct}/${produced} processed`);
  };
  app.on('multiplexing.scaled_up', onStep('up'));
  app.on('multiplexing.scaled_down', onStep('down'));
  app.on('partitions.assigned', (e) => {
    const connection = e.connection ?? 0;
    assignments += 1;
    if (connection === 0) assignments0 += 1;
    for (const p of e.partitions) {
      const before = ownerOf.get(p.partition);
      if (before !== undefined && before !== connection) moved += 1;
      ownerOf.set(p.partition, connection);
    }
  });
  app.on('offsets.discarded', (e) => (discarded += e.messages));
  app.on('consumer.consumed', (e) => {
    if (!e.success) errors += 1;
  });
  app.on('error.occurred', (e) => {
    errors += 1;
    progress(`  scaling: ${e.type}: ${e.error.message}`);
  });

  await app.start();
  runningAt = performance.now();
  phaseFrom = runningAt;
  try {
    // lagging: top the backlog up until the scaler reached max (or gave up)
    const upEnd = runningAt + s.scaleUpTimeoutMs;
    while (connections < s.max && performance.now() < upEnd) {
      if (produced - distinct < s.lagFloor) await produceIds(s.lagFloor);
      await sleep(200);
    }
    if (connections < s.max) progress(`  scaling: still ${connections} connections after ${s.scaleUpTimeoutMs} ms`);
    // drain
    const drained = await until(() => distinct >= produced, s.drainTimeoutMs);
    closePhase();
    draining = false;
    if (drained) idleAt = performance.now();
    progress(
      `  scaling: ${distinct}/${produced} processed${drained ? ` at ${since(idleAt!)}` : ' (drain TIMED OUT)'}; waiting for the scaler to step down to ${s.min}`,
    );
    // idle: wait for the steps down
    await until(() => connections <= s.min, s.idleTimeoutMs);
  } finally {
    await app.stop();
    await sleep(500); // the last reports on the channel
    channel.close();
  }
  let duplicated = 0;
  let lost = 0;
  for (let id = 0; id < produced; id++) {
    const n = seen[id]!;
    if (n === 0) lost += 1;
    else duplicated += n - 1;
  }
  const msgsPerSByConnections: Record<string, number> = {};
  for (const [c, ms] of timeAt)
    if (ms > 0) msgsPerSByConnections[String(c)] = Math.round(((processedAt.get(c) ?? 0) / ms) * 1000);
  const secondsFrom = (from: number | null, to: number | null): number | null =>
    from === null || to === null ? null : round((to - from) / 1000, 1);
  return {
    scaleUpSeconds: secondsFrom(runningAt, maxAt),
    maxConnectionsReached: maxReached,
    scaleDownSeconds: secondsFrom(idleAt, minAt !== null && idleAt !== null && minAt >= idleAt ? minAt : null),
    firstScaleDownSeconds: secondsFrom(idleAt, firstDownAt),
    scaledDownTo: connections,
    steps,
    rebalances: Math.max(0, assignments0 - 1),
    assignments,
    partitionsMoved: moved,
    produced,
    toppedUp: produced - backlog,
    duplicated,
    lost,
    discardedReported: discarded,
    msgsPerSByConnections,
    drainSeconds: secondsFrom(runningAt, idleAt),
    errors,
  };
}
