// Claim: an App with no feature assigns partitions stickily. Two Apps share 6 partitions; a third
// joins: only the 2 partitions it takes move (round-robin over sorted member ids may move 4 or
// all 6); it leaves: only its 2 move back, and each of the first two keeps everything it held.
// Each App is its own KafkaJS consumer, so its own member of the group.
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App } from '@decanter/consumer-core';
import { baseKafka, recordingConsumer } from './support';

const topics: string[] = [];
const apps: App[] = [];
afterAll(async () => {
  await Promise.allSettled(apps.map((a) => a.stop()));
  await deleteTopics(topics);
  await disconnectSharedAdmin();
});

interface Member {
  app: App;
  /** Its partitions after its latest assignment, and how many assignments it got. */
  held: Set<number>;
  assignments: number;
}

function member(topic: string, group: string): Member {
  const app = new App({
    kafka: { ...baseKafka(group), 'session.timeout.ms': 6_000 },
    logger: false,
    concurrency: 1,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  apps.push(app);
  const m: Member = { app, held: new Set(), assignments: 0 };
  app.on('partitions.assigned', (e) => {
    m.held = new Set(e.partitions.filter((p) => p.topic === topic).map((p) => p.partition));
    m.assignments += 1;
  });
  return m;
}

/** Waits until every member got an assignment after `since` and together they hold all 6 partitions once. */
async function settled(members: Member[], since: number[], what: string): Promise<void> {
  await waitUntil(
    what,
    () => {
      if (members.some((m, i) => m.assignments <= (since[i] ?? 0))) return false;
      const all = members.flatMap((m) => [...m.held]);
      return all.length === 6 && new Set(all).size === 6;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

const moved = (before: Set<number>, after: Set<number>): number => [...before].filter((p) => !after.has(p)).length;

test('a third member joining moves only the partitions it takes; leaving, only those come back', async () => {
  const topic = await createTopic('cc-sticky', { partitions: 6 });
  topics.push(topic);
  const group = uniqueTopicName('cc-sticky-group');
  const a = member(topic, group);
  const b = member(topic, group);
  await a.app.start();
  await b.app.start();
  await settled([a, b], [0, 0], 'A and B to share the 6 partitions');
  // B's join may have come after A's first assignment: wait until both saw the same generation
  await waitUntil('A and B each with 3', () => a.held.size === 3 && b.held.size === 3, { timeoutMs: 60_000, intervalMs: 100 });
  const aBefore = new Set(a.held);
  const bBefore = new Set(b.held);

  const c = member(topic, group);
  const counts = [a.assignments, b.assignments];
  await c.app.start();
  await settled([a, b, c], [...counts, 0], 'A, B and C to share the 6 partitions');
  expect([a.held.size, b.held.size, c.held.size]).toEqual([2, 2, 2]);
  // each of A and B gave up exactly one partition: 2 moved in all, the fewest balance needs
  expect(moved(aBefore, a.held) + moved(bBefore, b.held)).toBe(2);
  expect([...a.held].every((p) => aBefore.has(p))).toBe(true);
  expect([...b.held].every((p) => bBefore.has(p))).toBe(true);

  const aWith3 = new Set(a.held);
  const bWith3 = new Set(b.held);
  const before = [a.assignments, b.assignments];
  await c.app.stop();
  await settled([a, b], before, 'A and B to take C’s partitions back');
  // nothing A or B held moved: they only gained C's two
  expect([...aWith3].every((p) => a.held.has(p))).toBe(true);
  expect([...bWith3].every((p) => b.held.has(p))).toBe(true);
  expect(a.held.size + b.held.size).toBe(6);
}, 180_000);
