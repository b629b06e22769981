// pnpm bench record-encoder: CPU cost of turning messages into a Produce request body, no broker
// involved. Decanter's encoder (RecordBatchBuilder per partition + encodeProduceRequestBody)
// against KafkaJS 2.2.4's own (the Produce v7 request object KafkaJS's broker.produce() builds,
// its encode() awaited), measured in the same run on the same messages: 100-byte values, 10-byte
// keys, one request of PARTITIONS partitions x PER_PARTITION messages, no compression (a codec's
// cost is the codec's, the same on both paths). Rounds alternate between the two so the shared
// machine's load hits each alike; the figures are the median round. Also CRC-32C throughput,
// ours (slicing-by-8) against KafkaJS's byte-at-a-time table, on a 16 KiB buffer.
// Prints progress to stderr and one JSON object as its last stdout line.
import { RecordBatchBuilder } from '../../packages/producer/src/encoding/record-batch-builder';
import { encodeProduceRequestBody } from '../../packages/producer/src/encoding/produce-request';
import { crc32c } from '../../packages/producer/src/encoding/crc32c';
import { printResult, progress, round } from './lib/stats';

// KafkaJS's internals, as the competitor only
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkaJsProduceV7 = require('kafkajs/src/protocol/requests/produce/v7/request') as (request: object) => {
  encode(): Promise<{ buffer: Buffer }>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkaJsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C') as (buffer: Buffer) => number;

const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 6);
const PER_PARTITION = Number(process.env['BENCH_BATCH_PER_PARTITION'] ?? 500);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const ROUND_MS = Number(process.env['BENCH_ROUND_MS'] ?? 600);
const HEADERS = process.env['BENCH_HEADERS'] === '1';
const TOPIC = 'bench-record-encoder';

interface Msg {
  key: Buffer;
  value: Buffer;
  timestamp: string;
  headers?: { [name: string]: string };
}

const now = Date.now();
const partitions: Msg[][] = Array.from({ length: PARTITIONS }, (_, p) =>
  Array.from({ length: PER_PARTITION }, (_, i) => ({
    key: Buffer.from(`key-${String(p * PER_PARTITION + i).padStart(6, '0')}`),
    value: Buffer.alloc(100, 0x61 + (i % 26)),
    timestamp: String(now + i),
    ...(HEADERS ? { headers: { trace: `t-${i}`, source: 'bench' } } : {}),
  })),
);
const MESSAGES = PARTITIONS * PER_PARTITION;

async function decanter(): Promise<number> {
  const batches = partitions.map((messages, partition) => {
    const builder = new RecordBatchBuilder();
    for (const m of messages) builder.append(m.key, m.value, Number(m.timestamp), m.headers);
    return { partition, batch: builder.sealUncompressed() };
  });
  return encodeProduceRequestBody({
    transactionalId: null,
    acks: 1,
    timeoutMs: 30_000,
    topics: [{ topic: TOPIC, partitions: batches }],
  }).length;
}

async function kafkaJs(): Promise<number> {
  const request = kafkaJsProduceV7({
    acks: 1,
    timeout: 30_000,
    compression: 0,
    topicData: [{ topic: TOPIC, partitions: partitions.map((messages, partition) => ({ partition, messages })) }],
  });
  return (await request.encode()).buffer.length;
}

interface Round {
  usPerMsg: number;
  cpuUsPerMsg: number;
}

async function measure(run: () => Promise<number>): Promise<Round> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let requests = 0;
  while (performance.now() - t0 < ROUND_MS) {
    await run();
    requests += 1;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const messages = requests * MESSAGES;
  return { usPerMsg: (wallMs * 1000) / messages, cpuUsPerMsg: (cpu.user + cpu.system) / messages };
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function crcMbPerS(fn: (b: Buffer) => number, buffer: Buffer): number {
  let sink = 0;
  const t0 = performance.now();
  let bytes = 0;
  while (performance.now() - t0 < 300) {
    for (let i = 0; i < 50; i++) sink ^= fn(buffer);
    bytes += buffer.length * 50;
  }
  if (sink === 0.5) progress('unreachable');
  return bytes / 1e6 / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  progress(
    `record-encoder: ${PARTITIONS} partitions x ${PER_PARTITION} messages (100-byte values${HEADERS ? ', 2 headers' : ''}), ${ROUNDS} rounds of ${ROUND_MS} ms each`,
  );
  const sizes = { decanter: await decanter(), kafkajs: await kafkaJs() };
  progress(`request body bytes: decanter ${sizes.decanter}, kafkajs ${sizes.kafkajs}`);
  for (let i = 0; i < 3; i++) {
    await measure(decanter);
    await measure(kafkaJs);
  }
  const ours: Round[] = [];
  const theirs: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(await measure(decanter));
    theirs.push(await measure(kafkaJs));
    progress(
      `round ${r + 1}: decanter ${ours[r]!.usPerMsg.toFixed(3)} us/msg, kafkajs ${theirs[r]!.usPerMsg.toFixed(3)} us/msg`,
    );
  }
  const buffer = Buffer.alloc(16_384);
  for (let i = 0; i < buffer.length; i++) buffer[i] = (i * 131 + 7) & 0xff;
  if (crc32c(buffer) !== kafkaJsCrc32c(buffer)) throw new Error('CRC-32C implementations disagree');
  crcMbPerS(crc32c, buffer);
  crcMbPerS(kafkaJsCrc32c, buffer);
  const crcOurs = crcMbPerS(crc32c, buffer);
  const crcTheirs = crcMbPerS(kafkaJsCrc32c, buffer);

  const encoder = median(ours.map((r) => r.usPerMsg));
  const kafkajs = median(theirs.map((r) => r.usPerMsg));
  printResult({
    messages_per_request: MESSAGES,
    message_value_bytes: 100,
    headers_per_message: HEADERS ? 2 : 0,
    encoder_us_per_msg: round(encoder, 4),
    kafkajs_encoder_us_per_msg: round(kafkajs, 4),
    ratio: round(kafkajs / encoder, 2),
    encoder_cpu_us_per_msg: round(median(ours.map((r) => r.cpuUsPerMsg)), 4),
    kafkajs_encoder_cpu_us_per_msg: round(median(theirs.map((r) => r.cpuUsPerMsg)), 4),
    crc32c_mb_per_s: round(crcOurs, 0),
    kafkajs_crc32c_mb_per_s: round(crcTheirs, 0),
    crc32c_ratio: round(crcOurs / crcTheirs, 2),
    request_bytes: sizes.decanter,
    kafkajs_request_bytes: sizes.kafkajs,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
