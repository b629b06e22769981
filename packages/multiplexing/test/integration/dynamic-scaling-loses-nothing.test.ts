// Claims: dynamic multiplexing (min 1, max 3) on a lagging 6-partition topic scales up one step
// per scale delay to 3 connections and back to 1 once idle; every step comes after a commit of
// what was processed (reason `scaling`), nothing is lost and nothing is processed twice; the
// sticky assigner keeps partitions where they were: the step from 2 to 3 connections moves only
// the 2 partitions the new connection takes (round-robin would move 4).
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { audit, disconnectProducer, muxApp, processed, produce, trackOwners } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('scale up while lagging, down when idle: committed first, nothing lost, few partitions moved', async () => {
  const topic = await createTopic('mux-scaling', { partitions: 6 });
  topics.push(topic);
  const PER_PARTITION = 900;
  const count = 6 * PER_PARTITION;
  // ~10 ms of awaited work a message: ~9 s of backlog per partition
  await produce(topic, Array.from({ length: count }, (_, n) => ({ partition: n % 6, payload: { n, sleepMs: 10 } })));
  const app = muxApp(uniqueTopicName('mux-scaling-group'), topic, { min: 1, max: 3, boot: 1, scaleDelayMs: 1500 });
  const { owners, connections } = trackOwners(app);
  const log: string[] = [];
  app.on('offsets.commit', (e) => {
    if (e.reason === 'scaling') log.push(`commit ${e.connection ?? 0}`);
  });
  const snapshots: Array<Map<number, number>> = [];
  app.on('multiplexing.scaled_up', (e) => log.push(`up ${e.from}->${e.to} ${e.reason}`));
  app.on('multiplexing.scaled_down', (e) => log.push(`down ${e.from}->${e.to} ${e.reason}`));
  const errors: string[] = [];
  app.on('error.occurred', (e) => errors.push(`${e.type}: ${e.error.message}`));
  await app.start();

  const settledOn = async (n: number): Promise<void> => {
    await waitUntil(`${n} connections holding all 6 partitions`, () => connections().length === n && owners.size === 6, { timeoutMs: 30_000 });
    snapshots.push(new Map(owners));
  };
  await settledOn(2);
  await settledOn(3);
  await waitUntil('every message processed', () => audit(processed(topic), count).missing.length === 0, { timeoutMs: 60_000 });
  await waitUntil('back to 1 connection once idle', () => log.includes('down 2->1 idle'), { timeoutMs: 30_000 });
  await app.stop();

  const { missing, duplicates } = audit(processed(topic), count);
  expect(missing).toEqual([]);
  expect(duplicates).toBe(0);
  expect(errors).toEqual([]);
  // (the first window may start before the first fetch tells the lag: busy then)
  const steps = log.filter((l) => !l.startsWith('commit')).map((l) => l.replace(/ (lagging|busy)$/, ' lagging-or-busy'));
  expect(steps).toEqual(['up 1->2 lagging-or-busy', 'up 2->3 lagging-or-busy', 'down 3->2 idle', 'down 2->1 idle']);
  // each step up came after a commit of the scaling kind (the backlog always has marks to commit)
  for (const step of log.filter((l) => l.startsWith('up'))) {
    const at = log.indexOf(step);
    const previous = log.slice(0, at).map((l, i) => ({ l, i })).filter(({ l }) => !l.startsWith('commit')).pop()?.i ?? -1;
    expect(log.slice(previous + 1, at).some((l) => l.startsWith('commit'))).toBe(true);
  }
  // 2 → 3 connections: only what the new connection took moved
  const [two, three] = snapshots as [Map<number, number>, Map<number, number>];
  const moved = [...three].filter(([p, c]) => two.get(p) !== c).length;
  expect(moved).toBe(2);
}, 150_000);
