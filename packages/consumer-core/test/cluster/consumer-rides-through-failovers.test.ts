// Claim: on a three-broker cluster (replication factor 3, min.insync.replicas 2), a consumer App
// rides through, while messages keep arriving,
//   1. the SIGKILL of a broker that leads one of its partitions (a partition leader change), and
//   2. the SIGKILL of its group coordinator (the group moves to another broker),
// and: every message of the log is processed (no offset of any partition skipped), no commit
// ever passes a message that was not processed yet — checked from the outside twice: each commit
// the App sends (`offsets.commit`) and what the group's committed offsets say every 250 ms, both
// against the recording the consumer wrote before its job ended — the group ends committed at
// the high watermarks, and the duplicates are counted (and printed beside the framework's own
// `offsets.discarded`). docs/reliability.md quotes the figures.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  awaitHealthyCluster,
  awaitNewLeader,
  clusterBrokers,
  createClusterTopic,
  groupCoordinatorOf,
  holdCluster,
  killNode,
  restoreCluster,
  sleep,
  startNode,
  uniqueTopicName,
  waitUntil,
  withClusterAdmin,
} from '@decanter/test-helpers';
import { App, type ErrorOccurredEvent } from '@decanter/consumer-core';
import { outputFile, outputFolder, type ProcessedLine } from '../integration/fixtures/recording-consumer';

const PARTITIONS = 3;
const recordingConsumer = { module: join(__dirname, '../integration/fixtures/recording-consumer'), export: 'RecordingConsumer' };
const topics: string[] = [];
let release: (() => void) | undefined;

beforeAll(async () => {
  mkdirSync(outputFolder, { recursive: true });
  release = await holdCluster();
}, 20 * 60_000);

afterAll(async () => {
  await restoreCluster();
  await withClusterAdmin((admin) => admin.deleteTopics({ topics, timeout: 10_000 })).catch(() => undefined);
  release?.();
}, 180_000);

/** The recording so far; a line a worker is appending right now (no newline yet) is left for the next read. */
function recording(topic: string): ProcessedLine[] {
  const file = outputFile(topic);
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as ProcessedLine);
}

/** Offsets processed so far, per partition (the recording is written before a job ends). */
function processedOffsets(topic: string): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (const line of recording(topic)) {
    let set = out.get(line.partition);
    if (set === undefined) out.set(line.partition, (set = new Set()));
    set.add(line.offset);
  }
  return out;
}

interface Violation {
  source: 'offsets.commit' | 'committed offsets';
  partition: number;
  committed: number;
  firstUnprocessed: number;
}

/** A commit of `offset` on `partition` passes an unprocessed message when one of 0..offset-1 is missing. */
function check(source: Violation['source'], partition: number, offset: number, done: Map<number, Set<number>>, out: Violation[]): void {
  const set = done.get(partition) ?? new Set<number>();
  for (let o = 0; o < offset; o += 1) {
    if (!set.has(o)) {
      out.push({ source, partition, committed: offset, firstUnprocessed: o });
      return;
    }
  }
}

/** The high watermarks, asked again while a partition has no leader (an election in progress). */
async function highWatermarks(topic: string): Promise<Map<number, number>> {
  const ends = await waitUntil('the high watermarks', () => withClusterAdmin((admin) => admin.fetchTopicOffsets(topic)), {
    timeoutMs: 30_000,
    intervalMs: 250,
  });
  return new Map(ends.map((e) => [e.partition, Number(e.high)]));
}

