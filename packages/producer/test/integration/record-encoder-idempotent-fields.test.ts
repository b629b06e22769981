// Claim: the producer id, epoch and base sequence our encoder writes are the ones the broker's
// idempotence checks read: with a producer id from InitProducerId, consecutive sequences are
// accepted, a batch sent again with its sequence is deduplicated (acknowledged at its first
// offset, stored once), and a gap in the sequence is refused with OUT_OF_ORDER_SEQUENCE_NUMBER.
// (The encoder only writes the fields; deciding them is the EOS manager's job — not here yet.)
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, topicMessageCount } from '@decanter/test-helpers';
import type { ProduceChannel } from '../../src/encoding/encoded-send-batch';
import type { ProducerState } from '../../src/encoding/producer-state';
import { RecordBatchBuilder } from '../../src/encoding/record-batch-builder';
import { captureCluster, kafkaJsProduceChannel, type KafkaJsCluster } from '../../src/network/kafkajs-internals';

const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
let producer: Producer;
let cluster: KafkaJsCluster;
let channel: ProduceChannel;
let topic: string;

beforeAll(async () => {
  const kafka = new Kafka({ clientId: 'record-encoder-idempotence', brokers: brokers(), logLevel: logLevel.NOTHING });
  const captured = captureCluster(kafka, () => kafka.producer());
  producer = captured.client;
  cluster = captured.cluster;
  await producer.connect();
  channel = kafkaJsProduceChannel(cluster);
  topic = await createTopic('record-encoder-idempotence');
});

afterAll(async () => {
  await producer.disconnect();
  await deleteTopics([topic]);
  await disconnectSharedAdmin();
});

function batch(state: ProducerState, count: number): Buffer {
  const builder = new RecordBatchBuilder();
  for (let i = 0; i < count; i++) builder.append(null, `seq ${state.baseSequence + i}`, Date.now());
  return builder.sealUncompressed(state);
}

async function send(bytes: Buffer): Promise<{ errorCode: number; baseOffset: string }> {
  const leader = (await channel.leaders([topic])).get(topic)?.get(0) ?? -1;
  const response = await channel.produce(leader, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 10_000,
    topics: [{ topic, partitions: [{ partition: 0, batch: bytes }] }],
  });
  const p = response?.topics[0]?.partitions[0];
  return { errorCode: p?.errorCode ?? -100, baseOffset: p?.baseOffset ?? '' };
}

it('the broker checks the sequences we write', async () => {
  // InitProducerId through KafkaJS's broker object (test only: the seam has no EOS manager yet)
  const broker = (await cluster.findBroker({
    nodeId: (await channel.leaders([topic])).get(topic)!.get(0)!,
  })) as unknown as {
    initProducerId(request: { transactionTimeout: number }): Promise<{ producerId: string; producerEpoch: number }>;
  };
  const { producerId, producerEpoch } = await broker.initProducerId({ transactionTimeout: 30_000 });
  const state = (baseSequence: number): ProducerState => ({
    producerId: BigInt(producerId),
    producerEpoch,
    baseSequence,
    transactional: false,
  });

  expect(await send(batch(state(0), 10))).toEqual({ errorCode: 0, baseOffset: '0' });
  const second = batch(state(10), 5);
  expect(await send(second)).toEqual({ errorCode: 0, baseOffset: '10' });
  expect(await send(second)).toEqual({ errorCode: 0, baseOffset: '10' }); // a retry: deduplicated
  expect(await topicMessageCount(topic)).toBe(15);
  expect((await send(batch(state(20), 1))).errorCode).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
  expect(await send(batch(state(15), 2))).toEqual({ errorCode: 0, baseOffset: '15' });
  expect(await topicMessageCount(topic)).toBe(17);
});
