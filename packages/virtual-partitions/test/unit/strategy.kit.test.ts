// The virtual partitions strategy, run through the testing kit the way production splits it: a
// batch becomes one job per virtual partition (consistent: by key, each its own consumer
// instance kept across batches); markAsConsumed marks only its own share; a failure collapses the
// partition — the retry is one job in Kafka order that skips what the other shares processed,
// then the partition splits again; the dead letter queue works on the collapsed job; a
// partitioner that throws runs the batch as one share and is reported; every poll that skips
// what was processed already is reported on virtual_partitions.distributed, collapsed or not.
import { join } from 'node:path';
import { createTestingKit } from '@decanter/consumer-core/testing';
import type { AppOptions, ErrorOccurredEvent } from '@decanter/consumer-core';
import { virtualPartitions, type Partitioner, type VirtualPartitionsDistributedEvent } from '@decanter/virtual-partitions';
import { ShareConsumer, type SharePayload } from './fixtures/vp-consumers';

const consumerModule = join(__dirname, 'fixtures', 'vp-consumers.ts');
const options = (topic: Record<string, unknown>, extra: Partial<AppOptions> = {}): AppOptions => ({
  kafka: { 'bootstrap.servers': '127.0.0.1:9092', 'group.id': 'g' },
  features: [virtualPartitions()],
  concurrency: 2,
  routes: [{ topics: [{ topic: 'payments', consumer: { module: consumerModule, export: 'ShareConsumer' }, maxMessages: 100, ...topic }] }],
  ...extra,
});
const feed = (kit: ReturnType<typeof createTestingKit>, payloads: Array<{ key: string } & SharePayload>): void => {
  for (const { key, ...payload } of payloads) kit.produce('payments', payload, { key });
};

beforeEach(() => ShareConsumer.seen.splice(0));

test('a batch is split by key into one job per virtual partition, each with its own instance, offsets ascending', async () => {
  const kit = createTestingKit(options({ virtualPartitions: { partitioner: 'key', maxPartitions: 4 } }));
  const consumer = kit.consumerFor<ShareConsumer>('payments');
  feed(kit, Array.from({ length: 12 }, (_, n) => ({ key: `k${n % 3}`, n })));
  await consumer.consume();
  const byShare = ShareConsumer.seen.map((b) => `${b.virtualPartition}:${b.offsets.join(',')}`).sort();
  const rule = 'three keys, three shares, every message once, in order within each';
  expect({ [rule]: { shares: byShare.length, all: ShareConsumer.seen.flatMap((b) => b.offsets).sort((a, b) => a - b), ordered: ShareConsumer.seen.every((b) => b.offsets.join() === [...b.offsets].sort((x, y) => x - y).join()) } }).toEqual({
    [rule]: { shares: 3, all: Array.from({ length: 12 }, (_, i) => i), ordered: true },
  });
  expect(ShareConsumer.seen.every((b) => b.collapsed === false)).toBe(true);
  // the next batch: each key back on the same virtual partition and instance
  feed(kit, Array.from({ length: 6 }, (_, n) => ({ key: `k${n % 3}`, n: 12 + n })));
  const before = ShareConsumer.seen.length;
  await consumer.consume();
  const instanceRule = 'each share keeps its consumer instance across batches';
  const shares = ShareConsumer.seen.slice(before).map((b) => b.virtualPartition!);
  expect({ [instanceRule]: shares.every((vp) => consumer.instanceOf(vp).batches.length === 2) }).toEqual({ [instanceRule]: true });
  expect(consumer.markedOffset).toBe(18);
});

test('markAsConsumed marks its own share only: the commit does not pass another share\'s unmarked messages', async () => {
  const kit = createTestingKit(
    options({ consumer: { module: consumerModule, export: 'FirstOnlyConsumer' }, manualOffsetManagement: true, virtualPartitions: { partitioner: ((m) => (m.offset < 3 ? 'a' : 'b')) satisfies Partitioner, maxPartitions: 2, distribution: 'balanced' } }),
  );
  const consumer = kit.consumerFor('payments');
  feed(kit, Array.from({ length: 6 }, (_, n) => ({ key: 'x', n })));
  await consumer.consume();
  // shares 0,1,2 and 3,4,5: each marks its first message only (and leaves the rest unmarked on purpose)
  expect({ 'the committed offset stops at the first share\'s unmarked second message': consumer.markedOffset }).toEqual({
    "the committed offset stops at the first share's unmarked second message": 1,
  });
});