async function committedOffsets(group: string, topic: string): Promise<Map<number, number>> {
  const offsets = await withClusterAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [topic] }));
  return new Map((offsets[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

/** Resolves once every partition's processing passed the high watermark it had when this was called. */
async function processingPasses(topic: string, what: string): Promise<void> {
  const marks = await highWatermarks(topic);
  await waitUntil(
    `processing to pass the high watermarks of ${what} (${JSON.stringify([...marks])})`,
    () => {
      const done = processedOffsets(topic);
      return [...marks].every(([p, high]) => high === 0 || (done.get(p)?.has(high - 1) ?? false));
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}

test('a consumer App through a partition leader kill and a group coordinator kill: nothing lost, no commit past an unprocessed message', async () => {
  const topic = await createClusterTopic('cc-cluster-failover', [1, 2, 3]);
  topics.push(topic);
  const group = uniqueTopicName('cc-cluster-failover-group');
  // the coordinator is a function of the group id (the leader of its __consumer_offsets
  // partition), known before the group exists: the first kill takes a partition leader that is
  // not the coordinator, so the two failures are told apart
  const coordinator = await groupCoordinatorOf(group);
  const leaders = [1, 2, 3];
  const partitionKilled = leaders.findIndex((l) => l !== coordinator);
  const leaderKilled = leaders[partitionKilled]!;

  // a steady stream: 30 messages every 50 ms over the 3 partitions, acks all, retried by KafkaJS.
  // The log is the truth of what must be consumed (a send that failed after writing is in it);
  // what KafkaJS acknowledged but the log lacks is counted apart: KafkaJS 2.2.4's send() keeps
  // the responses of a first attempt across its retries, so when a partition's leader moves to a
  // broker that already answered, that partition's messages are never sent again and send()
  // resolves anyway (kafkajs#1303, kafkajs#1798)
  const producer = new Kafka({
    clientId: 'cc-cluster-failover',
    brokers: clusterBrokers(),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1_000 },
  }).producer();
  await producer.connect();
  let produce = true;
  let sent = 0;
  let sendFailures = 0;
  const acked: number[] = [];
  const producing = (async () => {
    while (produce) {
      const from = sent;
      const messages = Array.from({ length: 30 }, (_, i) => ({ partition: (from + i) % PARTITIONS, value: JSON.stringify({ n: from + i }) }));
      sent += messages.length;
      await producer.send({ topic, acks: -1, messages }).then(
        () => acked.push(...messages.map((_, i) => from + i)),
        () => (sendFailures += 1),
      );
      await sleep(50);
    }
  })();

  const app = new App({
    kafka: {
      'bootstrap.servers': clusterBrokers().join(','),
      'group.id': group,
      'session.timeout.ms': 10_000,
      'heartbeat.interval.ms': 1_000,
      'fetch.wait.max.ms': 100,
      'fetch.error.backoff.ms': 300,
      'auto.commit.interval.ms': 500,
      'socket.connection.setup.timeout.ms': 1_000,
      'request.timeout.ms': 5_000,
      'statistics.interval.ms': 0,
    },
    logger: false,
    concurrency: 2,
    maxMessages: 100,
    maxWaitTimeMs: 200,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  const violations: Violation[] = [];
  const errors: Array<ErrorOccurredEvent & { at: number }> = [];
  let commitsSent = 0;
  let commitsDone = 0;
  let lastCommittedAt = 0;
  let discarded = 0;
  let restarts = 0;
  let assignments = 0;
  app.on('offsets.commit', (e) => {
    commitsSent += 1;
    const done = processedOffsets(topic);
    for (const o of e.offsets) if (o.topic === topic) check('offsets.commit', o.partition, o.offset, done, violations);
  });
  app.on('offsets.committed', () => {
    commitsDone += 1;
    lastCommittedAt = Date.now();
  });
  app.on('offsets.discarded', (e) => (discarded += e.messages));
  app.on('listener.restarted', () => (restarts += 1));
  app.on('partitions.assigned', () => (assignments += 1));
  app.on('error.occurred', (e) => errors.push({ ...e, at: Date.now() }));

  // the outside judge: the group's committed offsets (read first), then the recording
  let judging = true;
  let judgements = 0;
  const judge = (async () => {
    while (judging) {
      const committed = await committedOffsets(group, topic).catch(() => undefined); // the coordinator may be down
      if (committed !== undefined) {
        judgements += 1;
        const done = processedOffsets(topic);
        for (const [p, offset] of committed) if (offset > 0) check('committed offsets', p, offset, done, violations);
      }
      await sleep(250);
    }
  })();

  const timeline: Record<string, number> = {};
  const t0 = Date.now();
  const mark = (what: string): void => void (timeline[what] = Date.now() - t0);
  await app.start();
  try {
    mark('started');
    await processingPasses(topic, 'the warm-up');
    mark('warm');

    // 1. a partition leader change
    await killNode(leaderKilled);
    mark(`killed broker ${leaderKilled} (leader of partition ${partitionKilled})`);
    const newLeader = await awaitNewLeader(topic, partitionKilled, leaderKilled);
    mark(`partition ${partitionKilled} led by broker ${newLeader}`);
    await processingPasses(topic, 'the leader change');
    mark('processing past the leader change');
    await startNode(leaderKilled);
    await awaitHealthyCluster();
    mark(`broker ${leaderKilled} back in every ISR`);

    // 2. a group coordinator failover
    const current = await groupCoordinatorOf(group);
    const killedAt = Date.now();
    await killNode(current);
    mark(`killed broker ${current} (the group coordinator)`);
    const next = await waitUntil(
      'a new group coordinator',
      async () => {
        const c = await groupCoordinatorOf(group);
        return c !== current ? c : null;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    mark(`group coordinated by broker ${next}`);
    await processingPasses(topic, 'the coordinator failover');
    await waitUntil('a commit after the coordinator failover', () => lastCommittedAt > killedAt, { timeoutMs: 60_000, intervalMs: 100 });
    mark('processing and committing past the coordinator failover');
    await startNode(current);
    await awaitHealthyCluster();
    mark(`broker ${current} back in every ISR`);

    await sleep(1_000);
    produce = false;
    await producing;
    const ends = await highWatermarks(topic);
    await waitUntil(
      'the group to commit every partition to its high watermark',
      async () => {
        const committed = await committedOffsets(group, topic);
        return [...ends].every(([p, high]) => committed.get(p) === high);
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    mark('all committed');
  } finally {
    produce = false;
    await producing;
    judging = false;
    await judge;
    await app.stop();
    await producer.disconnect();
  }

  const ends = await highWatermarks(topic);
  const lines = recording(topic);
  const done = processedOffsets(topic);
  const missing: Record<number, number[]> = {};
  for (const [p, high] of ends) {
    const gap = Array.from({ length: high }, (_, o) => o).filter((o) => !(done.get(p)?.has(o) ?? false));
    if (gap.length > 0) missing[p] = gap.slice(0, 20);
  }
  const inLog = [...ends.values()].reduce((s, h) => s + h, 0);
  const distinct = [...done.values()].reduce((s, set) => s + set.size, 0);
  const duplicates = lines.length - distinct;
  const inLogN = new Set(lines.map((l) => l.n));
  const ackedByKafkaJsNotInLog = acked.filter((n) => !inLogN.has(n));
  const errorTypes: Record<string, number> = {};
  for (const e of errors) errorTypes[`${e.type}: ${e.error.message.slice(0, 120)}`] = (errorTypes[`${e.type}: ${e.error.message.slice(0, 120)}`] ?? 0) + 1;
  process.stdout.write(
    `cluster consumer failover: ${JSON.stringify({
      inLog,
      sent,
      sendFailures,
      ackedByKafkaJsNotInLog: ackedByKafkaJsNotInLog.length,
      processed: lines.length,
      distinct,
      duplicates,
      discardedReported: discarded,
      commitsSent,
      commitsDone,
      judgements,
      violations: violations.length,
      listenerRestarts: restarts,
      assignments,
      timelineMs: timeline,
    })}\n  errors: ${JSON.stringify(errorTypes)}\n`,
  );

  expect(missing).toEqual({});
  expect(distinct).toBe(inLog);
  expect(violations.slice(0, 5)).toEqual([]);
  expect(judgements).toBeGreaterThan(10);
  expect(commitsDone).toBeGreaterThan(0);
  expect(await committedOffsets(group, topic)).toEqual(ends);
});
