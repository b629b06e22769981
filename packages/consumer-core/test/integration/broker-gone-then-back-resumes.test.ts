// Claim: a fetch loop that crashes because the broker is gone is reported (error.occurred,
// `listener.crash`), is reset after fetch.error.backoff.ms, and — once the broker is back —
// resumes from the committed offsets without the App being restarted: every message is processed
// at least once, no partition has a gap, what was committed before the outage is not processed
// again, and the committed offsets end at the high watermarks.
// This test runs its OWN broker on another port (never the shared one): it stops it. The broker
// comes back on the same port with the same data folder, so topics and committed offsets survive.
import { rmSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { ownBroker, sleep, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, isDecanterConsumerError, type AppState, type ErrorOccurredEvent } from '@decanter/consumer-core';
import { gaps, processed, recordingConsumer } from './support';

const PORT = 19392;
const broker = ownBroker(PORT);
const BROKER = broker.address;
const runDir = broker.runDir;
const kafkaCtl = (command: 'start' | 'stop'): Promise<void> => broker[command]();

const client = (): Kafka => new Kafka({ clientId: 'cc-broker-gone', brokers: [BROKER], logLevel: logLevel.NOTHING });

/** Produces messages n = from..to-1 round-robin over 2 partitions (a fresh producer: the broker may have restarted). */
async function produceRange(topic: string, from: number, to: number): Promise<void> {
  const producer = client().producer();
  await producer.connect();
  try {
    const messages = Array.from({ length: to - from }, (_, i) => ({ partition: (from + i) % 2, value: JSON.stringify({ n: from + i }) }));
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Committed offsets of the group and the high watermarks, per partition. */
async function positions(group: string, topic: string): Promise<{ committed: Record<number, number>; high: Record<number, number> }> {
  const admin = client().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return {
      committed: Object.fromEntries((offsets[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)])),
      high: Object.fromEntries(ends.map((e) => [e.partition, Number(e.high)])),
    };
  } finally {
    await admin.disconnect();
  }
}

let app: App | undefined;

beforeAll(async () => {
  await kafkaCtl('start');
}, 150_000);

afterAll(async () => {
  // the app first (its KafkaJS clients would otherwise keep reconnecting), bounded: a broker that
  // is down could hold its leave-group requests
  if (app !== undefined && app.state !== 'stopped') {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((r) => (timer = setTimeout(r, 20_000)));
    await Promise.race([app.stop().catch(() => undefined), bound]);
    clearTimeout(timer);
  }
  await kafkaCtl('stop').catch(() => undefined);
  rmSync(runDir, { recursive: true, force: true });
}, 150_000);

test('a fetch loop crashed by a broker outage is reported and resumes from the committed offsets', async () => {
  const topic = uniqueTopicName('cc-broker-gone');
  const group = uniqueTopicName('cc-broker-gone-group');
  {
    const admin = client().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
  }

  app = new App({
    kafka: {
      'bootstrap.servers': BROKER,
      'group.id': group,
      'session.timeout.ms': 6_000, // the broker's minimum: the dead member of before the outage leaves the group sooner
      'heartbeat.interval.ms': 500,
      'fetch.wait.max.ms': 100,
      'fetch.error.backoff.ms': 300,
      'auto.commit.interval.ms': 300,
      'socket.connection.setup.timeout.ms': 1_000,
      'request.timeout.ms': 5_000,
      'statistics.interval.ms': 0,
    },
    concurrency: 2,
    maxMessages: 50,
    maxWaitTimeMs: 200,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  const errors: Array<ErrorOccurredEvent & { at: number }> = [];
  const states: AppState[] = [];
  let decanterRestarts = 0;
  app.on('error.occurred', (e) => errors.push({ ...e, at: Date.now() }));
  app.on('app.state.changed', (e) => states.push(e.to));
  app.on('listener.restarted', () => (decanterRestarts += 1));

  await app.start();
  const startedStates = states.length;

  // 1. before the outage: 200 messages consumed and committed
  await produceRange(topic, 0, 200);
  await waitUntil('200 messages processed and committed', async () => {
    const { committed } = await positions(group, topic);
    return committed[0] === 100 && committed[1] === 100;
  }, { timeoutMs: 30_000, intervalMs: 200 });
  const processedBefore = processed(topic).length;

  // 2. the broker goes away: the fetch loop must fail and say so
  const stoppedAt = Date.now();
  await kafkaCtl('stop');
  await waitUntil('a listener crash reported while the broker is down', () => errors.some((e) => e.type === 'listener.crash'), { timeoutMs: 30_000, intervalMs: 100 });
  await sleep(1_500); // stays down past a KafkaJS restart attempt or two

  // 3. the broker comes back (same port, same data); more messages arrive
  const backAt = Date.now();
  await kafkaCtl('start');
  await produceRange(topic, 200, 400);

  const end = await waitUntil('committed offsets at the high watermarks (200 per partition)', async () => {
    const { committed, high } = await positions(group, topic);
    return high[0] === 200 && high[1] === 200 && committed[0] === 200 && committed[1] === 200 ? { committed, high } : null;
  }, { timeoutMs: 60_000, intervalMs: 250 });

  // the outage was reported as a crash of the fetch loop, with its cause
  const crashes = errors.filter((e) => e.type === 'listener.crash');
  expect(crashes.length).toBeGreaterThan(0);
  for (const crash of crashes) {
    expect(crash.at).toBeGreaterThanOrEqual(stoppedAt);
    expect(isDecanterConsumerError(crash.error) && crash.error.code).toBe('LISTENER_CRASHED');
    expect(crash.error.cause).toBeDefined();
  }

  // consumption resumed inside the same App: no lifecycle transition since it started
  expect(app.state).toBe('running');
  expect(states.slice(startedStates)).toEqual([]);

  // every message at least once, no gap in any partition, committed offsets at the ends
  const lines = processed(topic);
  expect(gaps(lines, end.high)).toEqual({});
  expect(new Set(lines.map((l) => l.n)).size).toBe(400);
  expect(end.committed).toEqual(end.high);

  // resumed from the committed offsets: what was committed before the outage ran exactly once
  for (const p of [0, 1]) {
    const early = lines.filter((l) => l.partition === p && l.offset < 100);
    expect(early).toHaveLength(100);
  }

  const duplicates = lines.length - 400;
  process.stdout.write(
    `broker outage: ${processedBefore} processed before the stop, ${lines.length} lines in all (${duplicates} duplicates), ` +
      `${crashes.length} listener crashes (restart by KafkaJS ${crashes.filter((c) => c.error.message.includes('KafkaJS restarts it')).length}, ` +
      `by Decanter ${decanterRestarts}), other errors: ${JSON.stringify(countBy(errors.filter((e) => e.type !== 'listener.crash').map((e) => e.type)))}, ` +
      `broker start began ${backAt - stoppedAt} ms after the stop, all committed ${Date.now() - backAt} ms later\n` +
      crashes.map((c) => `  +${c.at - stoppedAt} ms ${c.error.message} <- ${(c.error.cause as Error | undefined)?.name}: ${(c.error.cause as Error | undefined)?.message}\n`).join(''),
  );

  await app.stop();
});

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