test('a failure collapses the partition: one job in order, skipping what other shares processed, then split again', async () => {
  const kit = createTestingKit(options({ virtualPartitions: { partitioner: 'key', maxPartitions: 4 } }));
  const consumer = kit.consumerFor<ShareConsumer>('payments');
  feed(kit, Array.from({ length: 8 }, (_, n) => ({ key: n % 2 === 0 ? 'even' : 'odd', n, failOnce: n === 3 })));
  await expect(consumer.consume()).rejects.toThrow('failed once at 3');
  expect(consumer.attempt).toBe(2);
  expect(consumer.position).toBe(1); // the odd share failed at its first message, 1
  ShareConsumer.seen.splice(0);
  await consumer.consume();
  const rule = 'the retry is one collapsed job with the odd share\'s messages only (the even ones were processed)';
  expect({ [rule]: ShareConsumer.seen }).toEqual({ [rule]: [{ offsets: [1, 3, 5, 7], virtualPartition: 0, collapsed: true }] });
  expect(consumer.markedOffset).toBe(8);
  feed(kit, Array.from({ length: 4 }, (_, n) => ({ key: n % 2 === 0 ? 'even' : 'odd', n: 8 + n })));
  ShareConsumer.seen.splice(0);
  await consumer.consume();
  expect({ 'split again after the collapsed retry passed the failing poll': ShareConsumer.seen.map((b) => b.collapsed) }).toEqual({
    'split again after the collapsed retry passed the failing poll': [false, false],
  });
});

test('the dead letter queue takes the message that keeps failing, from the collapsed job', async () => {
  const kit = createTestingKit(options({ virtualPartitions: { partitioner: 'key', maxPartitions: 4 }, deadLetterQueue: { topic: 'payments-dlq', maxRetries: 1 } }));
  const consumer = kit.consumerFor<ShareConsumer>('payments');
  // k1's share is [1, 4] and fails on its first message (the consumer marks nothing itself, so the
  // first unprocessed message is the one that keeps failing, as on a partition without them)
  feed(kit, Array.from({ length: 6 }, (_, n) => ({ key: `k${n % 3}`, n, poison: n === 1 })));
  await expect(consumer.consume()).rejects.toThrow('poison 1'); // parallel: collapses
  ShareConsumer.seen.splice(0);
  await expect(consumer.consume()).rejects.toThrow('poison 1'); // collapsed, attempt 2 > maxRetries 1: isolation
  // nothing was marked, so the failing message is not known: the DLQ isolates it (halves of the
  // suspects [1, 4]; the first half, [1] alone, fails 1 + maxRetries times and only then is sent)
  await expect(consumer.consume()).rejects.toThrow('poison 1');
  await expect(consumer.consume()).rejects.toThrow('poison 1');
  const rule = 'the collapsed retry ran only the unprocessed [1, 4], then isolated 1; exactly the poison message went to the dead letter queue';
  expect({ [rule]: { retried: ShareConsumer.seen.map((b) => b.offsets), dlq: consumer.deadLettered.map((m) => m.headers?.['source_offset']) } }).toEqual({
    [rule]: { retried: [[1, 4], [1], [1]], dlq: ['1'] },
  });
  expect(consumer.markedOffset).toBe(4); // 4 is still to run: never committed past it
  ShareConsumer.seen.splice(0);
  await consumer.consume();
  expect({ 'then only 4 runs': ShareConsumer.seen.map((b) => b.offsets), marked: consumer.markedOffset }).toEqual({ 'then only 4 runs': [[4]], marked: 6 });
});

