// Claim: consume-transform-produce with `this.transaction()` is exactly-once across a crash: a
// consumer process is SIGKILLed mid-stream and restarted (same transactional.id); a
// read_committed reader of the output sees every input exactly once, although the crash made
// some inputs run twice (the aborted attempts are only visible to a read_uncommitted reader).
import { Kafka, logLevel } from 'kafkajs';
import { join } from 'node:path';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, sharedAdmin, sleep, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { committedOffsets, disconnectProducer, fixtures, processed, produce, spread, startServer } from './support';

const TOTAL = 2_000;
const app = join(fixtures, 'transactional-app.ts');
const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

async function readOutput(topic: string, readUncommitted: boolean, atLeast: number): Promise<Array<{ n: number }>> {
  const reader = new Kafka({ clientId: 'cc-eos-reader', brokers: brokers(), logLevel: logLevel.NOTHING }).consumer({
    groupId: uniqueTopicName('cc-eos-reader'),
    readUncommitted,
  });
  const seen: Array<{ n: number }> = [];
  await reader.connect();
  await reader.subscribe({ topic, fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void seen.push(JSON.parse(message.value!.toString()) as { n: number }) });
  try {
    await waitUntil(`the ${readUncommitted ? 'read_uncommitted' : 'read_committed'} reader to see ${atLeast} messages`, () => seen.length >= atLeast, {
      timeoutMs: 30_000,
    });
    await sleep(1_500); // anything beyond (a duplicate) arrives too
  } finally {
    await reader.disconnect();
  }
  return seen;
}

test('SIGKILL mid-stream, restart: the read_committed output holds every input exactly once', async () => {
  const input = await createTopic('cc-eos', { partitions: 2 });
  const output = `${input}-out`;
  await (await sharedAdmin()).createTopics({ topics: [{ topic: output, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  topics.push(input, output);
  await produce(input, spread(TOTAL, 2).map((m) => ({ ...m, key: `k${m.payload.n}` })));
  const group = uniqueTopicName('cc-eos-group');
  const env = { DECANTER_TEST_TOPIC: input, DECANTER_TEST_GROUP: group, DECANTER_TEST_TRANSACTIONAL_ID: `${group}-tx-0` };
  const attempts = (): Array<{ n: number; pid: number }> => processed(`${input}.attempts`) as unknown as Array<{ n: number; pid: number }>;

  const first = await startServer(env, app);
  await waitUntil('some transactions before the kill', () => attempts().length >= 400, { timeoutMs: 60_000, intervalMs: 50 });
  await sleep(15); // inside a batch's work or its transaction
  first.child.kill('SIGKILL');
  expect(await first.exited).toBeNull();
  const beforeKill = attempts().length;
  expect(beforeKill).toBeLessThan(TOTAL);

  const second = await startServer(env, app);
  try {
    await waitUntil(
      'the group to commit every input (offsets commit inside the transactions)',
      async () => Object.values(await committedOffsets(group, input)).reduce((s, o) => s + Math.max(0, o), 0) >= TOTAL,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }

  const committed = await readOutput(output, false, TOTAL);
  const counts = new Map<number, number>();
  for (const m of committed) counts.set(m.n, (counts.get(m.n) ?? 0) + 1);
  const missing = Array.from({ length: TOTAL }, (_, n) => n).filter((n) => !counts.has(n));
  const twice = [...counts].filter(([, c]) => c > 1).map(([n]) => n);
  const runs = attempts();
  const rerun = runs.length - new Set(runs.map((a) => a.n)).size;
  const uncommitted = await readOutput(output, true, TOTAL);
  console.log(
    `exactly-once across a crash: ${beforeKill} attempts before the kill, ${rerun} inputs processed twice, ` +
      `read_uncommitted output ${uncommitted.length} messages, read_committed output ${committed.length} (missing ${missing.length}, duplicated ${twice.length})`,
  );
  expect(missing).toEqual([]);
  expect(twice).toEqual([]);
  expect(committed).toHaveLength(TOTAL);
}, 150_000);
