// Claim: a virtual-partitioned app killed with SIGKILL loses nothing after a restart, and nothing
// a commit recorded as done — below the committed offset, or processed ahead of it and named in
// the commit metadata — is processed again by the next owner (against the real broker).
import { sleep, createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { decodeProcessedAhead } from '../../src/offset-metadata';
import { committed, disconnectProducer, gaps, processed, produce, startServer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('SIGKILL, restart: no gap, and what the commit recorded as done does not run again', async () => {
  const topic = await createTopic('vp-sigkill');
  topics.push(topic);
  const count = 400;
  // one slow key holds the committed offset back while the seven others run ahead of it
  await produce(topic, Array.from({ length: count }, (_, n) => ({ key: n % 8 === 0 ? 'slow' : `k${n % 8}`, payload: { n, sleepMs: n % 8 === 0 ? 60 : 1 } })));
  const group = uniqueTopicName('vp-sigkill-group');
  const env = { DECANTER_TEST_TOPIC: topic, DECANTER_TEST_GROUP: group, DECANTER_TEST_COMMIT_MS: '150', DECANTER_TEST_MAX_MESSAGES: '80' };
  const first = await startServer(env);
  await waitUntil('progress and a commit with processed-ahead metadata', async () => processed(topic).length >= 120 && (await committed(group, topic)).metadata !== null, { timeoutMs: 30_000, intervalMs: 50 });
  await sleep(50);
  first.child.kill('SIGKILL');
  await first.exited;
  const atKill = processed(topic).length;
  const commit = await committed(group, topic);
  const done = new Set([...Array.from({ length: Math.max(0, commit.offset) }, (_, i) => i), ...decodeProcessedAhead(commit.offset, commit.metadata)]);
  expect(decodeProcessedAhead(commit.offset, commit.metadata).length).toBeGreaterThan(0);

  const second = await startServer(env);
  try {
    await waitUntil(`all ${count} processed`, () => new Set(processed(topic).map((l) => l.offset)).size >= count, { timeoutMs: 60_000 });
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
  const lines = processed(topic);
  expect({ gaps: gaps(lines, count) }).toEqual({ gaps: [] });
  const again = lines.slice(atKill).filter((l) => done.has(l.offset)).map((l) => l.offset);
  expect({ 'what the commit recorded as done and ran again': again }).toEqual({ 'what the commit recorded as done and ran again': [] });
  console.log(`vp sigkill: ${atKill} processed before the kill, committed ${commit.offset} + ${done.size - commit.offset} ahead; ${lines.length - new Set(lines.map((l) => l.offset)).size} duplicates after the restart`);
}, 120_000);