test("a share's transaction never commits past another share's unprocessed messages", async () => {
  const kit = createTestingKit(
    options({ consumer: { module: consumerModule, export: 'TransactionalShareConsumer' }, virtualPartitions: { partitioner: ((m) => (m.offset < 3 ? 'a' : 'b')) satisfies Partitioner, maxPartitions: 2, distribution: 'balanced' } }),
  );
  const consumer = kit.consumerFor('payments');
  // share a (0-2) fails at 0; share b (3-5) commits its transaction asking for offset 6
  feed(kit, Array.from({ length: 6 }, (_, n) => ({ key: 'x', n, failOnce: n === 0 })));
  await expect(consumer.consume()).rejects.toThrow('failed once at 0');
  const rule = "share b's transaction committed nothing past share a's unprocessed 0-2";
  expect({ [rule]: { committed: consumer.markedOffset, asked: consumer.transactions.map((t) => t.markedOffset) } }).toEqual({ [rule]: { committed: 0, asked: [6] } });
  await consumer.consume(); // the collapsed retry: share a's messages, in order, then everything is committed
  expect(consumer.markedOffset).toBe(6);
});

test('a partitioner that throws runs the batch as one virtual partition and is reported', async () => {
  const throwing: Partitioner = (m) => {
    if (m.offset === 2) throw new Error('no key for you');
    return 'k';
  };
  const kit = createTestingKit(options({ virtualPartitions: { partitioner: throwing, maxPartitions: 4 } }));
  const errors: ErrorOccurredEvent[] = [];
  kit.monitor.on('error.occurred', (e) => errors.push(e));
  const consumer = kit.consumerFor('payments');
  feed(kit, Array.from({ length: 4 }, (_, n) => ({ key: 'k', n })));
  await consumer.consume();
  const rule = 'one share, every message; reported as virtual_partitions.partitioner.error naming the route';
  expect({ [rule]: { shares: ShareConsumer.seen.length, offsets: ShareConsumer.seen[0]?.offsets, errors: errors.map((e) => [e.type, e.error.message.includes('routes[0].topics[0]')]) } }).toEqual({
    [rule]: { shares: 1, offsets: [0, 1, 2, 3], errors: [['virtual_partitions.partitioner.error', true]] },
  });
});

// Regression: the collapsed retry and a poll skipped entirely returned before the event, so what
// the other shares had processed ahead of a failure was never counted anywhere.
test('the collapsed retry and a poll skipped entirely report what they skipped on virtual_partitions.distributed', async () => {
  const kit = createTestingKit(
    options({ virtualPartitions: { partitioner: ((m) => (m.offset === 1 ? 'p' : 'q')) satisfies Partitioner, maxPartitions: 4, distribution: 'balanced' }, deadLetterQueue: { topic: 'payments-dlq', maxRetries: 1 } }),
  );
  const events: VirtualPartitionsDistributedEvent[] = [];
  kit.monitor.on('virtual_partitions.distributed', (e) => events.push(e));
  const consumer = kit.consumerFor<ShareConsumer>('payments');
  feed(kit, Array.from({ length: 4 }, (_, n) => ({ key: 'x', n, poison: n === 1 })));
  await expect(consumer.consume()).rejects.toThrow('poison 1'); // split [1] and [0, 2, 3]: collapses
  await expect(consumer.consume()).rejects.toThrow('poison 1'); // collapsed [1] (2, 3 skipped): to the DLQ
  await consumer.consume(); // from 2: processed already, no job
  const rule = 'split (nothing skipped); collapsed with 2, 3 skipped; then the poll of 2, 3 skipped entirely';
  expect({ [rule]: events.map(({ messages, skipped, virtualPartitions: shares, collapsed }) => ({ messages, skipped, shares, collapsed })) }).toEqual({
    [rule]: [
      { messages: 4, skipped: 0, shares: 2, collapsed: false },
      { messages: 1, skipped: 2, shares: 1, collapsed: true },
      { messages: 0, skipped: 2, shares: 0, collapsed: true },
    ],
  });
  expect(consumer.markedOffset).toBe(4);
});
