// Claim: when a fetched batch cannot be copied into the prefetch buffer (the copy's allocation
// fails) after KafkaJS already counted it as fetched, nothing is skipped: the failure is reported
// as a listener crash, the listener restarts after fetch.error.backoff.ms, and every message is
// processed at least once — no gap, and no committed offset past an unprocessed message.
// The allocation failure is simulated by making PackedChunk.pack throw once (Kafka is real).
import { createTopic, deleteTopics, disconnectSharedAdmin, sharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, isDecanterConsumerError, type ErrorOccurredEvent } from '@decanter/consumer-core';
import { PackedChunk } from '../../src/messages/packed-chunk';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  jest.restoreAllMocks();
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('a batch that fails to pack is fetched again after a listener restart; every message is processed', async () => {
  const topic = await createTopic('cc-pack-failure', { partitions: 1 });
  topics.push(topic);
  const group = uniqueTopicName('cc-pack-failure-group');
  await produce(topic, spread(100, 1));
  const app = new App({
    kafka: { ...baseKafka(group), 'fetch.error.backoff.ms': 300 },
    concurrency: 1,
    maxMessages: 50,
    maxWaitTimeMs: 100,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  const crashes: ErrorOccurredEvent[] = [];
  app.on('error.occurred', (e) => {
    if (e.type === 'listener.crash') crashes.push(e);
  });
  await app.start();
  try {
    await waitUntil('the first 100 processed', () => processed(topic).length >= 100, { timeoutMs: 30_000 });
    // the next batch KafkaJS hands over cannot be packed
    const pack = jest.spyOn(PackedChunk, 'pack').mockImplementationOnce(() => {
      throw new RangeError('Array buffer allocation failed');
    });
    await produce(topic, spread(100, 1).map((m) => ({ ...m, payload: { n: 100 + m.payload.n } })));
    await waitUntil('the failed pack reported', () => crashes.length >= 1, { timeoutMs: 30_000 });
    expect(pack).toHaveBeenCalled();
    await waitUntil('all 200 processed after the restart', () => new Set(processed(topic).map((l) => l.n)).size >= 200, { timeoutMs: 60_000 });
  } finally {
    await app.stop();
  }
  const crash = crashes[0]!;
  expect(isDecanterConsumerError(crash.error) && crash.error.code).toBe('LISTENER_CRASHED');
  expect(crash.error.message).toContain(`Could not copy a fetched batch of ${topic}-0`);
  expect((crash.error.cause as Error).message).toBe('Array buffer allocation failed');
  // every message at least once, none skipped, in order after the last restart
  const seen = new Set(processed(topic).map((l) => l.n));
  expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  const offsets = await (await sharedAdmin()).fetchOffsets({ groupId: group, topics: [topic] });
  expect(Number(offsets[0]!.partitions[0]!.offset)).toBe(200);
}, 120_000);
