// Claim: SIGTERM stops a consumer process gracefully: it exits with code 0 and commits what it
// processed at shutdown — with the interval commit effectively off (10 min), only the shutdown
// commit can have stored the offsets.
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { committedOffsets, disconnectProducer, processed, produce, spread, startServer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('SIGTERM: exit code 0 and processed offsets committed', async () => {
  const topic = await createTopic('cc-graceful', { partitions: 2 });
  topics.push(topic);
  await produce(topic, spread(100, 2));
  const group = uniqueTopicName('cc-graceful-group');
  const server = await startServer({ DECANTER_TEST_TOPIC: topic, DECANTER_TEST_GROUP: group, DECANTER_TEST_COMMIT_MS: '600000' });
  await waitUntil('100 processed messages', () => processed(topic).length >= 100, { timeoutMs: 30_000 });
  expect(await committedOffsets(group, topic)).toEqual({ 0: -1, 1: -1 });
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  expect(server.output()).toContain('decanter: stopped');
  expect(await committedOffsets(group, topic)).toEqual({ 0: 50, 1: 50 });
});

test('a job outliving shutdownTimeoutMs: exit code 3, its offsets not committed', async () => {
  const topic = await createTopic('cc-graceful-timeout', { partitions: 1 });
  topics.push(topic);
  await produce(topic, [{ partition: 0, payload: { n: 0 } }]);
  const group = uniqueTopicName('cc-graceful-timeout-group');
  const server = await startServer({
    DECANTER_TEST_TOPIC: topic,
    DECANTER_TEST_GROUP: group,
    DECANTER_TEST_COMMIT_MS: '600000',
    DECANTER_TEST_SHUTDOWN_MS: '500',
  });
  await waitUntil('the first message processed', () => processed(topic).length >= 1, { timeoutMs: 30_000 });
  await produce(topic, [{ partition: 0, payload: { n: 1, sleepMs: 10_000 } }]);
  await waitUntil('the slow job to start', () => server.output().length > 0 && server.child.exitCode === null, { timeoutMs: 5_000 });
  await new Promise((r) => setTimeout(r, 1500)); // the slow message is fetched and running
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(3);
  // offset 0 was processed (committed at shutdown); offset 1 was not finished and must not be
  expect(await committedOffsets(group, topic)).toEqual({ 0: 1 });
});
