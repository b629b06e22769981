// bench-run: own-cluster (scripts/bench-run starts no single broker for this benchmark)
//
// pnpm bench chaos: Decanter's producer and consumer on a three-broker cluster (scripts/kafka start
// --nodes 3: replication factor 3, min.insync.replicas 2, a separate controller) while brokers and
// consumer processes die. BENCH_CHAOS_MESSAGES (200,000) unique messages are produced at an even
// pace over BENCH_CHAOS_SECONDS (120) with acks all, idempotence and message.timeout.ms
// BENCH_CHAOS_TIMEOUT_MS (10,000), into a 6-partition topic, and consumed by BENCH_CHAOS_CONSUMERS
// (2) `decanter server` processes of one group. Meanwhile every ~BENCH_CHAOS_BROKER_EVERY_MS
// (15,000) a random broker is SIGKILLed and started again BENCH_CHAOS_BROKER_DOWN_MS (5,000)
// later (the next kill waits for every partition's full ISR: one broker down at a time), and every
// ~BENCH_CHAOS_CONSUMER_EVERY_MS (10,000) a random consumer process is stopped — SIGTERM and
// SIGKILL in turn — and started again at once. After the last message the chaos stops, the cluster
// is restored, and the consumers drain the topic; then they are stopped.
// The judges are outside the framework:
//   acked_lost          acknowledged handles whose message is not at its reported offset in the
//                       log (read back with plain KafkaJS) — must be 0;
//   consumed_lost       offsets of the log (below the final high watermarks) that no consumer
//                       process recorded — must be 0;
//   commit_violations   the group's committed offsets, read every 250 ms, each checked against the
//                       recording read just after it: a committed offset past an offset that was
//                       not processed yet — must be 0;
//   duplicates          records processed more than once (at-least-once across kills), and
//                       duplicates_after_sigterm / _after_sigkill / _after_rebalance /
//                       _same_process: each repeat by what happened to the process that
//                       processed the record the time before (see duplicatesByCause);
//   produce_failures_surfaced  handles that failed (each with a DecanterError; counted, not lost);
//   max_handle_settle_over_timeout_ms  the latest any handle settled past its produce call plus
//                       message.timeout.ms (0 when all settled in time).
// BENCH_CHAOS_KILL_BROKERS=0 kills no broker (a consumer-process storm alone); BENCH_CHAOS_SIGNALS
// (SIGTERM,SIGKILL) the signals used in turn on consumer processes;
// BENCH_CHAOS_LOG_DIR=<dir> turns the consumer processes' logger on and keeps each one's output
// there (consumer-<slot>-<pid>.log), with the recording (processed.txt).
// Every wait is bounded (BENCH_RUN_TIMEOUT_MS, 180,000): the benchmark ends by itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { isDecanterError, Producer } from '@decanter/producer';
import {
  awaitHealthyCluster,
  clusterBrokers,
  clusterRunning,
  createClusterTopic,
  killNode,
  pickClusterBasePort,
  startCluster,
  startNode,
  stopCluster,
  waitUntil,
  withClusterAdmin,
} from '@decanter/test-helpers';
import { benchConsumerModule } from './lib/consumer-modules';
import { envNumber as env, printResult, progress, round } from './lib/stats';

const MESSAGES = env('BENCH_CHAOS_MESSAGES', 200_000);
const SECONDS = env('BENCH_CHAOS_SECONDS', 120);
const TIMEOUT_MS = env('BENCH_CHAOS_TIMEOUT_MS', 10_000);
const CONSUMERS = env('BENCH_CHAOS_CONSUMERS', 2);
const PARTITIONS = 6;
const BROKER_EVERY_MS = env('BENCH_CHAOS_BROKER_EVERY_MS', 15_000);
const KILL_BROKERS = (process.env['BENCH_CHAOS_KILL_BROKERS'] ?? '1').trim() !== '0';
const BROKER_DOWN_MS = env('BENCH_CHAOS_BROKER_DOWN_MS', 5_000);
const CONSUMER_EVERY_MS = env('BENCH_CHAOS_CONSUMER_EVERY_MS', 10_000);
const SIGNALS = (process.env['BENCH_CHAOS_SIGNALS'] ?? 'SIGTERM,SIGKILL').split(',').map((x) => x.trim());
for (const signal of SIGNALS) if (signal !== 'SIGTERM' && signal !== 'SIGKILL') throw new Error(`BENCH_CHAOS_SIGNALS takes SIGTERM and SIGKILL, comma-separated, used in turn (got '${signal}')`);
const WORK_MS = env('BENCH_CHAOS_WORK_MS', 20);
const RUN_TIMEOUT_MS = env('BENCH_RUN_TIMEOUT_MS', 180_000);
const BROKERS = 3;

