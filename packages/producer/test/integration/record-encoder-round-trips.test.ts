// Claim: batches written by Decanter's own RecordBatch v2 encoder and sent over a KafkaJS
// producer's own connections are stored by the broker (which checks every batch's CRC-32C and,
// with a codec, decompresses it) and read back identically by a KafkaJS consumer and by Kafka's
// Java console consumer: keys (null and empty), values (tombstones), headers (repeated names in
// order, null values), CreateTime timestamps (earlier than the batch's first too), offsets, for
// every codec, with two partitions in one request and a second request continuing the offsets.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, waitUntil } from '@decanter/test-helpers';
import { COMPRESSION_CODECS } from '@decanter/producer';
import { batchCompressor } from '../../src/encoding/batch-compression';
import { RecordBatchBuilder, type HeaderValue } from '../../src/encoding/record-batch-builder';
import { captureCluster, kafkaJsProduceChannel } from '../../src/network/kafkajs-internals';
import type { ProduceChannel } from '../../src/encoding/encoded-send-batch';

const T = Date.now() - 60_000;

interface Sent {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
  timestamp: number;
}

/** A deterministic mix: null and empty keys, tombstones, repeated and null headers, timestamps around T. */
function recordsFor(partition: number, from: number, count: number): Omit<Sent, 'offset'>[] {
  return Array.from({ length: count }, (_, n) => {
    const i = from + n;
    const headers: [string, string | null][] =
      i % 4 === 0
        ? [
            ['trace', `t${i}`],
            ['dup', '1'],
            ['dup', '2'],
          ]
        : i % 4 === 1
          ? [['nullable', null]]
          : [];
    return {
      partition,
      key: i % 7 === 0 ? null : i % 7 === 1 ? '' : `key-${partition}-${i}`,
      value: i % 11 === 0 ? null : `value-${partition}-${i} ${'compressible '.repeat(i % 13)}`,
      headers,
      timestamp: T + ((i * 37) % 101) - 50,
    };
  });
}

let kafka: Kafka;
let producer: Producer;
let channel: ProduceChannel;
const topics: string[] = [];

beforeAll(async () => {
  kafka = new Kafka({ clientId: 'record-encoder-tests', brokers: brokers(), logLevel: logLevel.NOTHING });
  const captured = captureCluster(kafka, () => kafka.producer());
  producer = captured.client;
  await producer.connect();
  channel = kafkaJsProduceChannel(captured.cluster);
});

afterAll(async () => {
  await producer.disconnect();
  await deleteTopics(topics.splice(0));
  await disconnectSharedAdmin();
});

/** One Produce request with one encoded batch per partition; returns each partition's base offset. */
async function produce(
  topic: string,
  codec: (typeof COMPRESSION_CODECS)[number],
  batches: Map<number, Omit<Sent, 'offset'>[]>,
): Promise<Map<number, string>> {
  const compressor = batchCompressor(codec);
  const partitions = await Promise.all(
    [...batches].map(async ([partition, records]) => {
      const builder = new RecordBatchBuilder(512);
      for (const r of records) builder.append(r.key, r.value, r.timestamp, r.headers as [string, HeaderValue][]);
      return { partition, batch: await builder.seal({ compressor }) };
    }),
  );
  const leaders = await channel.leaders([topic]);
  const leader = leaders.get(topic)?.get(0);
  if (leader === undefined) throw new Error(`no leader for ${topic}`);
  const response = await channel.produce(leader, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30_000,
    topics: [{ topic, partitions }],
  });
  // the broker answers partitions in its own order
  const result = [...(response?.topics[0]?.partitions ?? [])].sort((a, b) => a.partition - b.partition);
  expect(result.map((p) => [p.partition, p.errorCode])).toEqual([...batches.keys()].sort().map((p) => [p, 0]));
  return new Map(result.map((p) => [p.partition, p.baseOffset]));
}

async function readWithKafkaJs(topic: string, count: number): Promise<Sent[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  const read: Sent[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: [string, string | null][] = [];
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          for (const v of Array.isArray(value) ? value : [value])
            headers.push([name, v === null || v === undefined ? null : v.toString()]);
        }
        read.push({
          partition,
          offset: Number(message.offset),
          key: message.key === null ? null : message.key.toString(),
          value: message.value === null ? null : message.value.toString(),
          headers,
          timestamp: Number(message.timestamp),
        });
      },
    });
    await waitUntil(`KafkaJS reading ${topic}`, () => read.length >= count, { timeoutMs: 30_000 });
  } finally {
    await consumer.disconnect();
  }
  return read;
}

const FIELD = '\u001f';
const HEADER = '\u001e';

/** Kafka's Java console consumer, printing CreateTime, partition, offset, every header in order, key and value. */
async function readWithJava(topic: string, count: number): Promise<Sent[]> {
  const { stdout } = await promisify(execFile)(
    resolve(__dirname, '../../../../scripts/kafka'),
    // prettier-ignore
    ['tool', 'console-consumer', '--bootstrap-server', brokers().join(','), '--topic', topic, '--from-beginning',
      '--max-messages', String(count), '--timeout-ms', '45000',
      '--property', 'print.timestamp=true', '--property', 'print.partition=true', '--property', 'print.offset=true',
      '--property', 'print.key=true', '--property', 'print.headers=true',
      '--property', `key.separator=${FIELD}`, '--property', `headers.separator=${HEADER}`,
      '--property', 'headers.deserializer=org.apache.kafka.common.serialization.StringDeserializer'],
    { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const nullable = (s: string | undefined): string | null => (s === undefined || s === 'null' ? null : s);
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('CreateTime:'))
    .map((line) => {
      const [ts, partition, offset, headers, key, value] = line.split(FIELD);
      return {
        partition: Number(partition?.replace('Partition:', '')),
        offset: Number(offset?.replace('Offset:', '')),
        key: nullable(key),
        value: nullable(value),
        headers:
          headers === 'NO_HEADERS'
            ? []
            : (headers ?? '').split(HEADER).map((h): [string, string | null] => {
                const at = h.indexOf(':');
                return [h.slice(0, at), nullable(h.slice(at + 1))];
              }),
        timestamp: Number(ts?.replace('CreateTime:', '')),
      };
    });
}

const byPosition = (a: Sent, b: Sent): number => a.partition - b.partition || a.offset - b.offset;

describe.each(COMPRESSION_CODECS)('the record encoder with %s', (codec) => {
  it('round-trips through the broker to KafkaJS and Java consumers', async () => {
    const topic = await createTopic(`record-encoder-${codec}`, { partitions: 2 });
    topics.push(topic);
    const sent: Sent[] = [];
    const first = new Map([
      [0, recordsFor(0, 0, 60)],
      [1, recordsFor(1, 0, 25)],
    ]);
    const second = new Map([[0, recordsFor(0, 60, 15)]]);
    for (const request of [first, second]) {
      const offsets = await produce(topic, codec, request);
      for (const [partition, records] of request) {
        const base = Number(offsets.get(partition));
        records.forEach((r, i) => sent.push({ ...r, offset: base + i }));
      }
    }
    sent.sort(byPosition);
    expect(sent.filter((r) => r.partition === 0).map((r) => r.offset)).toEqual(Array.from({ length: 75 }, (_, i) => i));

    const kafkaJs = await readWithKafkaJs(topic, sent.length);
    expect(kafkaJs.sort(byPosition)).toEqual(sent);
    const java = await readWithJava(topic, sent.length);
    expect(java.sort(byPosition)).toEqual(sent);
  });
});
