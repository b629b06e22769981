// pnpm bench producer-latency: sync produce of small messages, one at a time (each awaited before
// the next), with linger 0 and linger 5, and raw KafkaJS send() as the baseline — all in one run.
// acks = all (KafkaJS's default) everywhere, one partition, 100-byte payloads.
// Targets (issue 3): linger0 p50 < 1 ms and within 10% of kafkajs send; linger5 p50 in 5..6.5 ms.
// Kafka's own Java producer (linger.ms 5 and 0, one record at a time) runs on the same broker
// afterwards, as the reference for what any client gets from that broker on this machine.
// librdkafka (node-rdkafka 3.6.1, installed on the first run: lib/librdkafka.ts) takes part in
// the back-to-back phase with linger.ms 0, acks all, its delivery reports polled every 1 ms (its
// finest poll interval; node-rdkafka has no background poll thread): librdkafka_linger0_p50_ms and
// linger0_vs_librdkafka_p50_ratio (issue 17). BENCH_LIBRDKAFKA=0 leaves it out.
//
// Two phases, one after the other, each interleaved sample by sample so the shared machine's
// drift hits the scenarios it compares alike:
// - back to back: linger 0 and send(), one after the other with no pause (the ratio target);
// - after a pause: linger 5, send() and linger 0, each after 5 ms of silence. A linger-5 produce
//   always comes after a pause (its own linger), so its baseline is a send() after one too; and
//   linger 0 after the same pause shows what a cold process costs each of them; send() after 5 ms
//   spent busy instead tells the broker's share of that cost from this process's.
// The pauses are kept out of the back-to-back phase on purpose: after 5 ms of sleep this VM runs
// the next requests up to 2.5x slower (CPU and caches cold), and the requests after that are
// still slow for a while; sprinkled between back-to-back samples (or alternating phases) they
// made those a mix of speeds, measuring how cold the process was rather than the producer.
import { Producer } from '@decanter/producer';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { javaProducerLatency, type JavaLatencyResult } from './lib/java-perf';
import { librdkafkaSync, loadRdkafka } from './lib/librdkafka';
import { benchBrokers, printResult, progress, round, summarize } from './lib/stats';
import { withTopics } from './lib/topics';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 6);
const PER_ROUND_FAST = Number(process.env['BENCH_PER_ROUND'] ?? 300);
const PER_ROUND_LINGER = Math.max(20, Math.floor(PER_ROUND_FAST / 3));
// Warm-up produces, untimed, per back-to-back scenario: V8 takes about 2,000 of them to settle
// Decanter's path (in five runs of eight blocks of 1,000 interleaved pairs, the first two blocks
// read 1.04-1.10x send(), the later ones 1.02-1.06x); 100 per lingering scenario (6 ms each).
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 3_000);
const WARMUP_LINGER = 100;
const payload = Buffer.alloc(100, 'x');

interface Scenario {
  name: string;
  before?: () => Promise<void>;
  once: () => Promise<unknown>;
  samples: number[];
}

