// Claim: messages waiting for their topic's metadata fail at once with DELIVERY_FAILED, naming
// the settings to check, when the metadata request was refused for the producer's own
// credentials; a transient failure (a lost connection) is retried within message.timeout.ms; and
// the next message tries the broker again. (A fake admin stands in for KafkaJS: unit level.)
import type { Admin } from 'kafkajs';
import { hasErrorCode, resolveProducerOptions } from '@decanter/producer';
import { Partitioner } from '../../../src/batching/partitioner';
import { DeliveryPipeline } from '../../../src/delivery/delivery-pipeline';
import { QueueLimits } from '../../../src/delivery/queue-limits';
import type { VariantSettings } from '../../../src/delivery/variant-settings';
import { Monitor } from '../../../src/events';
import { PartitionMetadataCache } from '../../../src/metadata/partition-metadata-cache';

const variant: VariantSettings = { key: 'v', acks: -1, compression: 'none', compressionType: 0, timeoutMs: 60_000, requestTimeoutMs: 1_000 };
const refused = Object.assign(new Error('SASL PLAIN authentication failed: Authentication failed: Invalid username or password'), {
  name: 'KafkaJSSASLAuthenticationError',
  retriable: false,
});
const dropped = Object.assign(new Error('Connection error: read ECONNRESET'), { name: 'KafkaJSConnectionError', code: 'ECONNRESET', retriable: true });

/** A pipeline whose admin answers metadata requests with `answers`, one per request (the last repeats). */
function pipelineWith(answers: Array<Error | 'ok'>) {
  let requests = 0;
  const admin = {
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      const answer = answers[Math.min(requests, answers.length - 1)];
      requests += 1;
      if (answer instanceof Error) throw answer;
      return { topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }] })) };
    },
  } as unknown as Admin;
  const options = resolveProducerOptions({ kafka: { 'bootstrap.servers': '127.0.0.1:1', 'retry.backoff.ms': 5, 'allow.auto.create.topics': false } });
  const shared = {
    options,
    monitor: new Monitor(),
    limits: new QueueLimits(options.queueMaxMessages, options.queueMaxBytes, options.id),
    metadata: new PartitionMetadataCache(async () => admin, options.metadataMaxAgeMs, undefined),
    partitioner: new Partitioner(),
  };
  const sent: number[] = [];
  const pipeline = new DeliveryPipeline(shared, async (request) => {
    sent.push(request.topicMessages.length);
    return request.topicMessages.map((t) => ({ topicName: t.topic, partition: 0, errorCode: 0, baseOffset: '0' }));
  });
  return { pipeline, requests: () => requests, sent };
}

it('fails at once, naming the settings, when the credentials are refused; the next message asks again', async () => {
  const { pipeline, requests } = pipelineWith([refused]);
  const started = Date.now();
  const first = await pipeline.produce({ topic: 't', payload: 'x' }, variant).catch((e: unknown) => e);
  expect(hasErrorCode(first, 'DELIVERY_FAILED')).toBe(true);
  expect((first as Error).message).toMatch(/^No partition metadata for topic 't': the broker refused the credentials: check sasl\.username/);
  expect(Date.now() - started).toBeLessThan(5_000); // not message.timeout.ms (60 s here)
  expect(requests()).toBe(1);
  await expect(pipeline.produce({ topic: 't', payload: 'y' }, variant)).rejects.toThrow(/refused the credentials/);
  expect(requests()).toBe(2);
});

it('retries a metadata request that failed for a transient reason', async () => {
  const { pipeline, requests, sent } = pipelineWith([dropped, dropped, 'ok']);
  const report = await pipeline.produce({ topic: 't', payload: 'x' }, variant);
  expect(report).toMatchObject({ topic: 't', partition: 0, offset: '0' });
  expect(requests()).toBe(3);
  expect(sent).toEqual([1]);
});
