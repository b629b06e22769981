// pnpm bench producer-throughput: async produce of 100-byte messages (acks 1, linger 5 ms) for
// ~10 s (two rounds of 5 s, the scenarios interleaved so the shared machine's load hits each
// alike), against, in the same run and on the same broker: raw KafkaJS with one send() per message
// (up to 1,000 in flight), raw KafkaJS sendBatch with ideal pre-built batches (several in flight),
// and Kafka's own Java producer perf tool (the ceiling; in every round too, as many records as the
// Decanter scenario acknowledged in that round, so the broker's warm-up and the machine's load
// do not favour whichever runs last). Every scenario writes to its own fresh
// topic with the same partition count. A scenario's rate = messages acknowledged / time from its
// first send until the last acknowledgement (the Decanter run includes close(), which flushes).
// Targets (issue 3): msgs_per_s >= 10x kafkajs_send_msgs_per_s and >= 0.9x kafkajs_sendbatch_msgs_per_s.
// librdkafka (node-rdkafka 3.6.1, installed on the first run into .cache/bench-librdkafka: see
// lib/librdkafka.ts) runs the Decanter scenario's workload in every round too (issue 17's
// baseline: vs_librdkafka_ratio, librdkafka_cpu_us_per_msg; CPU of this process, librdkafka's
// threads included). BENCH_LIBRDKAFKA=0 leaves it out. The Decanter scenario runs with the
// Producer's default record encoder (Decanter's own, issue 17) and a second time with
// recordEncoder 'kafkajs' (KafkaJS's sendBatch, the fallback): kafkajs_encoder_*.
import { Producer } from '@decanter/producer';
import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { javaProducerPerf } from './lib/java-perf';
import { librdkafkaThroughput, loadRdkafka } from './lib/librdkafka';
import { benchBrokers, PeakRss, printResult, progress, round } from './lib/stats';
import { withTopics } from './lib/topics';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2);
const ROUND_SECONDS = SECONDS / ROUNDS;
const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 6);
const MESSAGE_BYTES = 100;
const SEND_IN_FLIGHT = 1_000;
const BATCH_PER_PARTITION = Number(process.env['BENCH_BATCH_PER_PARTITION'] ?? 1_000);
const BATCHES_IN_FLIGHT = 5;
const payload = Buffer.alloc(MESSAGE_BYTES, 'x');
const WITH_LIBRDKAFKA = (process.env['BENCH_LIBRDKAFKA'] ?? '1') !== '0';

async function decanter(brokers: string[], topic: string, recordEncoder?: 'kafkajs' | 'decanter'): Promise<{ rate: number; count: number; peakRssMb: number }> {
  const rss = new PeakRss(50);
  const producer = new Producer({
    id: 'bench-throughput',
    ...(recordEncoder === undefined ? {} : { recordEncoder }),
    kafka: { 'bootstrap.servers': brokers.join(','), 'request.required.acks': 1, 'queue.buffering.max.ms': 5 },
  });
  let failures = 0;
  producer.on('error.occurred', (e) => {
    if (e.type === 'message.delivery') failures += 1;
  });
  await producer.connect();
  await producer.produceSync({ topic, payload }); // metadata warm-up, not counted
  const start = performance.now();
  const until = start + ROUND_SECONDS * 1000;
  let count = 0;
  while (performance.now() < until) {
    // Check the clock every 256 messages; produceAsync resolves as soon as the message is queued.
    for (let i = 0; i < 256; i += 1) await producer.produceAsync({ topic, payload });
    count += 256;
  }
  await producer.close(); // flushes and waits for every acknowledgement
  const seconds = (performance.now() - start) / 1000;
  if (failures > 0) throw new Error(`${failures} messages failed`);
  return { rate: count / seconds, count, peakRssMb: rss.stop() };
}

