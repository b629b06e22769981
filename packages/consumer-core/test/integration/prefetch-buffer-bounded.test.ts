// Claim: the prefetch buffer is bounded by queued.max.messages.kbytes: while workers are slow the
// listener holds KafkaJS back (`listener.buffer.hold`) instead of buffering the whole topic, and
// the group keeps its membership (heartbeats) while held — everything is still consumed once.
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, type PartitionsEvent } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('a full buffer holds fetching, heartbeats go on, nothing is lost', async () => {
  const topic = await createTopic('cc-bounded', { partitions: 1 });
  topics.push(topic);
  // ~1 KiB values: 300 messages ≈ 300 KiB against a 16 KiB buffer
  const pad = 'x'.repeat(1000);
  // sent 5 at a time: small record batches, so each fetch (≤ fetch.message.max.bytes) brings ~5 KiB
  for (let i = 0; i < 60; i++) {
    await produce(
      topic,
      Array.from({ length: 5 }, (_, j) => ({ partition: 0, payload: { n: i * 5 + j, sleepMs: i * 5 + j === 0 ? 8000 : 0, pad } as never })),
    );
  }
  const app = new App({
    kafka: {
      ...baseKafka(uniqueTopicName('cc-bounded-group')),
      'queued.max.messages.kbytes': 16,
      'fetch.message.max.bytes': 8192,
      'session.timeout.ms': 6000,
      'heartbeat.interval.ms': 500,
    },
    concurrency: 1,
    maxMessages: 10,
    maxWaitTimeMs: 100,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  let holds = 0;
  let longestHoldMs = 0;
  app.on('listener.buffer.held', (e) => (longestHoldMs = Math.max(longestHoldMs, e.durationMs)));
  let maxBuffered = 0;
  const assignments: PartitionsEvent[] = [];
  app.on('listener.buffer.hold', () => (holds += 1));
  app.on('listener.batch.received', (e) => (maxBuffered = Math.max(maxBuffered, e.bufferedBytes)));
  app.on('partitions.assigned', (e) => assignments.push(e));
  await app.start();
  try {
    // the first batch takes 8 s (longer than the 6 s session timeout) while the buffer is full:
    // only the listener's own heartbeats inside eachBatch keep the membership meanwhile
    await waitUntil('300 processed messages', () => processed(topic).length >= 300, { timeoutMs: 60_000 });
  } finally {
    await app.stop();
  }
  expect(holds).toBeGreaterThan(0);
  expect(longestHoldMs).toBeGreaterThan(6000);
  // the bound plus at most one fetched batch (fetch.message.max.bytes) over it
  expect(maxBuffered).toBeLessThanOrEqual(16 * 1024 + 8192);
  expect(processed(topic).map((l) => l.n)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  expect(assignments).toHaveLength(1); // never evicted and re-joined while held
});