async function main(): Promise<void> {
  const brokers = benchBrokers();
  await withTopics(brokers, [{ prefix: 'latency', partitions: 1 }], async ([topic]) => {
    const t = topic as string;
    const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
    const raw = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const linger0 = new Producer({ id: 'bench-linger0', kafka: { 'bootstrap.servers': brokers.join(','), 'queue.buffering.max.ms': 0 } });
    const linger5 = new Producer({ id: 'bench-linger5', kafka: { 'bootstrap.servers': brokers.join(','), 'queue.buffering.max.ms': 5 } });
    await Promise.all([raw.connect(), linger0.connect(), linger5.connect()]);
    const loaded = (process.env['BENCH_LIBRDKAFKA'] ?? '1') !== '0' ? await loadRdkafka() : { unavailable: 'left out (BENCH_LIBRDKAFKA=0)' };
    if (!('rdkafka' in loaded)) progress(`librdkafka: ${loaded.unavailable}`);
    const rd = 'rdkafka' in loaded ? await librdkafkaSync(loaded.rdkafka, brokers, 0) : undefined;
    // How long a linger-5 message waited before its request left (the linger itself), so the
    // linger can be told apart from the request round trip on a busy machine.
    const lingerWaits: number[] = [];
    let producedAt = 0;
    linger5.on('request.dispatched', () => lingerWaits.push(performance.now() - producedAt));

    // A linger-5 sync produce is the linger plus the round trip of a request sent after ~5 ms of
    // silence, which on a VM is slower than back-to-back (threads on both sides fall asleep). The
    // `kafkajs_send_idle5` baseline measures that round trip with raw KafkaJS (5 ms pause, untimed,
    // before each send), so linger5 − idle5 shows what the linger itself costs.
    const idle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));
    const rawOnce = (): Promise<unknown> => raw.send({ topic: t, messages: [{ value: payload }] });
    const linger0Once = (): Promise<unknown> => linger0.produceSync({ topic: t, payload });
    const rawSend: Scenario = { name: 'kafkajs_send', once: rawOnce, samples: [] };
    const lingerZero: Scenario = { name: 'linger0', once: linger0Once, samples: [] };
    const rawIdle: Scenario = { name: 'kafkajs_send_idle5', before: idle, once: rawOnce, samples: [] };
    const lingerZeroIdle: Scenario = { name: 'linger0_idle5', before: idle, once: linger0Once, samples: [] };
    // The same pause spent busy (this process spinning through turns of its event loop, never
    // asleep) rather than asleep: if send() is as slow after it as after sleeping, the slow round
    // trip is the broker's threads waking, and no client-side trick (spinning while lingering)
    // could win it back.
    const busy = async (): Promise<void> => {
      const until = performance.now() + 5;
      while (performance.now() < until) await new Promise((resolve) => setImmediate(resolve));
    };
    const rawBusy: Scenario = { name: 'kafkajs_send_busy5', before: busy, once: rawOnce, samples: [] };
    const lingerFive: Scenario = {
      name: 'linger5',
      once: () => {
        producedAt = performance.now();
        return linger5.produceSync({ topic: t, payload });
      },
      samples: [],
    };
    const rdLingerZero: Scenario | undefined = rd === undefined ? undefined : { name: 'librdkafka_linger0', once: () => rd.once(t, payload), samples: [] };
    const backToBack = rdLingerZero === undefined ? [rawSend, lingerZero] : [rawSend, lingerZero, rdLingerZero];
    const afterPause = [rawIdle, lingerFive, lingerZeroIdle, rawBusy];
    const sample = async (s: Scenario): Promise<void> => {
      if (s.before) await s.before();
      const start = performance.now();
      await s.once();
      s.samples.push(performance.now() - start);
    };
    // Within a phase the scenarios take turns sample by sample, their order rotating, not in
    // blocks: the machine's speed drifts from one second to the next, and a ratio of two p50s
    // taken seconds apart measured that drift (linger 0 vs send() read 0.98-1.14 across runs in
    // blocks of 300).
    const rotated = (list: Scenario[], step: number): Scenario[] => list.map((_, k) => list[(k + step) % list.length] as Scenario);
    // Each phase warms up right before it: a pause-heavy warm-up would leave the back-to-back
    // phase starting cold.
    for (let i = 0; i < WARMUP; i += 1) for (const s of backToBack) await s.once();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < PER_ROUND_FAST; i += 1) for (const s of rotated(backToBack, i)) await sample(s);
      progress(`back to back: round ${round + 1}/${ROUNDS} done`);
    }
    for (let i = 0; i < WARMUP_LINGER; i += 1) await lingerFive.once();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < PER_ROUND_LINGER; i += 1) for (const s of rotated(afterPause, i)) await sample(s);
      progress(`after a pause: round ${round + 1}/${ROUNDS} done`);
    }
    const [kjs, kjsIdle, l0, l5, l0Idle, kjsBusy] = [rawSend, rawIdle, lingerZero, lingerFive, lingerZeroIdle, rawBusy].map((s) => summarize(s.samples));
    const wait5 = summarize(lingerWaits.slice(WARMUP_LINGER));
    progress(`linger 5: produce -> request dispatched p50=${wait5.p50.toFixed(3)} p99=${wait5.p99.toFixed(3)} ms`);
    if (!kjs || !kjsIdle || !l0 || !l5 || !l0Idle || !kjsBusy) throw new Error('missing scenario');
    for (const [name, s] of [['kafkajs send()', kjs], ['kafkajs idle 5 ms', kjsIdle], ['kafkajs busy 5 ms', kjsBusy], ['decanter linger 0', l0], ['linger 0 idle 5 ms', l0Idle], ['decanter linger 5', l5]] as const) {
      progress(`${name.padEnd(18)} n=${s.count} p50=${s.p50.toFixed(3)} p90=${s.p90.toFixed(3)} p99=${s.p99.toFixed(3)} max=${s.max.toFixed(2)} ms`);
    }
    const rdl0 = rdLingerZero === undefined ? undefined : summarize(rdLingerZero.samples);
    if (rdl0) progress(`librdkafka linger 0 n=${rdl0.count} p50=${rdl0.p50.toFixed(3)} p90=${rdl0.p90.toFixed(3)} p99=${rdl0.p99.toFixed(3)} max=${rdl0.max.toFixed(2)} ms`);
    await Promise.all([raw.disconnect(), linger0.close(), linger5.close(), rd?.close()]);
    // Kafka's own Java producer on the same broker and topic, after the Node scenarios (its own
    // process: it cannot take turns with them sample by sample), linger.ms 5 then 0, acks all.
    // Without Java, or when its run fails, the Node figures still print and Java's are null.
    // Warm-up: a fresh JVM needs ~10,000 sends for C2 to compile the send path.
    const javaSamples = ROUNDS * PER_ROUND_LINGER;
    progress(`java producer, linger.ms 5 and 0, ${javaSamples} sends each…`);
    const javaRun = async (lingerMs: number, warmup: number): Promise<JavaLatencyResult | null> => {
      try {
        const r = await javaProducerLatency({ brokers: brokers.join(','), topic: t, lingerMs, warmup, count: javaSamples });
        progress(`java linger.ms ${lingerMs}  n=${r.count} p50=${r.p50Ms.toFixed(3)} p90=${r.p90Ms.toFixed(3)} p99=${r.p99Ms.toFixed(3)} ms`);
        return r;
      } catch (error) {
        progress(`java producer unavailable or failed, its fields are null: ${(error as Error).message.split('\n')[0]}`);
        return null;
      }
    };
    const java5 = await javaRun(5, 1_000);
    const java0 = await javaRun(0, 10_000);
    printResult({
      linger0_p50_ms: round(l0.p50),
      linger0_p99_ms: round(l0.p99),
      linger5_p50_ms: round(l5.p50),
      linger5_p99_ms: round(l5.p99),
      linger5_wait_before_dispatch_p50_ms: round(wait5.p50),
      kafkajs_send_p50_ms: round(kjs.p50),
      kafkajs_send_p99_ms: round(kjs.p99),
      linger0_vs_kafkajs_p50_ratio: round(l0.p50 / kjs.p50),
      ...(rdl0 === undefined
        ? { librdkafka_unavailable: (loaded as { unavailable: string }).unavailable }
        : { librdkafka_linger0_p50_ms: round(rdl0.p50), librdkafka_linger0_p99_ms: round(rdl0.p99), linger0_vs_librdkafka_p50_ratio: round(l0.p50 / rdl0.p50) }),
      kafkajs_send_after_5ms_idle_p50_ms: round(kjsIdle.p50),
      kafkajs_send_after_5ms_busy_p50_ms: round(kjsBusy.p50),
      linger0_after_5ms_idle_p50_ms: round(l0Idle.p50),
      linger0_vs_kafkajs_after_5ms_idle_p50_ratio: round(l0Idle.p50 / kjsIdle.p50),
      linger5_minus_idle_round_trip_p50_ms: round(l5.p50 - kjsIdle.p50),
      java_linger5_p50_ms: java5 === null ? null : round(java5.p50Ms),
      java_linger0_p50_ms: java0 === null ? null : round(java0.p50Ms),
      linger5_vs_java_linger5_p50_ratio: java5 === null ? null : round(l5.p50 / java5.p50Ms),
      samples_linger0: l0.count,
      samples_linger5: l5.count,
      samples_kafkajs: kjs.count,
    });
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