async function kafkajsSend(brokers: string[], topic: string): Promise<{ rate: number; count: number }> {
  const producer = new Kafka({ clientId: 'bench-send', brokers, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic, acks: 1, messages: [{ value: payload }] });
  const start = performance.now();
  const until = start + ROUND_SECONDS * 1000;
  let count = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let failed: unknown;
  while (performance.now() < until && failed === undefined) {
    if (inFlight >= SEND_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
    inFlight += 1;
    producer.send({ topic, acks: 1, messages: [{ value: payload }] }).then(
      () => {
        count += 1;
        inFlight -= 1;
        wake?.();
        wake = undefined;
      },
      (error: unknown) => (failed = error),
    );
  }
  while (inFlight > 0 && failed === undefined) await new Promise<void>((r) => (wake = r));
  if (failed !== undefined) throw failed;
  const seconds = (performance.now() - start) / 1000;
  await producer.disconnect();
  return { rate: count / seconds, count };
}

async function kafkajsSendBatch(brokers: string[], topic: string): Promise<{ rate: number; count: number }> {
  const producer = new Kafka({ clientId: 'bench-sendbatch', brokers, logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  // Ideal batches, built once: BATCH_PER_PARTITION messages for every partition in each request.
  const messages: Message[] = [];
  for (let p = 0; p < PARTITIONS; p += 1) for (let i = 0; i < BATCH_PER_PARTITION; i += 1) messages.push({ value: payload, partition: p });
  const perRequest = messages.length;
  await producer.sendBatch({ acks: 1, topicMessages: [{ topic, messages: messages.slice(0, PARTITIONS) }] });
  const start = performance.now();
  const until = start + ROUND_SECONDS * 1000;
  let count = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      await producer.sendBatch({ acks: 1, topicMessages: [{ topic, messages }] });
      count += perRequest;
    }
  };
  await Promise.all(Array.from({ length: BATCHES_IN_FLIGHT }, worker));
  const seconds = (performance.now() - start) / 1000;
  await producer.disconnect();
  return { rate: count / seconds, count };
}

async function main(): Promise<void> {
  const brokers = benchBrokers();
  const loaded = WITH_LIBRDKAFKA ? await loadRdkafka() : { unavailable: 'left out (BENCH_LIBRDKAFKA=0)' };
  const rdkafka = 'rdkafka' in loaded ? loaded.rdkafka : undefined;
  if (!('rdkafka' in loaded)) progress(`librdkafka: ${loaded.unavailable}`);
  const specs = ['decanter', 'send', 'sendbatch', 'java', 'librdkafka', 'kafkajs-encoder'].map((prefix) => ({ prefix: `throughput-${prefix}`, partitions: PARTITIONS }));
  await withTopics(brokers, specs, async ([tDecanter, tSend, tBatch, tJava, tRdkafka, tKafkaJsEncoder]) => {
    const total = { d: { count: 0, s: 0, rss: 0, cpu: 0 }, j: { count: 0, s: 0 }, s: { count: 0, s: 0, cpu: 0 }, b: { count: 0, s: 0, cpu: 0 }, r: { count: 0, s: 0, cpu: 0 }, o: { count: 0, s: 0, cpu: 0 } };
    // Runs one scenario and adds its messages, time and CPU time of this process (less sensitive
    // than wall time to the shared machine) to its totals.
    const measure = async <R extends { rate: number; count: number }>(into: { count: number; s: number; cpu: number }, label: string, run: () => Promise<R>): Promise<R> => {
      progress(label);
      const since = process.cpuUsage();
      const result = await run();
      const used = process.cpuUsage(since);
      into.cpu += used.user + used.system;
      into.count += result.count;
      into.s += result.count / result.rate;
      return result;
    };
    for (let round = 1; round <= ROUNDS; round += 1) {
      const d = await measure(
        total.d,
        `round ${round}/${ROUNDS}: decanter produceAsync for ${ROUND_SECONDS} s (acks 1, linger 5, ${PARTITIONS} partitions, ${MESSAGE_BYTES} B)…`,
        () => decanter(brokers, tDecanter as string),
      );
      progress(`  ${Math.round(d.rate)} msg/s (${d.count} messages, peak RSS ${d.peakRssMb} MB)`);
      total.d.rss = Math.max(total.d.rss, d.peakRssMb);
      const k = await measure(total.o, `round ${round}/${ROUNDS}: decanter produceAsync, recordEncoder 'kafkajs', for ${ROUND_SECONDS} s…`, () =>
        decanter(brokers, tKafkaJsEncoder as string, 'kafkajs'),
      );
      progress(`  ${Math.round(k.rate)} msg/s (${k.count} messages)`);
      const s = await measure(total.s, `round ${round}/${ROUNDS}: kafkajs send() per message, up to ${SEND_IN_FLIGHT} in flight…`, () =>
        kafkajsSend(brokers, tSend as string),
      );
      progress(`  ${Math.round(s.rate)} msg/s (${s.count} messages)`);
      const b = await measure(
        total.b,
        `round ${round}/${ROUNDS}: kafkajs sendBatch, ${BATCH_PER_PARTITION} msgs x ${PARTITIONS} partitions per request, ${BATCHES_IN_FLIGHT} in flight…`,
        () => kafkajsSendBatch(brokers, tBatch as string),
      );
      progress(`  ${Math.round(b.rate)} msg/s (${b.count} messages)`);
      if (rdkafka !== undefined) {
        const r = await measure(total.r, `round ${round}/${ROUNDS}: librdkafka ${rdkafka.librdkafkaVersion} (node-rdkafka) produce for ${ROUND_SECONDS} s (acks 1, linger 5)…`, () =>
          librdkafkaThroughput(rdkafka, brokers, tRdkafka as string, ROUND_SECONDS, payload),
        );
        progress(`  ${Math.round(r.rate)} msg/s (${r.count} messages)`);
      }
      const records = Math.max(250_000, d.count);
      progress(`round ${round}/${ROUNDS}: java ProducerPerformance, ${records} records (acks 1, linger.ms 5)…`);
      const j = await javaProducerPerf({
        brokers: brokers.join(','),
        topic: tJava as string,
        records,
        recordSize: MESSAGE_BYTES,
        producerProps: { acks: 1, 'linger.ms': 5 },
      });
      progress(`  ${j.raw}`);
      total.j.count += records;
      total.j.s += records / j.msgsPerSec;
    }
    const d = { rate: total.d.count / total.d.s, peakRssMb: total.d.rss };
    const s = { rate: total.s.count / total.s.s };
    const b = { rate: total.b.count / total.b.s };
    const j = { msgsPerSec: total.j.count / total.j.s };
    progress(`totals: decanter ${Math.round(d.rate)}, java ${Math.round(j.msgsPerSec)}, kafkajs send ${Math.round(s.rate)}, kafkajs sendBatch ${Math.round(b.rate)} msg/s`);
    // What the broker holds must be what was acknowledged (the warm-up message of each round
    // included), for both Decanter paths: a fast encoder that lost or doubled records would show here.
    const inLog = async (topic: string): Promise<number> => {
      const admin = new Kafka({ clientId: 'bench-throughput-check', brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      } finally {
        await admin.disconnect();
      }
    };
    const [decanterInLog, kafkaJsInLog] = [await inLog(tDecanter as string), await inLog(tKafkaJsEncoder as string)];
    if (decanterInLog !== total.d.count + ROUNDS || kafkaJsInLog !== total.o.count + ROUNDS) {
      throw new Error(`records in the log do not match the acknowledged count: own encoder ${decanterInLog} vs ${total.d.count + ROUNDS}, kafkajs encoder ${kafkaJsInLog} vs ${total.o.count + ROUNDS}`);
    }
    progress(`log check: ${decanterInLog} and ${kafkaJsInLog} records, as acknowledged`);
    printResult({
      msgs_per_s: Math.round(d.rate),
      kafkajs_send_msgs_per_s: Math.round(s.rate),
      kafkajs_sendbatch_msgs_per_s: Math.round(b.rate),
      java_perf_msgs_per_s: Math.round(j.msgsPerSec),
      peak_rss_mb: d.peakRssMb,
      vs_kafkajs_send_ratio: round(d.rate / s.rate, 2),
      vs_kafkajs_sendbatch_ratio: round(d.rate / b.rate, 2),
      vs_java_perf_ratio: round(d.rate / j.msgsPerSec, 2),
      ...(rdkafka === undefined
        ? { librdkafka_unavailable: (loaded as { unavailable: string }).unavailable }
        : {
            librdkafka_msgs_per_s: Math.round(total.r.count / total.r.s),
            librdkafka_cpu_us_per_msg: round(total.r.cpu / total.r.count, 2),
            vs_librdkafka_ratio: round(d.rate / (total.r.count / total.r.s), 2),
            librdkafka_version: rdkafka.librdkafkaVersion,
          }),
      cpu_us_per_msg: round(total.d.cpu / total.d.count, 2),
      kafkajs_encoder_msgs_per_s: Math.round(total.o.count / total.o.s),
      kafkajs_encoder_cpu_us_per_msg: round(total.o.cpu / total.o.count, 2),
      kafkajs_encoder_vs_java_perf_ratio: round(total.o.count / total.o.s / j.msgsPerSec, 2),
      ...(rdkafka === undefined ? {} : { kafkajs_encoder_vs_librdkafka_ratio: round(total.o.count / total.o.s / (total.r.count / total.r.s), 2) }),
      kafkajs_send_cpu_us_per_msg: round(total.s.cpu / total.s.count, 2),
      kafkajs_sendbatch_cpu_us_per_msg: round(total.b.cpu / total.b.count, 2),
      seconds_per_scenario: SECONDS,
      rounds: ROUNDS,
      partitions: PARTITIONS,
      message_bytes: MESSAGE_BYTES,
    });
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
