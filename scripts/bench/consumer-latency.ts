// pnpm bench consumer-latency: end-to-end consumption latency at a steady rate. For each config a
// fresh topic gets BENCH_RATE (default 1,000) msg/s for BENCH_SECONDS (default 20 s), produced
// through @decanter/producer, while a Decanter App consumes it with LatencyConsumer, which records
// for every message (job start in the worker) − (message timestamp, set by the producer at the
// produce call): the framework's `consumptionLatencyMs` definition, per message. Messages produced
// in the first second (warm-up) and the last 1.5 s (cool-down) are not counted in the *_p50/_p99
// figures; *_p99_all_ms counts every message.
//   tuned    producer linger 0 (`queue.buffering.max.ms: 0`); App `max_wait_time` 5 ms with
//            `fetch.wait.max.ms` 5 to match (BENCH_TUNED_WAIT_MS), everything else default
//   eof      (extra) tuned + `enable.partition.eof: true`
//   default  producer and App with their defaults (linger 5 ms; max_wait_time 1000 ms,
//            fetch.wait.max.ms 500, max_messages 100, concurrency 5)
// Kafka timestamps have 1 ms resolution (the producer floors Date.now()), so each sample can read
// up to 1 ms high. Target (issue 4): tuned p99 under 20 ms.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { BroadcastChannel } from 'node:worker_threads';
import { App, type AppOptions } from '@decanter/consumer-core';
import { Producer, type ProducerKafkaSettings } from '@decanter/producer';
import { benchConsumerModule } from './lib/consumer-modules';
import { benchBrokers, envNumber as env, printResult, progress, round, summarize, type LatencySummary } from './lib/stats';
import { withTopics } from './lib/topics';

const RATE = env('BENCH_RATE', 1_000);
const SECONDS = env('BENCH_SECONDS', 20);
const WARMUP_MS = 1_000;
// The last messages of a finite run wait for a max_wait_time that no steady stream would make them
// wait (the default config's last poll sits up to 1 s for messages that never come): messages
// produced in the final COOLDOWN_MS are consumed and checked but not part of the steady-state figures.
const COOLDOWN_MS = 1_500;
const PARTITIONS = env('BENCH_PARTITIONS', 2);
const TUNED_WAIT_MS = env('BENCH_TUNED_WAIT_MS', 5);
const MESSAGE_BYTES = 100;

interface Scenario {
  name: 'tuned' | 'default' | 'eof';
  producer: ProducerKafkaSettings;
  app: Omit<AppOptions, 'kafka' | 'routes'> & { kafka: Partial<AppOptions['kafka']> };
}

const allScenarios: Scenario[] = [
  {
    name: 'tuned',
    producer: { 'queue.buffering.max.ms': 0 },
    app: { maxWaitTimeMs: TUNED_WAIT_MS, kafka: { 'fetch.wait.max.ms': TUNED_WAIT_MS } },
  },
  { name: 'default', producer: {}, app: { kafka: {} } },
  // extra: the tuned config plus enable.partition.eof, which hands a batch out as soon as a
  // partition's end is reached instead of waiting out max_wait_time (skip with BENCH_LATENCY_EOF=0)
  {
    name: 'eof',
    producer: { 'queue.buffering.max.ms': 0 },
    app: { maxWaitTimeMs: TUNED_WAIT_MS, kafka: { 'fetch.wait.max.ms': TUNED_WAIT_MS, 'enable.partition.eof': true } },
  },
];
const scenarios = allScenarios.filter((s) => s.name !== 'eof' || process.env['BENCH_LATENCY_EOF'] !== '0');

interface ScenarioResult {
  name: string;
  produced: number;
  consumed: number;
  /** Messages of the measuring window. */
  perMessage: LatencySummary;
  /** Every message, warm-up and cool-down included. */
  perMessageAll: LatencySummary;
  /** The framework's own per-batch figure from `consumer.consumed` (job start − last message timestamp). */
  eventLatency: LatencySummary;
  batches: number;
  meanBatch: number;
  /** 1-minute load average at the end of the scenario (2 cores: above 2 means contention). */
  loadAvg: number;
  produceErrors: number;
}