/** A random integer in [min, max]; the chaos is random, its seed printed so a run can be told apart. */
const random = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

// ---------------------------------------------------------------------------------------------
// Consumer processes

interface ConsumerProcess {
  readonly slot: number;
  child: ChildProcess;
  exited: Promise<void>;
}

function startConsumer(slot: number, env: Record<string, string>): Promise<ConsumerProcess> {
  const cli = join(__dirname, '..', '..', 'packages', 'consumer-core', 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli, 'server', join(__dirname, 'lib', 'chaos-app.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const logDir = process.env['BENCH_CHAOS_LOG_DIR'];
  if (logDir !== undefined && logDir !== '') {
    const log = createWriteStream(join(logDir, `consumer-${slot}-${child.pid ?? 'none'}.log`));
    // both into one file: neither may end it for the other
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.on('close', () => log.end()); // after both streams ended
  }
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output = (output + d.toString()).slice(-20_000);
      if (output.includes('decanter: running')) resolve({ slot, child, exited });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code, signal) => reject(new Error(`consumer process ${slot} exited before it ran (${code ?? signal}):\n${output}`)));
  });
}

// ---------------------------------------------------------------------------------------------
// The recording and the group's commits

/** Processed offsets per partition, the number of lines (duplicates included), and who processed each "<p> <o>", in order. */
function readRecording(file: string, withPids = false): { done: Map<number, Set<number>>; lines: number; by: Map<string, Array<{ pid: number; at: number }>> } {
  const text = readFileSync(file, 'utf8');
  const done = new Map<number, Set<number>>();
  const by = new Map<string, Array<{ pid: number; at: number }>>();
  let lines = 0;
  // a line another process is writing right now (no newline yet) is left for the next read
  for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
    if (line === '') continue;
    const [p, o, pid, at] = line.split(' ').map(Number) as [number, number, number, number];
    let set = done.get(p);
    if (set === undefined) done.set(p, (set = new Set()));
    set.add(o);
    lines += 1;
    if (withPids) {
      const key = `${p} ${o}`;
      const pids = by.get(key);
      if (pids === undefined) by.set(key, [{ pid, at }]);
      else pids.push({ pid, at });
    }
  }
  return { done, lines, by };
}

interface Death {
  signal: 'SIGTERM' | 'SIGKILL';
  at: number;
}

/**
 * Each repeated processing, by what happened to the process that processed the record the time
 * before, as of the repeat: it had been SIGTERMed (a graceful stop commits what it processed: it
 * should leave nothing to repeat), it had been SIGKILLed (up to a commit interval of its work is
 * repeated), it was still alive (the partition moved away in a rebalance before what it processed
 * there was committed), or it was the same process (it fetched the record again: e.g. its KafkaJS
 * consumer restarted after a broker failure).
 */
function duplicatesByCause(by: Map<string, Array<{ pid: number; at: number }>>, deaths: Map<number, Death>): Record<string, number> {
  const out: Record<string, number> = { after_sigterm: 0, after_sigkill: 0, after_rebalance: 0, same_process: 0 };
  for (const runs of by.values()) {
    for (let i = 1; i < runs.length; i += 1) {
      const before = runs[i - 1] as { pid: number; at: number };
      const now = runs[i] as { pid: number; at: number };
      const death = deaths.get(before.pid);
      const cause =
        before.pid === now.pid ? 'same_process'
        : death !== undefined && death.at <= now.at ? (death.signal === 'SIGTERM' ? 'after_sigterm' : 'after_sigkill')
        : 'after_rebalance';
      out[cause] = (out[cause] ?? 0) + 1;
    }
  }
  return out;
}

