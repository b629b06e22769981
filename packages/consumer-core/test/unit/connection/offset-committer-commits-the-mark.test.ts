// Claim: the offset committer commits the partition's MARK (everything before it was processed),
// never the fetch position: with the listener fetched far ahead of what the jobs processed
// (prefetching does exactly that), an interval, rebalance or shutdown commit sends the offset
// after the last processed message — held back by a job still running — and not where KafkaJS
// reads next. A real OffsetTracker with a fake listener (it records what it is asked to commit).
// No broker.
import { OffsetCommitter, type CommitReason } from '../../../src/connection/offset-committer';
import type { OffsetEntry } from '../../../src/events';
import { Monitor } from '../../../src/instrumentation/monitor';
import { MessageRun } from '../../../src/messages/packed-chunk';
import { OffsetTracker } from '../../../src/processing/offsets/offset-tracker';

const TOPIC = 'orders';
const scope = { consumerGroup: 'cg', subscriptionGroup: 'sg', connection: 0 };

const run = (from: number, to: number): MessageRun =>
  MessageRun.of(Array.from({ length: to - from + 1 }, (_, i) => ({ offset: from + i, timestamp: 0, value: Buffer.from('v') })));

test.each<CommitReason>(['interval', 'rebalance', 'shutdown'])('on %s, the committer sends the marked offset, not the fetch position', async (reason) => {
  const tracker = new OffsetTracker();
  const epoch = tracker.assign(TOPIC, 0);
  // the listener buffered up to offset 999 (fetch position 1000) ...
  tracker.fetched(TOPIC, 0, 999, 5_000);
  // ... while jobs processed 0..19, and the job of 20..29 is still running
  const done = run(0, 19);
  tracker.dispatchedRun(TOPIC, 0, done);
  tracker.processed(TOPIC, 0, done, 20, true, epoch);
  tracker.dispatchedRun(TOPIC, 0, run(20, 29));
  expect(tracker.fetchPositionOf(TOPIC, 0)).toBe(1_000); // the premise: fetched far ahead

  const sent: OffsetEntry[][] = [];
  const committer = new OffsetCommitter({ tracker, listener: { commit: async (offsets) => void sent.push(offsets) }, monitor: new Monitor(), scope });
  await committer.commit(reason);

  const rule = 'commits the marked offset, not the fetch position';
  expect({ [rule]: sent }).toEqual({ [rule]: [[{ topic: TOPIC, partition: 0, offset: 20 }]] });
});