/** Produces `RATE` msg/s for `SECONDS` s, spreading sends over the timeline (no bursts per second). */
async function produceSteadily(producer: Producer, topic: string): Promise<{ produced: number; errors: number }> {
  const payload = Buffer.alloc(MESSAGE_BYTES, 'l');
  const total = Math.round(RATE * SECONDS);
  const started = performance.now();
  let produced = 0;
  let errors = 0;
  const pending: Array<Promise<unknown>> = [];
  while (produced < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE) + 1);
    for (; produced < due; produced += 1) {
      pending.push(
        producer
          .produceAsync({ topic, payload })
          .then((handle) => handle.wait())
          .catch(() => (errors += 1)),
      );
    }
    if (pending.length > 5_000) await Promise.all(pending.splice(0));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  return { produced, errors };
}

async function runScenario(brokers: string[], topic: string, scenario: Scenario): Promise<ScenarioResult> {
  const channelName = `decanter-bench-latency-${process.pid}-${randomBytes(4).toString('hex')}`;
  process.env['BENCH_LATENCY_CHANNEL'] = channelName; // the App's worker threads inherit it
  // [timestamp, latency] of every message, and of every batch's last message from the events
  const samples: Array<[number, number]> = [];
  // [timestamp, processing lag (batch ready -> job started)] of every message
  const lagSamples: Array<[number, number]> = [];
  const eventSamples: Array<[number, number]> = [];
  let consumed = 0;
  const channel = new BroadcastChannel(channelName);
  channel.onmessage = (event: unknown) => {
    const data = (event as { data: Float64Array }).data;
    for (let i = 0; i + 2 < data.length; i += 3) {
      samples.push([data[i] as number, data[i + 1] as number]);
      lagSamples.push([data[i] as number, data[i + 2] as number]);
    }
    consumed += data.length / 3;
  };

  const producer = new Producer({
    id: `bench-latency-${scenario.name}`,
    kafka: { 'bootstrap.servers': brokers.join(','), ...scenario.producer },
  });
  const app = new App({
    ...scenario.app,
    id: `bench-latency-${scenario.name}`,
    kafka: {
      ...scenario.app.kafka,
      'bootstrap.servers': brokers,
      'group.id': `bench-cl-${scenario.name}-${randomBytes(4).toString('hex')}`,
      'statistics.interval.ms': 0,
    },
    routes: [
      {
        topics: [
          {
            topic,
            consumer: { module: benchConsumerModule('latency-consumer'), export: 'LatencyConsumer' },
            deserializer: 'raw',
          },
        ],
      },
    ],
  });
  app.on('consumer.consumed', (event) => {
    eventSamples.push([Date.now() - event.consumptionLatencyMs, event.consumptionLatencyMs]);
  });
  app.on('error.occurred', (event) => progress(`  ${scenario.name}: ${event.type}: ${event.error.message}`));
  await producer.connect();
  await app.start();
  progress(`${scenario.name}: producing ${RATE} msg/s for ${SECONDS} s to ${topic}`);
  const producingFrom = Date.now();
  const { produced, errors } = await produceSteadily(producer, topic);
  const producingTo = Date.now();
  // let the last messages arrive (at most the default max_wait_time + fetch wait, with margin)
  const deadline = performance.now() + 5_000;
  while (consumed < produced && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await app.stop();
  await producer.close();
  channel.close();
  // the measuring window: messages produced after the warm-up and before the cool-down
  const from = producingFrom + WARMUP_MS;
  const to = producingTo - COOLDOWN_MS;
  const inWindow = (list: Array<[number, number]>): number[] =>
    list.filter(([ts]) => ts >= from && ts <= to).map(([, latency]) => latency);
  const perMessage = summarize(inWindow(samples));
  const perMessageAll = summarize(samples.map(([, latency]) => latency));
  const eventLatency = summarize(inWindow(eventSamples));
  const processingLag = summarize(inWindow(lagSamples));
  const batches = eventLatency.count;
  progress(
    `${scenario.name.padEnd(8)} consumed ${consumed}/${produced}; per message p50 ${perMessage.p50.toFixed(2)} p90 ${perMessage.p90.toFixed(2)} ` +
      `p99 ${perMessage.p99.toFixed(2)} max ${perMessage.max.toFixed(2)} ms; ${batches} batches (mean ${(perMessage.count / Math.max(1, batches)).toFixed(1)} msgs); ` +
      `of which batch ready -> job started p50 ${processingLag.p50.toFixed(2)} p99 ${processingLag.p99.toFixed(2)} ms; ` +
      `event consumptionLatencyMs p50 ${eventLatency.p50.toFixed(2)} p99 ${eventLatency.p99.toFixed(2)} ms; ` +
      `all ${perMessageAll.count} messages incl. warm-up/cool-down: p99 ${perMessageAll.p99.toFixed(2)} max ${perMessageAll.max.toFixed(2)} ms`,
  );
  return {
    name: scenario.name,
    produced,
    consumed,
    perMessage,
    perMessageAll,
    eventLatency,
    batches,
    meanBatch: perMessage.count / Math.max(1, batches),
    loadAvg: round(loadavg()[0] ?? 0, 2),
    produceErrors: errors,
  };
}

async function main(): Promise<void> {
  const brokers = benchBrokers();
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const result = await withTopics(
      brokers,
      [{ prefix: `consumer-latency-${scenario.name}`, partitions: PARTITIONS }],
      ([topic]) => runScenario(brokers, topic as string, scenario),
    );
    results.push(result);
  }
  const [tuned, defaults, eof] = results;
  if (tuned === undefined || defaults === undefined) throw new Error('missing scenario');
  for (const r of results) {
    if (r.consumed < r.produced) progress(`WARNING ${r.name}: consumed ${r.consumed} of ${r.produced}`);
    if (r.produceErrors > 0) progress(`WARNING ${r.name}: ${r.produceErrors} produce errors`);
  }
  printResult({
    tuned_p50_ms: round(tuned.perMessage.p50, 2),
    tuned_p99_ms: round(tuned.perMessage.p99, 2),
    default_p50_ms: round(defaults.perMessage.p50, 2),
    default_p99_ms: round(defaults.perMessage.p99, 2),
    tuned_p99_target_met: tuned.perMessage.p99 < 20,
    tuned_max_ms: round(tuned.perMessage.max, 2),
    default_max_ms: round(defaults.perMessage.max, 2),
    tuned_event_p50_ms: round(tuned.eventLatency.p50, 2),
    tuned_event_p99_ms: round(tuned.eventLatency.p99, 2),
    default_event_p50_ms: round(defaults.eventLatency.p50, 2),
    default_event_p99_ms: round(defaults.eventLatency.p99, 2),
    tuned_p99_all_ms: round(tuned.perMessageAll.p99, 2),
    default_p99_all_ms: round(defaults.perMessageAll.p99, 2),
    tuned_mean_batch: round(tuned.meanBatch, 1),
    default_mean_batch: round(defaults.meanBatch, 1),
    tuned_samples: tuned.perMessage.count,
    default_samples: defaults.perMessage.count,
    tuned_lost: Math.max(0, tuned.produced - tuned.consumed),
    default_lost: Math.max(0, defaults.produced - defaults.consumed),
    eof_p50_ms: eof === undefined ? null : round(eof.perMessage.p50, 2),
    eof_p99_ms: eof === undefined ? null : round(eof.perMessage.p99, 2),
    loadavg_1m: results.map((r) => r.loadAvg).join('/'),
    rate_msgs_per_s: RATE,
    seconds: SECONDS,
    partitions: PARTITIONS,
    tuned_config: `linger 0; max_wait_time ${TUNED_WAIT_MS} ms; fetch.wait.max.ms ${TUNED_WAIT_MS}`,
    default_config: 'linger 5; max_wait_time 1000 ms; fetch.wait.max.ms 500; max_messages 100; concurrency 5',
    eof_config: 'tuned + enable.partition.eof true',
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
