// Claim: a message's handle settles within message.timeout.ms (+ the timer's margin) even when
// KafkaJS never answers its request, or its topic's metadata never comes; it settles once: the
// late answer is not reported (no `message.acknowledged`, no second `error.occurred`) and a
// message reported failed is not counted as delivered; the pipeline counts it as settled at once
// (`queued`, drain) but keeps its queue room until KafkaJS lets go of the request.
// (A fake admin and a fake sendBatch stand in for KafkaJS: unit level.)
import type { Admin, RecordMetadata } from 'kafkajs';
import { hasErrorCode, resolveProducerOptions, type DeliveryError, type ErrorEvent } from '@decanter/producer';
import { Partitioner } from '../../../src/batching/partitioner';
import { DeliveryPipeline } from '../../../src/delivery/delivery-pipeline';
import type { SendBatch, SendBatchRequest } from '../../../src/delivery/dispatcher';
import { QueueLimits } from '../../../src/delivery/queue-limits';
import type { VariantSettings } from '../../../src/delivery/variant-settings';
import { Monitor } from '../../../src/events';
import { PartitionMetadataCache } from '../../../src/metadata/partition-metadata-cache';

/** How late a timer may fire on a loaded test machine (the documented margin is the event loop's delay). */
const MARGIN_MS = 100;
const TIMEOUT_MS = 300;
const variant: VariantSettings = { key: 'v', acks: -1, compression: 'none', compressionType: 0, timeoutMs: TIMEOUT_MS, requestTimeoutMs: 1_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pipelineWith(send: SendBatch, metadata: () => Promise<void> = async () => undefined) {
  const admin = {
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      await metadata();
      return { topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }] })) };
    },
  } as unknown as Admin;
  const options = resolveProducerOptions({ kafka: { 'bootstrap.servers': '127.0.0.1:1', 'queue.buffering.max.ms': 0, 'allow.auto.create.topics': false } });
  const monitor = new Monitor();
  const limits = new QueueLimits(options.queueMaxMessages, options.queueMaxBytes, options.id);
  const shared = { options, monitor, limits, metadata: new PartitionMetadataCache(async () => admin, options.metadataMaxAgeMs, undefined), partitioner: new Partitioner() };
  const acknowledged: string[] = [];
  const errors: ErrorEvent[] = [];
  monitor.on('message.acknowledged', (e) => acknowledged.push(String(e.report.offset)));
  monitor.on('error.occurred', (e) => errors.push(e));
  return { pipeline: new DeliveryPipeline(shared, send), limits, acknowledged, errors };
}

/** A fake KafkaJS that answers only when told to (or never). */
function heldSend() {
  const pending: Array<{ request: SendBatchRequest; resolve: (r: RecordMetadata[]) => void; reject: (e: Error) => void }> = [];
  const send: SendBatch = (request) => new Promise((resolve, reject) => pending.push({ request, resolve, reject }));
  const ok = (): void => {
    const p = pending.shift();
    p?.resolve(p.request.topicMessages.map((t) => ({ topicName: t.topic, partition: 0, errorCode: 0, baseOffset: '0' })));
  };
  return { send, ok, fail: (e: Error) => pending.shift()?.reject(e), get count() { return pending.length; } };
}

/** Produces `n` messages and records when each handle settled and how. */
function produceMany(pipeline: DeliveryPipeline, n: number) {
  const start = Date.now();
  const settled: Array<{ at: number; ok: boolean; error?: DeliveryError }> = [];
  const done = Array.from({ length: n }, (_, i) =>
    Promise.resolve(pipeline.queue({ topic: 't', payload: `m${i}` }, variant)).then((handle) => handle.wait()).then(
      () => void settled.push({ at: Date.now(), ok: true }),
      (error: DeliveryError) => void settled.push({ at: Date.now(), ok: false, error }),
    ),
  );
  return { start, settled, done: Promise.all(done) };
}

it('handles of a request KafkaJS never answers settle within message.timeout.ms + margin, once, not counted delivered', async () => {
  const broker = heldSend();
  const { pipeline, limits, acknowledged, errors } = pipelineWith(broker.send);
  const { start, settled, done } = produceMany(pipeline, 50);
  await done;
  const lateness = Math.max(...settled.map((s) => s.at - start)) - TIMEOUT_MS;
  expect(lateness).toBeLessThanOrEqual(MARGIN_MS);
  expect(settled.every((s) => !s.ok && hasErrorCode(s.error, 'DELIVERY_TIMED_OUT') && s.error?.possiblyPersisted === true)).toBe(true);
  expect(pipeline.queued).toBe(0); // settled: drain() and close() need not wait for KafkaJS
  expect(pipeline.failures).toBe(50);
  expect(limits.messages).toBe(50); // but still in memory: KafkaJS holds the request
  // The late answer is a success: nothing is reported twice, nothing counted delivered.
  broker.ok();
  await sleep(20);
  expect(acknowledged).toEqual([]);
  expect(errors.filter((e) => e.type === 'message.delivery')).toHaveLength(50);
  expect(pipeline.failures).toBe(50);
  expect(limits.messages).toBe(0); // the room is released once KafkaJS let go
});

it('a late failure is not reported a second time and the messages are not resent', async () => {
  const broker = heldSend();
  const { pipeline, limits, errors } = pipelineWith(broker.send);
  const { done } = produceMany(pipeline, 3);
  await done;
  broker.fail(Object.assign(new Error('Request timed out'), { name: 'KafkaJSRequestTimeoutError', retriable: true }));
  await sleep(50);
  expect(broker.count).toBe(0); // no retry: every message of it has its outcome
  expect(errors.filter((e) => e.type === 'message.delivery')).toHaveLength(3);
  expect(limits.messages).toBe(0);
});

it('handles of messages whose topic metadata never comes settle on time, certainly not written', async () => {
  const never = new Promise<void>(() => undefined);
  const broker = heldSend();
  const { pipeline, limits } = pipelineWith(broker.send, () => never);
  const { start, settled, done } = produceMany(pipeline, 5);
  await done;
  expect(Math.max(...settled.map((s) => s.at - start)) - TIMEOUT_MS).toBeLessThanOrEqual(MARGIN_MS);
  expect(settled.every((s) => hasErrorCode(s.error, 'DELIVERY_TIMED_OUT') && s.error?.possiblyPersisted === false)).toBe(true);
  expect(broker.count).toBe(0);
  expect(limits.messages).toBe(0); // nothing else holds them
});

it('drain() resolves once every message has its outcome; whenIdle() waits for KafkaJS to answer, up to a bound', async () => {
  const broker = heldSend();
  const { pipeline } = pipelineWith(broker.send);
  produceMany(pipeline, 2);
  const drained = Date.now();
  await pipeline.drain();
  expect(Date.now() - drained).toBeLessThanOrEqual(TIMEOUT_MS + MARGIN_MS);
  const bounded = Date.now();
  await pipeline.whenIdle(Date.now() + 50);
  expect(Date.now() - bounded).toBeGreaterThanOrEqual(45);
  setTimeout(() => broker.ok(), 20);
  await pipeline.whenIdle(Date.now() + 60_000);
  pipeline.stop();
});
