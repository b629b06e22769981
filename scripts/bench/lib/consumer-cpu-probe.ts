// Diagnostic (not a benchmark of record, not part of the test suite): CPU time of the MAIN thread
// per message while an App drains a topic with a no-op consumer, next to raw KafkaJS eachBatch on
// the same topic. CPU time, not wall time, so a busy shared machine does not skew it (much).
// Main thread = the Linux task whose id is the pid (/proc/self/task/<pid>/stat utime+stime);
// "other threads" = every other task of the process (worker threads, libuv pool, V8 helpers).
//
//   node -r ts-node/register/transpile-only scripts/bench/lib/consumer-cpu-probe.ts
// Env: KAFKA_BROKERS, PROBE_MESSAGES (default 200000, 100 bytes each, 4 partitions), PROBE_TOPIC
// (reuse a pre-filled topic; otherwise one is created, filled and kept for reuse — its name is
// printed), PROBE_RUNS (default 2 each, alternated), PROBE_SKIP_KAFKAJS=1, PROBE_CORE=<a dist
// folder of @decanter/consumer-core> (another build, e.g. of an older commit, compared with the
// current one in the same process: rows `app` and `app@PROBE_CORE`; PROBE_CORE_ONLY=1 runs only
// that build, e.g. for its peak RSS in a fresh process).
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App } from '@decanter/consumer-core';
import { Kafka, logLevel } from 'kafkajs';
import { benchConsumerModule } from './consumer-modules';
import { benchBrokers, progress } from './stats';

const MESSAGES = Number(process.env['PROBE_MESSAGES'] ?? 200_000);
const RUNS = Number(process.env['PROBE_RUNS'] ?? 2);
const FETCH = { maxWaitTimeInMs: 500, minBytes: 1, maxBytesPerPartition: 1_048_576, maxBytes: 10_485_760 } as const;
const TICK_US = 1e6 / 100; // USER_HZ

function taskTicks(tid: string): number {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  } catch {
    return 0; // the thread ended meanwhile
  }
}

/** CPU µs: [main thread, all other threads] (threads that ended in between are lost: keep runs alive). */
function cpuSnapshot(): { main: number; others: Map<string, number> } {
  const main = String(process.pid);
  const others = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) if (tid !== main) others.set(tid, taskTicks(tid) * TICK_US);
  return { main: taskTicks(main) * TICK_US, others };
}