/** The first offset below `committed` not processed, or null. */
function firstUnprocessedBelow(done: Set<number> | undefined, committed: number, from: number): number | null {
  for (let o = from; o < committed; o += 1) if (done?.has(o) !== true) return o;
  return null;
}

async function committedOffsets(admin: ReturnType<Kafka['admin']>, group: string, topic: string): Promise<Map<number, number>> {
  const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

// ---------------------------------------------------------------------------------------------

interface Outcome {
  producedAt: number;
  settledAt?: number;
  partition?: number;
  offset?: string | null;
  failed?: boolean;
}

async function main(): Promise<void> {
  if ((process.env['KAFKA_CLUSTER_PORT'] ?? '').trim() === '') process.env['KAFKA_CLUSTER_PORT'] = String(await pickClusterBasePort());
  delete process.env['KAFKA_CLUSTER_BROKERS']; // brokers are killed through scripts/kafka: its own cluster only
  const startedCluster = !(await clusterRunning());
  if (startedCluster) {
    progress('chaos: starting the three-broker cluster');
    await startCluster();
  }
  const folder = mkdtempSync(join(tmpdir(), 'decanter-chaos-'));
  try {
    await awaitHealthyCluster(120_000);
    const result = await run(folder);
    printResult(result);
  } finally {
    const logDir = process.env['BENCH_CHAOS_LOG_DIR'];
    if (logDir !== undefined && logDir !== '') copyFileSync(join(folder, 'processed.txt'), join(logDir, 'processed.txt'));
    rmSync(folder, { recursive: true, force: true });
    if (startedCluster) await stopCluster().catch(() => undefined);
  }
}

async function run(folder: string) {
  const brokers = clusterBrokers();
  const topic = await createClusterTopic('bench-chaos', Array.from({ length: PARTITIONS }, (_, p) => (p % BROKERS) + 1));
  const group = `bench-chaos-${randomBytes(4).toString('hex')}`;
  const file = join(folder, 'processed.txt');
  writeFileSync(file, '');
  const consumerEnv = {
    KAFKA_BROKERS: brokers.join(','),
    BENCH_CHAOS_FILE: file,
    BENCH_CHAOS_GROUP: group,
    BENCH_CHAOS_TOPIC: topic,
    BENCH_CHAOS_WORK_MS: String(WORK_MS),
    BENCH_CHAOS_CONSUMER: benchConsumerModule('chaos-consumer'),
  };
  const admin = new Kafka({ clientId: 'bench-chaos-judge', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1_000, requestTimeout: 5_000 }).admin();
  await admin.connect();
  const producer = new Producer({
    id: 'bench-chaos',
    kafka: {
      'bootstrap.servers': brokers.join(','),
      'request.required.acks': 'all',
      'enable.idempotence': true,
      'message.timeout.ms': TIMEOUT_MS,
      'queue.buffering.max.ms': 5,
      'request.timeout.ms': 5_000,
      'retry.backoff.max.ms': 500,
      'socket.connection.setup.timeout.ms': 1_000,
    },
  });
  await producer.connect();

  const consumers: ConsumerProcess[] = [];
  const deaths = new Map<number, Death>();
  const counts = { brokerKills: 0, consumerSigterms: 0, consumerSigkills: 0, judgements: 0 };
  const violations: Array<{ partition: number; committed: number; firstUnprocessed: number }> = [];
  let chaos = true;
  let judging = true;
  const t0 = Date.now();
  try {
    for (let slot = 0; slot < CONSUMERS; slot += 1) consumers.push(await startConsumer(slot, consumerEnv));
    progress(`chaos: ${CONSUMERS} consumer processes run; producing ${MESSAGES} messages over ${SECONDS} s to ${topic}`);

    // the outside judge of commits: committed offsets first, then the recording
    const checkedUpTo = new Map<number, number>(); // offsets below are known processed
    const judge = (async () => {
      while (judging) {
        const committed = await committedOffsets(admin, group, topic).catch(() => undefined); // the coordinator may be down
        if (committed !== undefined) {
          const { done } = readRecording(file);
          counts.judgements += 1;
          for (const [p, offset] of committed) {
            if (offset <= 0) continue;
            const from = checkedUpTo.get(p) ?? 0;
            const missing = firstUnprocessedBelow(done.get(p), offset, from);
            if (missing === null) checkedUpTo.set(p, Math.max(from, offset));
            else if (violations.length < 100) violations.push({ partition: p, committed: offset, firstUnprocessed: missing });
          }
        }
        await sleep(250);
      }
    })();

    const brokerChaos = (async () => {
      if (!KILL_BROKERS) return;
      let last = Date.now(); // the first kill a period after the start
      while (chaos) {
        await sleep(Math.max(0, BROKER_EVERY_MS + random(-2_000, 2_000) - (Date.now() - last)));
        if (!chaos) break;
        const node = random(1, BROKERS);
        last = Date.now();
        progress(`chaos: +${Math.round((last - t0) / 1000)} s SIGKILL broker ${node}`);
        await killNode(node);
        counts.brokerKills += 1;
        await sleep(BROKER_DOWN_MS);
        await startNode(node);
        await awaitHealthyCluster(RUN_TIMEOUT_MS);
      }
    })();

    const consumerChaos = (async () => {
      while (chaos) {
        await sleep(CONSUMER_EVERY_MS + random(-2_000, 2_000));
        if (!chaos) break;
        const victim = consumers[random(0, consumers.length - 1)] as ConsumerProcess;
        const signal = SIGNALS[(counts.consumerSigterms + counts.consumerSigkills) % SIGNALS.length] as Death['signal'];
        progress(`chaos: +${Math.round((Date.now() - t0) / 1000)} s ${signal} consumer process ${victim.slot}`);
        if (victim.child.pid !== undefined) deaths.set(victim.child.pid, { signal, at: Date.now() });
        victim.child.kill(signal);
        await Promise.race([victim.exited, sleep(30_000)]);
        if (victim.child.exitCode === null && victim.child.signalCode === null) victim.child.kill('SIGKILL');
        await victim.exited;
        if (signal === 'SIGTERM') counts.consumerSigterms += 1;
        else counts.consumerSigkills += 1;
        consumers[consumers.indexOf(victim)] = await startConsumer(victim.slot, consumerEnv);
      }
    })();

    // produce at an even pace; every handle's outcome is kept
    const outcomes: Outcome[] = new Array(MESSAGES);
    const settles: Array<Promise<void>> = [];
    const perMs = MESSAGES / (SECONDS * 1_000);
    for (let n = 0; n < MESSAGES; n += 1) {
      const due = t0 + n / perMs;
      if (due > Date.now() + 5) await sleep(due - Date.now());
      const outcome: Outcome = { producedAt: Date.now() };
      outcomes[n] = outcome;
      const handle = await producer.produceAsync({ topic, key: String(n), payload: String(n) });
      settles.push(
        handle.wait().then(
          (report) => {
            outcome.settledAt = Date.now();
            outcome.partition = report.partition;
            outcome.offset = report.offset;
          },
          (error: unknown) => {
            outcome.settledAt = Date.now();
            outcome.failed = true;
            if (!isDecanterError(error)) throw new Error(`a handle failed with something other than a DecanterError: ${String(error)}`);
          },
        ),
      );
      if (n % 20_000 === 19_999) progress(`chaos: +${Math.round((Date.now() - t0) / 1000)} s ${n + 1} produced`);
    }
    await Promise.all(settles);
    const producedForMs = Date.now() - t0;
    progress(`chaos: every handle settled after ${Math.round(producedForMs / 1000)} s; stopping the chaos`);
    chaos = false;
    await Promise.all([brokerChaos, consumerChaos]);
    await awaitHealthyCluster(RUN_TIMEOUT_MS);

    // the consumers drain the log and commit it all
    const ends = new Map((await withClusterAdmin((a) => a.fetchTopicOffsets(topic))).map((e) => [e.partition, Number(e.high)]));
    await waitUntil(
      'the group to commit every partition to its high watermark',
      async () => {
        const committed = await committedOffsets(admin, group, topic); // a failed read is tried again
        return [...ends].every(([p, high]) => (committed.get(p) ?? 0) >= high);
      },
      { timeoutMs: RUN_TIMEOUT_MS, intervalMs: 250 },
    );
    await sleep(1_000); // one more judgement of the final commits
    judging = false;
    await judge;
    for (const c of consumers) c.child.kill('SIGTERM');
    await Promise.all(consumers.map((c) => Promise.race([c.exited, sleep(30_000)])));

    // the log, read back with plain KafkaJS: what each acknowledged handle reported must be there
    const log = await readLog(brokers, topic, ends);
    const acked = outcomes.filter((o) => o.offset !== undefined && o.offset !== null);
    const failed = outcomes.filter((o) => o.failed === true);
    const ackedLost = outcomes.filter((o, n) => o.offset !== undefined && o.offset !== null && log.get(`${o.partition}/${o.offset}`) !== String(n)).length;
    const { done, lines, by } = readRecording(file, true);
    const causes = duplicatesByCause(by, deaths);
    let consumedLost = 0;
    for (const [p, high] of ends) for (let o = 0; o < high; o += 1) if (done.get(p)?.has(o) !== true) consumedLost += 1;
    const distinct = [...done.values()].reduce((s, set) => s + set.size, 0);
    const inLog = [...ends.values()].reduce((s, h) => s + h, 0);
    let over = 0; // a loop: 200,000 arguments to Math.max overflow the stack
    for (const o of outcomes) over = Math.max(over, (o.settledAt ?? Infinity) - o.producedAt - TIMEOUT_MS);
    const valuesInLog = new Set(log.values());
    return {
      messages: MESSAGES,
      acked_lost: ackedLost,
      consumed_lost: consumedLost,
      commit_violations: violations.length,
      duplicates: lines - distinct,
      duplicates_after_sigterm: causes['after_sigterm'] ?? 0,
      duplicates_after_sigkill: causes['after_sigkill'] ?? 0,
      duplicates_after_rebalance: causes['after_rebalance'] ?? 0,
      duplicates_same_process: causes['same_process'] ?? 0,
      produce_failures_surfaced: failed.length,
      max_handle_settle_over_timeout_ms: round(over, 0),
      acked: acked.length,
      records_in_log: inLog,
      distinct_values_in_log: valuesInLog.size,
      duplicate_values_in_log: log.size - valuesInLog.size,
      // failed handles whose message the broker wrote after all (reported as possiblyPersisted)
      failed_but_in_log: outcomes.filter((o, n) => o.failed === true && valuesInLog.has(String(n))).length,
      processed_records: lines,
      broker_kills: counts.brokerKills,
      consumer_sigterms: counts.consumerSigterms,
      consumer_sigkills: counts.consumerSigkills,
      commit_judgements: counts.judgements,
      first_violations: violations.slice(0, 3).map((v) => `${v.partition}@${v.committed}>${v.firstUnprocessed}`).join(' '),
      produce_seconds: round(producedForMs / 1000, 1),
      total_seconds: round((Date.now() - t0) / 1000, 1),
      message_timeout_ms: TIMEOUT_MS,
      consumers: CONSUMERS,
      partitions: PARTITIONS,
    };
  } finally {
    chaos = false;
    judging = false;
    for (const c of consumers) c.child.kill('SIGKILL');
    await producer.close().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await withClusterAdmin((a) => a.deleteTopics({ topics: [topic], timeout: 10_000 })).catch(() => undefined);
  }
}

/** Every record of `topic` below `ends`, as "<partition>/<offset>" → value, read by plain KafkaJS. */
async function readLog(brokers: string[], topic: string, ends: Map<number, number>): Promise<Map<string, string>> {
  const kafka = new Kafka({ clientId: 'bench-chaos-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-chaos-reader-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 200 });
  const out = new Map<string, string>();
  const reached = new Map<number, number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) out.set(`${batch.partition}/${m.offset}`, m.value?.toString() ?? '');
        reached.set(batch.partition, Math.max(reached.get(batch.partition) ?? -1, Number(batch.lastOffset())));
      },
    });
    await waitUntil('reading the log back', () => [...ends].every(([p, high]) => high === 0 || (reached.get(p) ?? -1) >= high - 1), { timeoutMs: RUN_TIMEOUT_MS, intervalMs: 100 });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
