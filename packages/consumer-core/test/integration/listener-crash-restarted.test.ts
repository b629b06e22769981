// Claim: when the KafkaJS consumer of a subscription group crashes with an error KafkaJS does not
// restart on its own (restart: false — here the broker refuses the session timeout with the
// non-retriable INVALID_SESSION_TIMEOUT), the crash is reported on error.occurred and Decanter
// starts the listener again after fetch.error.backoff.ms — and again — until stop().
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, isDecanterConsumerError, type ErrorOccurredEvent } from '@decanter/consumer-core';
import { baseKafka, recordingConsumer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectSharedAdmin();
});

test('a crash KafkaJS will not restart is reported and restarted after fetch.error.backoff.ms', async () => {
  const topic = await createTopic('cc-crash', { partitions: 1 });
  topics.push(topic);
  const app = new App({
    // the broker's group.min.session.timeout.ms is 6000: 2000 is refused at every JoinGroup
    kafka: { ...baseKafka(uniqueTopicName('cc-crash-group')), 'session.timeout.ms': 2_000, 'heartbeat.interval.ms': 500, 'fetch.error.backoff.ms': 400 },
    concurrency: 1,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  const crashes: Array<ErrorOccurredEvent & { at: number }> = [];
  app.on('error.occurred', (e) => {
    if (e.type === 'listener.crash') crashes.push({ ...e, at: Date.now() });
  });
  await app.start();
  try {
    await waitUntil('three crashes (two restarts by Decanter)', () => crashes.length >= 3, { timeoutMs: 30_000 });
  } finally {
    await app.stop();
  }
  for (const crash of crashes) {
    expect(isDecanterConsumerError(crash.error) && crash.error.code).toBe('LISTENER_CRASHED');
    expect(crash.error.message).toContain('Decanter restarts it in 400 ms');
    expect(String((crash.error.cause as Error).message)).toMatch(/session timeout/i);
  }
  // restarts wait for the backoff
  for (let i = 1; i < 3; i++) expect(crashes[i]!.at - crashes[i - 1]!.at).toBeGreaterThanOrEqual(380);
  const count = crashes.length;
  await new Promise((r) => setTimeout(r, 1_000));
  expect(crashes.length).toBe(count); // stop() ended the restart loop
});
