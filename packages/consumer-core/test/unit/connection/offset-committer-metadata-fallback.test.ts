// Claim: a commit the broker refuses because its metadata is too large (OFFSET_METADATA_TOO_LARGE:
// the broker's offset.metadata.max.bytes is below ours) is sent again at once with the same offsets
// and no metadata, and those offsets are reported committed (duplicates after a rebalance, never
// a commit lost), and the refused metadata counts as dropped on its partition's ledger. Any other failure — or the retry failing too — is reported as error.occurred
// 'offsets.commit.error' and nothing is marked committed. The refusal is recognised both as
// KafkaJS's protocol error (type on the error) and in the shape KafkaJS's consumer.commitOffsets
// actually rejects with: its retrier wraps a non-retriable protocol error in a
// KafkaJSNonRetriableError whose `cause` carries the type. A real OffsetTracker with a ledger that
// writes metadata (support/metadata-ledger.ts) and a fake listener. No broker.
import { KafkaJSProtocolError } from 'kafkajs';
import { OffsetCommitter } from '../../../src/connection/offset-committer';
import type { CommittedEvent, ErrorOccurredEvent, OffsetEntry } from '../../../src/events';
import { Monitor } from '../../../src/instrumentation/monitor';
import { OffsetTracker } from '../../../src/processing/offsets/offset-tracker';
import { MetadataLedger } from '../processing/offsets/support/metadata-ledger';

const TOPIC = 't';
const scope = { consumerGroup: 'cg', subscriptionGroup: 'sg', connection: 0 };

/** KafkaJS's protocol error for OffsetCommit's error code 12, as its response parser throws it. */
const tooLarge = (): KafkaJSProtocolError =>
  new KafkaJSProtocolError(
    Object.assign(new Error('The metadata field of the offset request was too large'), {
      type: 'OFFSET_METADATA_TOO_LARGE',
      code: 12,
      retriable: false,
    }),
  );

/**
 * What KafkaJS's consumer.commitOffsets rejects with for that error: runner.commitOffsets runs the
 * commit in KafkaJS's retrier, which rejects a non-retriable error as a KafkaJSNonRetriableError
 * (no `type` of its own; the protocol error is its `cause`). Made by KafkaJS's own retrier.
 */
async function tooLargeAsKafkaJsRejectsIt(): Promise<unknown> {
  // KafkaJS internals, shipped as source: the same modules runner.js and the response parser use
  const createRetry = require('kafkajs/src/retry') as (options: object) => (fn: () => Promise<void>) => Promise<void>;
  const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
    createErrorFromCode: (code: number) => Error;
  };
  return createRetry({ retries: 5 })(async () => {
    throw createErrorFromCode(12);
  }).then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Partitions 0 and 1 marked at 10 and 20; partition 0's ledger writes metadata, partition 1's none. */
function setup(commit: (offsets: OffsetEntry[]) => Promise<void>) {
  const tracker = new OffsetTracker();
  const withMetadata = new MetadataLedger();
  withMetadata.metadata = 'ahead:12,15';
  tracker.assign(TOPIC, 0, () => withMetadata);
  tracker.assign(TOPIC, 1, () => new MetadataLedger());
  tracker.dispatched(TOPIC, 0, 19, 0);
  tracker.mark(TOPIC, 0, 10);
  tracker.dispatched(TOPIC, 1, 29, 0);
  tracker.mark(TOPIC, 1, 20);
  const listener = { commit: jest.fn(commit) };
  const monitor = new Monitor();
  const committedEvents: CommittedEvent[] = [];
  const errors: ErrorOccurredEvent[] = [];
  monitor.subscribe('offsets.committed', (event) => committedEvents.push(event));
  monitor.subscribe('error.occurred', (event) => errors.push(event));
  const committed = jest.spyOn(tracker, 'committed');
  const committer = new OffsetCommitter({ tracker, listener, monitor, scope });
  const committedOffsets = () => tracker.partitions().map((p) => [p.partition, p.committed]);
  return { tracker, listener, committer, committedEvents, errors, committed, committedOffsets, withMetadata };
}

const withMetadata: OffsetEntry[] = [
  { topic: TOPIC, partition: 0, offset: 10, metadata: 'ahead:12,15' },
  { topic: TOPIC, partition: 1, offset: 20 },
];
const withoutMetadata: OffsetEntry[] = [
  { topic: TOPIC, partition: 0, offset: 10 },
  { topic: TOPIC, partition: 1, offset: 20 },
];

/** An entry as one short line (a failure's diff then shows the rule's key): "no metadata key" is not `metadata: undefined`. */
const line = (e: OffsetEntry): string =>
  `${e.topic}-${e.partition}@${e.offset} ${'metadata' in e ? `metadata ${JSON.stringify(e.metadata)}` : 'no metadata key'}`;
const lines = (entries: OffsetEntry[]): string[] => entries.map(line);