function threadName(tid: string): string {
  try {
    return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** CPU µs since `before`: main thread, all others, and each other thread (name#tid; PROBE_THREADS=1 prints them). */
function cpuSince(before: ReturnType<typeof cpuSnapshot>): { main: number; others: number; byName: Record<string, number> } {
  const after = cpuSnapshot();
  let others = 0;
  const byName: Record<string, number> = {};
  for (const [tid, us] of after.others) {
    const spent = us - (before.others.get(tid) ?? 0);
    others += spent;
    if (spent > 0) {
      const name = `${threadName(tid)}#${tid}`;
      byName[name] = (byName[name] ?? 0) + spent;
    }
  }
  return { main: after.main - before.main, others, byName };
}

async function prefill(brokers: string[]): Promise<string> {
  const topic = `probe-cpu-${randomBytes(3).toString('hex')}`;
  const kafka = new Kafka({ clientId: 'probe-prefill', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const value = randomBytes(100);
  for (let sent = 0; sent < MESSAGES; sent += 10_000) {
    const n = Math.min(10_000, MESSAGES - sent);
    await producer.sendBatch({
      topicMessages: [{ topic, messages: Array.from({ length: n }, (_, i) => ({ value, partition: (sent + i) % 4 })) }],
      acks: 1,
    });
  }
  await producer.disconnect();
  progress(`probe: filled ${topic} with ${MESSAGES} messages (PROBE_TOPIC=${topic} reuses it)`);
  return topic;
}

async function runKafkaJs(brokers: string[], topic: string): Promise<ReturnType<typeof cpuSince>> {
  const consumer = new Kafka({ clientId: 'probe-kafkajs', brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId: `probe-kafkajs-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: FETCH.maxWaitTimeInMs,
    minBytes: FETCH.minBytes,
    maxBytesPerPartition: FETCH.maxBytesPerPartition,
    maxBytes: FETCH.maxBytes,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let consumed = 0;
  let before: ReturnType<typeof cpuSnapshot> | undefined;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      before ??= cpuSnapshot();
      consumed += batch.messages.length;
      if (consumed >= MESSAGES) done();
    },
  });
  await finished;
  const cpu = cpuSince(before!);
  await consumer.disconnect();
  return cpu;
}

/** The App class and a NoopConsumer module of one consumer-core build (the current one when `dir` is undefined). */
function coreBuild(dir: string | undefined): { App: typeof App; noop: string } {
  const current = benchConsumerModule('noop-consumer');
  if (dir === undefined) return { App, noop: current };
  const index = resolve(dir, 'index.js');
  const noop = resolve(dir, 'probe-noop-consumer.js');
  writeFileSync(noop, readFileSync(current, 'utf8').replace(/require\("@decanter\/consumer-core"\)/g, `require(${JSON.stringify(index)})`));
  return { App: (require(index) as { App: typeof App }).App, noop };
}

async function runApp(brokers: string[], topic: string, build: { App: typeof App; noop: string }): Promise<ReturnType<typeof cpuSince>> {
  const app = new build.App({
    id: 'probe-app',
    kafka: {
      'bootstrap.servers': brokers,
      'group.id': `probe-app-${randomBytes(4).toString('hex')}`,
      'fetch.wait.max.ms': FETCH.maxWaitTimeInMs,
      'fetch.min.bytes': FETCH.minBytes,
      'fetch.message.max.bytes': FETCH.maxBytesPerPartition,
      'fetch.max.bytes': FETCH.maxBytes,
      'enable.partition.eof': true,
      'statistics.interval.ms': 0,
    },
    concurrency: 2,
    maxMessages: 50_000,
    routes: [{ topics: [{ topic, consumer: { module: build.noop, export: 'NoopConsumer' }, deserializer: 'raw' }] }],
  });
  let consumed = 0;
  let before: ReturnType<typeof cpuSnapshot> | undefined;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  app.on('listener.batch.received', () => {
    before ??= cpuSnapshot();
  });
  app.on('consumer.consumed', (event) => {
    consumed += event.messages;
    if (consumed >= MESSAGES) done();
  });
  await app.start();
  await finished;
  const cpu = cpuSince(before!);
  await app.stop();
  return cpu;
}

async function main(): Promise<void> {
  const brokers = benchBrokers();
  const topic = process.env['PROBE_TOPIC'] ?? (await prefill(brokers));
  const rows: Array<Record<string, number | string>> = [];
  const other = process.env['PROBE_CORE'];
  const builds = new Map<string, ReturnType<typeof coreBuild>>();
  if (other === undefined || process.env['PROBE_CORE_ONLY'] !== '1') builds.set('app', coreBuild(undefined));
  if (other !== undefined) builds.set(`app@${other}`, coreBuild(other));
  const sides = [...(process.env['PROBE_SKIP_KAFKAJS'] === '1' ? [] : ['kafkajs']), ...builds.keys()];
  for (let r = 0; r < RUNS; r++) {
    for (const side of sides) {
      global.gc?.();
      let peak = process.memoryUsage.rss();
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
      const build = builds.get(side);
      const cpu = build !== undefined ? await runApp(brokers, topic, build) : await runKafkaJs(brokers, topic);
      const row = {
        side,
        main_us_per_msg: Math.round((cpu.main / MESSAGES) * 100) / 100,
        other_threads_us_per_msg: Math.round((cpu.others / MESSAGES) * 100) / 100,
        peak_rss_mb: Math.round(peak / 1e5) / 10,
      };
      clearInterval(sampler);
      progress(JSON.stringify(row));
      if (process.env['PROBE_THREADS'] === '1') {
        const perMsg = Object.entries(cpu.byName).sort((a, b) => b[1] - a[1]).map(([name, us]) => `${name} ${(us / MESSAGES).toFixed(2)}`);
        progress(`  other threads, µs/msg: ${perMsg.join(', ')}`);
      }
      rows.push(row);
    }
  }
  const summary: Record<string, string> = {};
  for (const side of sides) {
    const mine = rows.filter((r) => r['side'] === side);
    const median = (key: string): number => {
      const v = mine.map((r) => Number(r[key])).sort((a, b) => a - b);
      return v[Math.floor(v.length / 2)] ?? NaN;
    };
    summary[side] = `main ${median('main_us_per_msg')} µs/msg, other threads ${median('other_threads_us_per_msg')} µs/msg, peak RSS ${median('peak_rss_mb')} MB (medians of ${mine.length})`;
  }
  console.log(JSON.stringify({ topic, messages: MESSAGES, summary, rows }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
