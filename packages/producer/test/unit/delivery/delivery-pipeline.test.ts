// Claim: messages waiting for their topic's metadata fail at once with DELIVERY_FAILED, naming
// the settings to check, when the metadata request was refused for the producer's own
// credentials; a transient failure (a lost connection) is retried within message.timeout.ms; and
// the next message tries the broker again. A message produced while others wait for metadata
// never overtakes them. queueMany gives every message a handle even when room runs out midway.
// (A fake admin and a fake sendBatch stand in for KafkaJS: unit level.)
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
function pipelineWith(answers: Array<Error | 'ok'>, kafka: Record<string, unknown> = {}, options: Record<string, unknown> = {}) {
  let requests = 0;
  const admin = {
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      const answer = answers[Math.min(requests, answers.length - 1)];
      requests += 1;
      if (answer instanceof Error) throw answer;
      return { topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }] })) };
    },
  } as unknown as Admin;
  const resolved = resolveProducerOptions({ kafka: { 'bootstrap.servers': '127.0.0.1:1', 'retry.backoff.ms': 5, 'allow.auto.create.topics': false, ...kafka }, ...options });
  const shared = {
    options: resolved,
    monitor: new Monitor(),
    limits: new QueueLimits(resolved.queueMaxMessages, resolved.queueMaxBytes, resolved.id),
    metadata: new PartitionMetadataCache(async () => admin, resolved.metadataMaxAgeMs, undefined),
    partitioner: new Partitioner(),
  };
  const sent: number[] = [];
  /** Payloads of each request, in order. */
  const payloads: string[][] = [];
  let hold: Promise<void> = Promise.resolve();
  const pipeline = new DeliveryPipeline(shared, async (request) => {
    sent.push(request.topicMessages.length);
    payloads.push(request.topicMessages.flatMap((t) => t.messages.map((m) => String(m.value))));
    await hold;
    return request.topicMessages.map((t) => ({ topicName: t.topic, partition: 0, errorCode: 0, baseOffset: '0' }));
  });
  const holdRequests = (): (() => void) => {
    let release = (): void => undefined;
    hold = new Promise<void>((r) => (release = r));
    return release;
  };
  return { pipeline, requests: () => requests, sent, payloads, shared, holdRequests };
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

it('a message produced while earlier ones wait for metadata never overtakes them', async () => {
  const { pipeline, payloads, shared } = pipelineWith(['ok'], { 'queue.buffering.max.ms': 0 });
  // The moment the cache learns the topic, before the pipeline has placed its waiting messages,
  // a new message arrives (forced here; in production another caller in the same turn).
  const cache = (shared.metadata as unknown as { cache: Map<string, unknown> }).cache;
  const set = cache.set.bind(cache);
  let third: Promise<unknown> | undefined;
  cache.set = (key, value) => {
    const result = set(key, value);
    third ??= pipeline.produce({ topic: 't', payload: 'third' }, variant);
    return result;
  };
  await Promise.all([pipeline.produce({ topic: 't', payload: 'first' }, variant), pipeline.produce({ topic: 't', payload: 'second' }, variant)]);
  await third;
  expect(payloads.flat()).toEqual(['first', 'second', 'third']);
});

it('queueMany gives every message a handle when room runs out midway: the queued ones go, the rest fail with QUEUE_FULL', async () => {
  const { pipeline, payloads, holdRequests } = pipelineWith(['ok'], { 'queue.buffering.max.messages': 2, 'queue.buffering.max.ms': 0 }, { maxWaitTimeoutMs: 20 });
  const release = holdRequests(); // the first requests stay in flight: the queue stays full
  const messages = ['a', 'b', 'c', 'd'].map((payload) => ({ topic: 't', payload }));
  const refused: number[] = [];
  const handles = await pipeline.queueMany(messages, variant, undefined, (from) => refused.push(from));
  expect(handles.map((h) => h.message.payload)).toEqual(['a', 'b', 'c', 'd']);
  expect(refused).toEqual([2]); // the application buffer keeps messages from there
  const outcomes = Promise.all(handles.map((h) => h.wait().then(() => 'delivered', (e: unknown) => (hasErrorCode(e, 'QUEUE_FULL') ? 'QUEUE_FULL' : String(e)))));
  release();
  expect(await outcomes).toEqual(['delivered', 'delivered', 'QUEUE_FULL', 'QUEUE_FULL']);
  expect(payloads.flat()).toEqual(['a', 'b']);
});

it('queueMany fails as a whole, queuing nothing, when not even its first message finds room', async () => {
  const { pipeline, holdRequests } = pipelineWith(['ok'], { 'queue.buffering.max.messages': 1, 'queue.buffering.max.ms': 0 }, { maxWaitTimeoutMs: 20 });
  const release = holdRequests();
  const first = pipeline.produce({ topic: 't', payload: 'a' }, variant);
  await new Promise((r) => setTimeout(r, 5));
  await expect(pipeline.queueMany([{ topic: 't', payload: 'b' }], variant)).rejects.toMatchObject({ code: 'QUEUE_FULL' });
  release();
  await first;
});
