// Claim: when a second process joins the group, the partitions that move away from the first
// process get their consumer's `revoked()` hook there, the moved partitions continue in the new
// process from the committed offsets (no gap), and at SIGTERM every remaining instance gets
// `shutdown()`.
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { disconnectProducer, gaps, processed, produce, spread, startServer } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

interface Hook {
  hook: 'revoked' | 'shutdown';
  partition: number;
  pid: number;
}

test('moved partitions are revoked in the old process and resumed in the new one', async () => {
  const topic = await createTopic('cc-revoked', { partitions: 4 });
  topics.push(topic);
  const env = { DECANTER_TEST_TOPIC: topic, DECANTER_TEST_GROUP: uniqueTopicName('cc-revoked-group'), DECANTER_TEST_COMMIT_MS: '300' };
  const a = await startServer(env);
  let b: Awaited<ReturnType<typeof startServer>> | undefined;
  const hooks = (): Hook[] => processed(`${topic}.hooks`) as unknown as Hook[];
  try {
    await produce(topic, spread(40, 4));
    await waitUntil('A processed all 40', () => processed(topic).length >= 40, { timeoutMs: 30_000 });
    b = await startServer(env);
    await waitUntil('A revoked the partitions that moved to B', () => hooks().some((h) => h.hook === 'revoked'), { timeoutMs: 60_000 });
    await produce(topic, spread(40, 4).map((m) => ({ ...m, payload: { n: 40 + m.payload.n } })));
    await waitUntil('all 80 processed', () => new Set(processed(topic).map((l) => l.n)).size >= 80, { timeoutMs: 60_000 });
  } finally {
    a.child.kill('SIGTERM');
    b?.child.kill('SIGTERM');
    await a.exited;
    await b?.exited;
  }
  const revokedInA = hooks().filter((h) => h.hook === 'revoked' && h.pid === a.child.pid).map((h) => h.partition);
  const lines = processed(topic);
  const bPartitions = new Set(lines.filter((l) => l.pid === b!.child.pid).map((l) => l.partition));
  expect(revokedInA.length).toBeGreaterThan(0);
  // every partition revoked in A went on in B; the others stayed with A and were not revoked
  expect(new Set(revokedInA)).toEqual(bPartitions);
  expect(gaps(lines, { 0: 20, 1: 20, 2: 20, 3: 20 })).toEqual({});
  const shutdownPids = new Set(hooks().filter((h) => h.hook === 'shutdown').map((h) => h.pid));
  expect(shutdownPids).toEqual(new Set([a.child.pid, b!.child.pid]));
});
