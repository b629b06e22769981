// Claim: a consumer process killed with SIGKILL in the middle of a batch loses nothing: after a
// restart every message is processed at least once and no offset of any partition is skipped
// (duplicates are allowed and counted: at-least-once).
import { createTopic, deleteTopics, disconnectSharedAdmin, sleep, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { disconnectProducer, gaps, processed, produce, spread, startServer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('SIGKILL mid-batch, restart: every message processed, none skipped', async () => {
  const topic = await createTopic('cc-sigkill', { partitions: 2 });
  topics.push(topic);
  // 20 ms per message and batches of 10: a batch takes ~200 ms, so a kill lands inside one
  await produce(topic, spread(300, 2, { sleepMs: 20 }));
  const env = {
    DECANTER_TEST_TOPIC: topic,
    DECANTER_TEST_GROUP: uniqueTopicName('cc-sigkill-group'),
    DECANTER_TEST_MAX_MESSAGES: '10',
    DECANTER_TEST_COMMIT_MS: '300',
  };
  const first = await startServer(env);
  await waitUntil('some progress before the kill', () => processed(topic).length >= 60, { timeoutMs: 30_000 });
  await sleep(90); // somewhere inside the next batches
  first.child.kill('SIGKILL');
  expect(await first.exited).toBeNull(); // killed by the signal, no exit code
  const beforeRestart = processed(topic).length;
  expect(beforeRestart).toBeLessThan(300);

  const second = await startServer(env);
  try {
    await waitUntil('all 300 messages processed', () => new Set(processed(topic).map((l) => l.n)).size >= 300, { timeoutMs: 60_000 });
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
  const lines = processed(topic);
  expect(gaps(lines, { 0: 150, 1: 150 })).toEqual({});
  const duplicates = lines.length - new Set(lines.map((l) => l.n)).size;
  // the restart resumes from the last commit, not from the beginning
  expect(duplicates).toBeLessThan(beforeRestart);
  console.log(`killed mid-batch: ${beforeRestart} processed before the kill, ${duplicates} duplicates after restart`);
});
