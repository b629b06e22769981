// Claim: the broker verifies the CRC-32C our encoder writes: a batch whose CRC was flipped, or
// whose record bytes changed under an intact CRC, is refused with CORRUPT_MESSAGE and nothing of
// it is stored, while the same batch untouched is accepted (plain and compressed).
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, topicMessageCount } from '@decanter/test-helpers';
import { batchCompressor } from '../../src/encoding/batch-compression';
import type { ProduceChannel } from '../../src/encoding/encoded-send-batch';
import { RecordBatchBuilder } from '../../src/encoding/record-batch-builder';
import { BatchField } from '../../src/encoding/record-batch-layout';
import { captureCluster, kafkaJsProduceChannel, protocolError } from '../../src/network/kafkajs-internals';

const CORRUPT_MESSAGE = 2;
let producer: Producer;
let channel: ProduceChannel;
const topics: string[] = [];

beforeAll(async () => {
  const kafka = new Kafka({ clientId: 'record-encoder-crc', brokers: brokers(), logLevel: logLevel.NOTHING });
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

async function batchOf(codec: 'none' | 'gzip', count: number): Promise<Buffer> {
  const builder = new RecordBatchBuilder();
  for (let i = 0; i < count; i++) builder.append(`k${i}`, `value ${i} ${'x'.repeat(40)}`, Date.now(), { i: String(i) });
  return Buffer.from(await builder.seal({ compressor: batchCompressor(codec) }));
}

async function send(topic: string, batch: Buffer): Promise<number> {
  const leader = (await channel.leaders([topic])).get(topic)?.get(0) ?? -1;
  const response = await channel.produce(leader, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 10_000,
    topics: [{ topic, partitions: [{ partition: 0, batch }] }],
  });
  return response?.topics[0]?.partitions[0]?.errorCode ?? -100;
}

it.each(['none', 'gzip'] as const)('a corrupted batch (%s) is refused, the intact one accepted', async (codec) => {
  const topic = await createTopic(`record-encoder-crc-${codec}`);
  topics.push(topic);
  const good = await batchOf(codec, 10);

  const flippedCrc = Buffer.from(good);
  flippedCrc[BatchField.crc + 3]! ^= 0x01;
  expect(await send(topic, flippedCrc)).toBe(CORRUPT_MESSAGE);

  const flippedRecord = Buffer.from(good);
  flippedRecord[flippedRecord.length - 5]! ^= 0x20; // a byte inside the records, the CRC left as it was
  expect(await send(topic, flippedRecord)).toBe(CORRUPT_MESSAGE);

  expect(await topicMessageCount(topic)).toBe(0);
  expect(await send(topic, good)).toBe(0);
  expect(await topicMessageCount(topic)).toBe(10);
  // what the seam throws for it: KafkaJS's own error, so delivery classifies both paths alike
  expect(protocolError(CORRUPT_MESSAGE)).toMatchObject({ name: 'KafkaJSProtocolError', type: 'CORRUPT_MESSAGE' });
});