async function expectFallback(refusal: () => Promise<unknown>): Promise<void> {
  let calls = 0;
  const h = setup(async () => {
    calls += 1;
    if (calls === 1) throw await refusal();
  });
  await h.committer.commit('interval');

  const retried = 'a commit refused as OFFSET_METADATA_TOO_LARGE is sent again with the same offsets and no metadata';
  expect({ [retried]: h.listener.commit.mock.calls.map(([offsets]) => lines(offsets)) }).toEqual({
    [retried]: [lines(withMetadata), lines(withoutMetadata)],
  });
  const reported = 'the offsets committed without metadata are reported committed (offsets.committed, the tracker)';
  expect({
    [reported]: {
      events: h.committedEvents.map((e) => lines(e.offsets)),
      tracker: h.committed.mock.calls.map(([entries]) => lines(entries)),
      committed: h.committedOffsets().join(' '),
      errors: h.errors.map((e) => e.type),
    },
  }).toEqual({
    [reported]: {
      events: [lines(withoutMetadata)],
      tracker: [lines(withoutMetadata)],
      committed: '0,10 1,20',
      errors: [],
    },
  });
}

test("OFFSET_METADATA_TOO_LARGE (KafkaJS's protocol error): the same offsets are committed again without metadata", async () => {
  await expectFallback(async () => tooLarge());
});

// Regression: the committer read `type` only on the error itself, and KafkaJS's retrier hands it a
// KafkaJSNonRetriableError whose `cause` has the type, so against a real broker the fallback never ran.
test('OFFSET_METADATA_TOO_LARGE as consumer.commitOffsets rejects with it (KafkaJSNonRetriableError, type on its cause): the fallback still happens', async () => {
  const rejection = await tooLargeAsKafkaJsRejectsIt();
  // the premise, checked against KafkaJS itself
  expect(rejection).toMatchObject({
    name: 'KafkaJSNonRetriableError',
    cause: { name: 'KafkaJSProtocolError', type: 'OFFSET_METADATA_TOO_LARGE' },
  });
  expect((rejection as { type?: unknown }).type).toBeUndefined();
  await expectFallback(async () => rejection);
});

test.each([
  [
    'another protocol error',
    () =>
      new KafkaJSProtocolError(
        Object.assign(new Error('rebalancing'), { type: 'REBALANCE_IN_PROGRESS', code: 27, retriable: false }),
      ),
  ],
  ['a plain error', () => new Error('connection closed')],
])('any other error (%s) is reported as offsets.commit.error and nothing is marked committed', async (_, error) => {
  const h = setup(async () => {
    throw error();
  });
  await h.committer.commit('interval');
  const rule = "any other commit failure: one attempt, error.occurred 'offsets.commit.error', nothing marked committed";
  expect({
    [rule]: {
      attempts: h.listener.commit.mock.calls.length,
      errors: h.errors.map((e) => e.type),
      events: h.committedEvents.length,
      tracker: h.committed.mock.calls.length,
      committed: h.committedOffsets().join(' '),
      stillPending: lines(h.tracker.pending()),
    },
  }).toEqual({
    [rule]: {
      attempts: 1,
      errors: ['offsets.commit.error'],
      events: 0,
      tracker: 0,
      committed: '0, 1,',
      stillPending: lines(withMetadata),
    },
  });
});

test('when the commit without metadata fails too, it is reported and nothing is marked committed', async () => {
  let calls = 0;
  const h = setup(async () => {
    calls += 1;
    throw calls === 1 ? tooLarge() : new Error('coordinator gone');
  });
  await h.committer.commit('shutdown');
  const rule = "a failed retry without metadata: error.occurred 'offsets.commit.error', nothing marked committed";
  expect({
    [rule]: {
      attempts: h.listener.commit.mock.calls.length,
      errors: h.errors.map((e) => e.type),
      events: h.committedEvents.length,
      committed: h.committedOffsets().join(' '),
    },
  }).toEqual({
    [rule]: { attempts: 2, errors: ['offsets.commit.error'], events: 0, committed: '0, 1,' },
  });
});

// Regression: after a fallback the tracker still held the metadata as "to commit", so every
// interval sent the refused commit again before the one without metadata.
test('after a fallback, metadata that long is not sent again: the next commits go out once, without it, and nothing stays pending', async () => {
  let calls = 0;
  const h = setup(async () => {
    calls += 1;
    if (calls === 1) throw tooLarge();
  });
  await h.committer.commit('interval');
  const settled = 'nothing pending after the fallback';
  expect({ [settled]: lines(h.tracker.pending()) }).toEqual({ [settled]: [] });
  h.tracker.mark(TOPIC, 0, 15);
  await h.committer.commit('interval');
  const once = 'the next commit is sent once, without the metadata the broker refused';
  expect({ [once]: h.listener.commit.mock.calls.slice(2).map(([offsets]) => lines(offsets)) }).toEqual({
    [once]: [[`${TOPIC}-0@15 no metadata key`]],
  });
});

// Regression: only the later commits that the lowered cap left without metadata were counted
// (pending() tells the ledger); the refused commit, sent again at once without its metadata, was
// not, so virtualPartitions.metadataDropped missed the first drop.
test("the refused commit's metadata counts as dropped on its partition's ledger, once, and so do the later drops", async () => {
  let calls = 0;
  const h = setup(async () => {
    calls += 1;
    if (calls === 1) throw tooLarge();
  });
  await h.committer.commit('interval');
  const first = "the refused commit's metadata is reported to its ledger as dropped (its length in bytes)";
  expect({ [first]: h.withMetadata.dropped }).toEqual({ [first]: [Buffer.byteLength('ahead:12,15')] });
  h.tracker.mark(TOPIC, 0, 15);
  await h.committer.commit('interval');
  const later = 'the next commit, without the metadata the broker refused, counts once more';
  expect({ [later]: h.withMetadata.dropped.length }).toEqual({ [later]: 2 });
});
