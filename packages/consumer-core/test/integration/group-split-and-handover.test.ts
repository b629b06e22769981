// Claim: two processes in one consumer group split the partitions; after one leaves (SIGTERM),
// the other takes its partitions over from the committed offsets: every offset of every
// partition is processed, with no gap.
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { disconnectProducer, gaps, processed, produce, spread, startServer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('two processes split partitions, the survivor continues without a gap', async () => {
  const topic = await createTopic('cc-split', { partitions: 4 });
  topics.push(topic);
  const env = { DECANTER_TEST_TOPIC: topic, DECANTER_TEST_GROUP: uniqueTopicName('cc-split-group'), DECANTER_TEST_COMMIT_MS: '500' };
  const a = await startServer(env);
  const b = await startServer(env);
  try {
    // 15 ms per message keeps both busy long enough to see the split
    await produce(topic, spread(400, 4, { sleepMs: 15 }));
    await waitUntil('both processes processing', () => new Set(processed(topic).map((l) => l.pid)).size === 2, { timeoutMs: 60_000 });
    const partitionsOf = (pid: number | undefined): Set<number> =>
      new Set(processed(topic).filter((l) => l.pid === pid).map((l) => l.partition));
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    const aPartitions = partitionsOf(a.child.pid);
    expect(aPartitions.size).toBeGreaterThan(0);
    expect(aPartitions.size).toBeLessThan(4);

    await produce(topic, spread(200, 4).map((m) => ({ ...m, payload: { n: 400 + m.payload.n } })));
    await waitUntil('all 600 messages processed', () => new Set(processed(topic).map((l) => l.n)).size >= 600, { timeoutMs: 90_000 });
    const lines = processed(topic);
    expect(gaps(lines, { 0: 150, 1: 150, 2: 150, 3: 150 })).toEqual({});
    // after A left, B processed the newest messages of every partition, A's included
    const late = lines.filter((l) => l.n >= 400);
    expect(new Set(late.map((l) => l.pid))).toEqual(new Set([b.child.pid]));
    expect(new Set(late.map((l) => l.partition))).toEqual(new Set([0, 1, 2, 3]));
  } finally {
    a.child.kill('SIGKILL');
    b.child.kill('SIGTERM');
    await b.exited;
  }
});
