// Claim: encodedSendBatch, the seam that can replace KafkaJS's sendBatch under the dispatcher,
// keeps its contract over a KafkaJS producer's own connections: the same RecordMetadata per
// partition (offsets that are what consumers read), messages without a timestamp stamped at
// send time, acks 0 resolving with no results, a partition KafkaJS's metadata does not know left
// out, and a broker's refusal thrown as KafkaJS's own protocol error.
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import {
  brokers,
  createTopic,
  deleteTopics,
  disconnectSharedAdmin,
  topicMessageCount,
  waitUntil,
} from '@decanter/test-helpers';
import type { SendBatch } from '../../src/delivery/dispatcher';
import { encodedSendBatch } from '../../src/encoding/encoded-send-batch';
import { captureCluster, kafkaJsProduceChannel } from '../../src/network/kafkajs-internals';

let kafka: Kafka;
let producer: Producer;
let send: SendBatch;
const topics: string[] = [];

beforeAll(async () => {
  kafka = new Kafka({ clientId: 'record-encoder-seam', brokers: brokers(), logLevel: logLevel.NOTHING });
  const captured = captureCluster(kafka, () => kafka.producer());
  producer = captured.client;
  await producer.connect();
  send = encodedSendBatch(kafkaJsProduceChannel(captured.cluster));
});

afterAll(async () => {
  await producer.disconnect();
  await deleteTopics(topics.splice(0));
  await disconnectSharedAdmin();
});

async function newTopic(
  prefix: string,
  partitions = 1,
  configEntries?: { name: string; value: string }[],
): Promise<string> {
  const t = await createTopic(
    `record-encoder-seam-${prefix}`,
    configEntries === undefined ? { partitions } : { partitions, configEntries },
  );
  topics.push(t);
  return t;
}

const messages = (partition: number, count: number, timestamp?: string): Message[] =>
  Array.from({ length: count }, (_, i) => ({
    partition,
    key: `k${i}`,
    value: `v${partition}-${i}`,
    headers: { n: String(i) },
    ...(timestamp === undefined ? {} : { timestamp }),
  }));

async function readAll(
  topic: string,
  count: number,
): Promise<{ partition: number; offset: string; value: string; timestamp: number }[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  const read: { partition: number; offset: string; value: string; timestamp: number }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        read.push({
          partition,
          offset: message.offset,
          value: String(message.value),
          timestamp: Number(message.timestamp),
        });
      },
    });
    await waitUntil(`reading ${topic}`, () => read.length >= count, { timeoutMs: 30_000 });
  } finally {
    await consumer.disconnect();
  }
  return read;
}

it('sends several topics and partitions in one call with KafkaJS sendBatch results', async () => {
  const a = await newTopic('a', 3);
  const b = await newTopic('b', 2);
  const before = Date.now();
  const request = {
    acks: -1,
    timeout: 30_000,
    compression: 0,
    topicMessages: [
      { topic: a, messages: [...messages(0, 5), ...messages(2, 3, '1600000000000'), ...messages(1, 4)] },
      { topic: b, messages: messages(1, 6) },
    ],
  };
  const produceRequests: number[] = [];
  const off = producer.on(producer.events.REQUEST, (e) => {
    if (e.payload.apiName === 'Produce') produceRequests.push(e.payload.apiVersion);
  });
  const first = await send(request);
  const second = await send(request);
  const after = Date.now();
  off();
  // through KafkaJS's connection: its own REQUEST instrumentation sees them, at the version it negotiates
  expect(produceRequests).toEqual([7, 7]);
  const summary = (results: typeof first): string[] =>
    results.map((r) => `${r.topicName === a ? 'a' : 'b'}/${r.partition}:${r.errorCode}@${r.baseOffset}`).sort();
  expect(summary(first)).toEqual(['a/0:0@0', 'a/1:0@0', 'a/2:0@0', 'b/1:0@0']);
  expect(summary(second)).toEqual(['a/0:0@5', 'a/1:0@4', 'a/2:0@3', 'b/1:0@6']);

  // the same fields as KafkaJS's own sendBatch
  const own = await producer.sendBatch({ acks: -1, topicMessages: [{ topic: b, messages: messages(0, 1) }] });
  expect(Object.keys(first[0]!).sort()).toEqual(Object.keys(own[0]!).sort());

  const read = await readAll(a, 24);
  const p2 = read.filter((r) => r.partition === 2);
  expect(p2.map((r) => r.timestamp)).toEqual(Array(6).fill(1_600_000_000_000));
  for (const r of read.filter((x) => x.partition !== 2)) {
    expect(r.timestamp).toBeGreaterThanOrEqual(before);
    expect(r.timestamp).toBeLessThanOrEqual(after);
  }
  expect(read.filter((r) => r.partition === 1).map((r) => `${r.offset}:${r.value}`)).toEqual(
    [0, 1, 2, 3, 0, 1, 2, 3].map((i, n) => `${n}:v1-${i}`),
  );
});

it('with acks 0 resolves with no results, and the messages arrive', async () => {
  const t = await newTopic('acks0');
  await expect(
    send({ acks: 0, timeout: 30_000, compression: 0, topicMessages: [{ topic: t, messages: messages(0, 7) }] }),
  ).resolves.toEqual([]);
  await waitUntil('acks 0 messages stored', async () => (await topicMessageCount(t)) === 7, { timeoutMs: 10_000 });
});

it('leaves out a partition the metadata does not know, as KafkaJS does', async () => {
  const t = await newTopic('unknown-partition');
  const results = await send({
    acks: 1,
    timeout: 30_000,
    compression: 0,
    topicMessages: [{ topic: t, messages: [...messages(0, 2), ...messages(5, 2)] }],
  });
  expect(results.map((r) => r.partition)).toEqual([0]);
});

it("throws a broker's refusal as KafkaJS's protocol error", async () => {
  const t = await newTopic('too-large', 1, [{ name: 'max.message.bytes', value: '1000' }]);
  const big: Message[] = [{ partition: 0, key: null, value: 'x'.repeat(5000) }];
  await expect(
    send({ acks: 1, timeout: 30_000, compression: 0, topicMessages: [{ topic: t, messages: big }] }),
  ).rejects.toMatchObject({
    name: 'KafkaJSProtocolError',
    type: expect.stringMatching(/^(MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE)$/),
  });
});
