// Claim: while 100k messages flow, a second process joins the group and leaves it again, over
// and over (eager rebalances each time); every message is processed at least once, no offset of
// any partition is skipped, and the duplicates the rebalances cause are counted — from the
// recording (ground truth) and from the framework's own `offsets.discarded` events — and printed.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, sleep, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { outputFile } from './fixtures/recording-consumer';
import { committedOffsets, fixtures, gaps, processed, startServer, type ServerProcess } from './support';

const TOTAL = 100_000;
const PARTITIONS = 4;
const CHUNK = 2_500;
const app = join(fixtures, 'rebalance-app.ts');
const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectSharedAdmin();
});

test('a process joining and leaving repeatedly under load: at least once, no gaps, duplicates counted', async () => {
  const topic = await createTopic('cc-rebalance-loop', { partitions: PARTITIONS });
  topics.push(topic);
  const group = uniqueTopicName('cc-rebalance-loop-group');
  // the default (no drain: running jobs of moved partitions are not waited for) unless
  // DECANTER_REBALANCE_DRAIN_MS is set, e.g. 2000, to measure rebalanceDrainTimeoutMs
  const drainMs = process.env['DECANTER_REBALANCE_DRAIN_MS'] ?? '0';
  const env = {
    DECANTER_TEST_TOPIC: topic,
    DECANTER_TEST_GROUP: group,
    DECANTER_TEST_MAX_MESSAGES: '400',
    DECANTER_TEST_COMMIT_MS: '1000',
    DECANTER_TEST_REBALANCE_DRAIN_MS: drainMs,
  };
  const pidsIn = (text: string, pid: number | undefined): boolean => text.includes(`"pid":${pid}}`);
  const recording = (): string => (existsSync(outputFile(topic)) ? readFileSync(outputFile(topic), 'utf8') : '');

  const producer = new Kafka({ clientId: 'cc-rebalance-loop', brokers: brokers(), logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  let produced = 0;
  // a steady stream (~40 chunks over ~25 s), so rebalances happen while messages flow
  const producing = (async () => {
    while (produced < TOTAL) {
      const messages = Array.from({ length: CHUNK }, (_, i) => produced + i).map((n) => ({ partition: n % PARTITIONS, value: JSON.stringify({ n }) }));
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
      produced += CHUNK;
      await sleep(500);
    }
  })();

  const a = await startServer(env, app);
  const cycles: Array<{ pid: number; processed: boolean }> = [];
  let b: ServerProcess | undefined;
  try {
    // B joins, works a little, leaves (SIGTERM: graceful), again and again while producing
    while (produced < TOTAL || cycles.length < 3) {
      b = await startServer(env, app);
      const pid = b.child.pid!;
      const worked = await waitUntil('B to process something', () => pidsIn(recording(), pid), { timeoutMs: 15_000, intervalMs: 250 }).catch(() => false);
      await sleep(1_000);
      b.child.kill('SIGTERM');
      expect(await b.exited).toBe(0);
      b = undefined;
      cycles.push({ pid, processed: worked === true });
      await sleep(500);
    }
    await producing;
    // everything processed = the group's commits reached the end of every partition
    await waitUntil(
      'the group to commit every partition to its end',
      async () => Object.values(await committedOffsets(group, topic)).reduce((s, o) => s + Math.max(0, o), 0) >= TOTAL,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  } finally {
    b?.child.kill('SIGTERM');
    await b?.exited;
    a.child.kill('SIGTERM');
    await a.exited;
    await producer.disconnect();
  }

  const lines = processed(topic);
  const ends = Object.fromEntries(Array.from({ length: PARTITIONS }, (_, p) => [p, TOTAL / PARTITIONS]));
  expect(gaps(lines, ends)).toEqual({});
  const distinct = new Set(lines.map((l) => l.n));
  expect(distinct.size).toBe(TOTAL);
  const duplicates = lines.length - distinct.size;
  const discarded = processed(`${topic}.discarded`) as unknown as Array<{ messages: number; reason: string; pid: number }>;
  const reported = discarded.reduce((s, d) => s + d.messages, 0);
  console.log(
    `rebalance loop (rebalanceDrainTimeoutMs ${drainMs}): ${TOTAL} messages, ${cycles.length} join/leave cycles of a second process ` +
      `(${cycles.filter((c) => c.processed).length} of them took work), ${duplicates} duplicates processed ` +
      `(${((duplicates / TOTAL) * 100).toFixed(2)}%), ${reported} reported by the framework as discarded ` +
      `(${discarded.filter((d) => d.reason === 'revoked').length} revoked-before-commit, ${discarded.filter((d) => d.reason !== 'revoked').length} finished-after-revocation)`,
  );
  expect(cycles.length).toBeGreaterThanOrEqual(3);
  expect(cycles.filter((c) => c.processed).length).toBeGreaterThanOrEqual(2);
  // every duplicate comes from a partition lost with processed-but-uncommitted work, and the
  // framework reports each of those
  expect(duplicates).toBeLessThanOrEqual(reported);
}, 180_000);
