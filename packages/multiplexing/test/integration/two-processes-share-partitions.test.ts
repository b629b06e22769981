// Claim: two processes with multiplexing in one consumer group share the partitions: a
// `decanter server` process and an in-process app, 2 connections each, are 4 members of the
// group; 8 partitions go 2 to each connection, both processes consume, nothing is lost; when the
// other process stops, this one's connections take its partitions over.
import { createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName, waitUntil, type ServerProcess } from '@decanter/test-helpers';
import { audit, disconnectProducer, muxApp, processed, produce, startServer, trackOwners } from './support';

const topics: string[] = [];
let server: ServerProcess | undefined;
afterAll(async () => {
  server?.child.kill('SIGKILL');
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('4 connections over 2 processes take 2 partitions each; the survivor takes all when the other leaves', async () => {
  const topic = await createTopic('mux-two-processes', { partitions: 8 });
  topics.push(topic);
  const group = uniqueTopicName('mux-two-processes-group');
  server = await startServer({ DECANTER_TEST_GROUP: group, DECANTER_TEST_TOPIC: topic, DECANTER_TEST_CONNECTIONS: '2' });
  const app = muxApp(group, topic, { max: 2 });
  const { owners, connections } = trackOwners(app);
  await app.start();
  await waitUntil('this process holding 4 partitions over its 2 connections', () => connections().length === 2 && owners.size === 4, { timeoutMs: 30_000 });
  const mine = [...owners.values()];
  expect(mine.filter((c) => c === 0)).toHaveLength(2);
  expect(mine.filter((c) => c === 1)).toHaveLength(2);

  const count = 400;
  await produce(topic, Array.from({ length: count }, (_, n) => ({ partition: n % 8, payload: { n } })));
  await waitUntil('every message processed', () => audit(processed(topic), count).missing.length === 0, { timeoutMs: 30_000 });
  const pids = new Set(processed(topic).map((l) => l.pid));
  expect(pids.size).toBe(2);
  expect(pids.has(server.child.pid!)).toBe(true);

  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  server = undefined;
  await waitUntil('this process holding all 8 partitions', () => owners.size === 8, { timeoutMs: 30_000 });
  await produce(topic, Array.from({ length: 80 }, (_, i) => ({ partition: i % 8, payload: { n: count + i } })));
  await waitUntil('the later messages processed here', () => audit(processed(topic), count + 80).missing.length === 0, { timeoutMs: 30_000 });
  await app.stop();
  expect(audit(processed(topic), count + 80).missing).toEqual([]);
}, 120_000);
