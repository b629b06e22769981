// Claim: the commit before leaving the group is sent again while it fails for a reason that
// passes — the coordinator gone (a connection error), moved (NOT_COORDINATOR_FOR_GROUP), or the
// member rejoining (ILLEGAL_GENERATION) — each attempt with what is marked then, until it lands;
// a final error (authorization) is not retried, and no attempt starts after the deadline. Every
// failed attempt is reported. A real OffsetTracker with a fake listener. No broker.
import { commitMayLandLater, OffsetCommitter } from '../../../src/connection/offset-committer';
import type { ErrorOccurredEvent, OffsetEntry } from '../../../src/events';
import { Monitor } from '../../../src/instrumentation/monitor';
import { MessageRun } from '../../../src/messages/packed-chunk';
import { OffsetTracker } from '../../../src/processing/offsets/offset-tracker';

const TOPIC = 'orders';
const scope = { consumerGroup: 'cg', subscriptionGroup: 'sg', connection: 0 };

const run = (from: number, to: number): MessageRun =>
  MessageRun.of(Array.from({ length: to - from + 1 }, (_, i) => ({ offset: from + i, timestamp: 0, value: Buffer.from('v') })));

const connectionError = () => Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:19093'), { name: 'KafkaJSConnectionError', retriable: true });
const protocolError = (type: string, retriable: boolean) => Object.assign(new Error(`broker says ${type}`), { name: 'KafkaJSProtocolError', type, retriable });

function setup(failures: unknown[]) {
  const tracker = new OffsetTracker();
  const epoch = tracker.assign(TOPIC, 0);
  tracker.fetched(TOPIC, 0, 99, 1_000);
  const first = run(0, 19);
  tracker.dispatchedRun(TOPIC, 0, first);
  tracker.processed(TOPIC, 0, first, 20, true, epoch);
  const attempts: OffsetEntry[][] = [];
  const monitor = new Monitor();
  const errors: ErrorOccurredEvent[] = [];
  monitor.on('error.occurred', (e) => errors.push(e));
  const committer = new OffsetCommitter({
    tracker,
    monitor,
    scope,
    listener: {
      commit: async (offsets) => {
        attempts.push(offsets);
        const failure = failures.shift();
        if (failure !== undefined) throw failure;
      },
    },
  });
  /** A job finishing while the commit is retried: its mark rides along on the next attempt. */
  const finishMore = (): void => {
    const more = run(20, 29);
    tracker.dispatchedRun(TOPIC, 0, more);
    tracker.processed(TOPIC, 0, more, 30, true, epoch);
  };
  return { committer, attempts, errors, finishMore, tracker };
}

test('retries through a dead, then moved coordinator and a rejoin, until the commit lands, with the latest marks', async () => {
  const { committer, attempts, errors, finishMore } = setup([connectionError(), protocolError('NOT_COORDINATOR_FOR_GROUP', true), protocolError('ILLEGAL_GENERATION', false)]);
  const landed = committer.commitPersistently('shutdown', Date.now() + 10_000);
  await new Promise((r) => setTimeout(r, 50));
  finishMore();
  await landed;
  expect(attempts.map((a) => a.map((o) => o.offset))).toEqual([[20], [30], [30], [30]]);
  expect(errors).toHaveLength(3);
  for (const e of errors) {
    expect(e.type).toBe('offsets.commit.error');
    expect(e.error.message).toMatch(/failed \(shutdown; sending it again\)/);
  }
});

test('a final error is reported once and not retried', async () => {
  const { committer, attempts, errors } = setup([protocolError('GROUP_AUTHORIZATION_FAILED', false)]);
  await committer.commitPersistently('shutdown', Date.now() + 10_000);
  expect(attempts).toHaveLength(1);
  expect(errors.map((e) => e.error.message)).toEqual(['Committing offsets of cg failed (shutdown)']);
});

test('no attempt starts after the deadline', async () => {
  const failures = Array.from({ length: 100 }, connectionError);
  const { committer, attempts, errors } = setup(failures);
  const started = Date.now();
  await committer.commitPersistently('shutdown', started + 400);
  // 100, 200 ms backoffs fit before 400 ms; the next (400 ms) would start after it
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(attempts.length).toBeGreaterThanOrEqual(2);
  expect(attempts.length).toBeLessThanOrEqual(3);
  expect(errors.at(-1)?.error.message).toBe('Committing offsets of cg failed (shutdown)'); // the last says it gives up
});

test('what may land later: retriable along the cause chain, or a rejoin; not authorization or invalid requests', () => {
  expect(commitMayLandLater(connectionError())).toBe(true);
  expect(commitMayLandLater(Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause: protocolError('GROUP_COORDINATOR_NOT_AVAILABLE', true) }))).toBe(true);
  expect(commitMayLandLater(protocolError('REBALANCE_IN_PROGRESS', false))).toBe(true);
  expect(commitMayLandLater(protocolError('UNKNOWN_MEMBER_ID', false))).toBe(true);
  // KafkaJS between a crash and its own restart: it rejoins as a new member, which keeps no mark
  expect(commitMayLandLater(Object.assign(new Error('Consumer group was not initialized, consumer#run must be called first'), { name: 'KafkaJSNonRetriableError', retriable: false }))).toBe(false);
  expect(commitMayLandLater(protocolError('GROUP_AUTHORIZATION_FAILED', false))).toBe(false);
  expect(commitMayLandLater(protocolError('OFFSET_METADATA_TOO_LARGE', false))).toBe(false);
  expect(commitMayLandLater(new Error('plain'))).toBe(false);
});
