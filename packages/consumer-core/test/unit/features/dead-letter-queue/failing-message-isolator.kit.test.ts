// Claim (issue 16, "healthy messages dead-lettered"): a consumer that does not mark each message
// and fails on one poison message gets exactly the poison sent to the dead letter queue, never a
// healthy message of its batch. Once the batch exhausted its retries, the partition's next jobs take
// halves of it until the failing message is alone; it goes to the DLQ after failing alone
// 1 + maxRetries times (at once for an UnrecoverableError), and the event says how it was found.
// Every healthy message succeeds in exactly one job, the marks only ever move in order (never past
// a message that did not succeed or was not sent), and a failure that does not come back sends
// nothing. Known failing messages (a consumer that marks as it goes, manualOffsetManagement) go as
// before. Run through the testing kit, which uses production's strategy and failure policy.
import { join } from 'node:path';
import { DLQ_HEADERS, type DeadLetteredEvent, type RoutesDefinition } from '@decanter/consumer-core';
import { createTestingKit, type TestConsumer } from '@decanter/consumer-core/testing';
import type { BatchConsumer, IsolationPayload } from './fixtures/isolation-consumers';

const consumer = { module: join(__dirname, 'fixtures', 'isolation-consumers'), export: 'BatchConsumer' };
const routes = (dlq: object = {}, extra: object = {}): RoutesDefinition => [
  {
    consumerGroup: 'g',
    topics: [{ topic: 'orders', consumer, deadLetterQueue: { topic: 'orders-dlq', maxRetries: 2, ...dlq }, ...extra }],
  },
];

interface Drained {
  /** Offsets sent to the DLQ, in order. */
  sent: number[];
  /** consume() calls, and how many of them threw. */
  calls: number;
  failures: number;
  events: DeadLetteredEvent[];
}

/** Offsets whose processing a commit may pass, per partition: they succeeded in a job, were marked by the consumer, or were sent. */
const settled = new WeakMap<TestConsumer<BatchConsumer>, Set<number>>();

/**
 * One consume(), as the framework's poll loop runs a job; then checks that the marked offset
 * never passed a message that neither succeeded, nor was marked by the consumer, nor was sent to
 * the DLQ (what a commit would skip). Resolves with the error consume() threw, or null.
 */
async function step(c: TestConsumer<BatchConsumer>): Promise<unknown> {
  const error = await c.consume().then(
    () => null,
    (e: unknown) => e,
  );
  const run = c.instance.runs[c.instance.runs.length - 1]!;
  const done = settled.get(c) ?? new Set<number>();
  settled.set(c, done);
  for (const o of run.ok ? run.offsets : c.instance.markAsItGoes ? run.done : []) done.add(o);
  for (const o of sentOffsets(c)) done.add(o);
  for (let o = 0; o < (c.markedOffset ?? 0); o++) {
    if (!done.has(o))
      throw new Error(`marked offset ${c.markedOffset} passed ${o}, which neither succeeded nor was sent`);
  }
  return error;
}

/** Runs consume() until the partition is drained (see step()). */
async function drain(
  kit: ReturnType<typeof createTestingKit>,
  c: TestConsumer<BatchConsumer>,
  limit = 200,
): Promise<Drained> {
  const events: DeadLetteredEvent[] = [];
  const off = kit.monitor.subscribe('dlq.dispatched', (e) => void events.push(e));
  let calls = 0;
  let failures = 0;
  try {
    while (c.pending > 0) {
      if (++calls > limit) throw new Error(`not drained after ${limit} consume() calls`);
      if ((await step(c)) !== null) failures += 1;
    }
  } finally {
    off();
  }
  return { sent: sentOffsets(c), calls, failures, events };
}

const sentOffsets = (c: TestConsumer<BatchConsumer>): number[] =>
  c.deadLettered.map((m) => Number(m.headers?.[DLQ_HEADERS.offset]));

/** How many jobs that succeeded had each offset (every healthy message: exactly 1). */
function successes(c: TestConsumer<BatchConsumer>): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of c.instance.runs) if (r.ok) for (const o of r.offsets) out.set(o, (out.get(o) ?? 0) + 1);
  return out;
}

function feed(c: TestConsumer<BatchConsumer>, count: number, special: Record<number, Partial<IsolationPayload>>): void {
  c.feed(Array.from({ length: count }, (_, n) => ({ n, ...special[n] })));
}

describe.each([
  ['counting failures in a row', false],
  ['independent counting', true],
])('a consumer that marks nothing, %s', (_name, independent) => {
  test.each([0, 1, 5, 8, 9])(
    'a poison at %i of 10: only the poison goes to the DLQ, after failing alone 1 + maxRetries times',
    async (poison) => {
      const kit = createTestingKit(routes({ independent }));
      const c = kit.consumerFor<BatchConsumer>('orders');
      feed(c, 10, { [poison]: { poison: true } });
      const { sent, events } = await drain(kit, c);

      const healthy = Array.from({ length: 10 }, (_, o) => o).filter((o) => o !== poison);
      const rule =
        'only the poison is sent; every healthy message succeeds in exactly one job; the mark ends past the batch';
      expect({ [rule]: { sent, successes: healthy.map((o) => successes(c).get(o)), marked: c.markedOffset } }).toEqual({
        [rule]: { sent: [poison], successes: healthy.map(() => 1), marked: 10 },
      });
      // the whole batch ran 1 + maxRetries times, the poison alone 1 + maxRetries times
      const runs = c.instance.runs;
      expect(runs.slice(0, 3).map((r) => r.offsets.length)).toEqual([10, 10, 10]);
      expect(runs.filter((r) => r.offsets.length === 1 && r.offsets[0] === poison).map((r) => r.ok)).toEqual([
        false,
        false,
        false,
      ]);
      expect(c.deadLettered[0]?.headers?.[DLQ_HEADERS.attempts]).toBe('3');
      expect(
        events.map((e) => [
          e.offset,
          e.attempts,
          e.isolation?.firstOffset,
          e.isolation?.lastOffset,
          e.isolation?.messages,
        ]),
      ).toEqual([[poison, 3, 0, 9, 10]]);
      // jobs the isolation ran: the halving ones, the poison's 3 alone, none after it but the rest of the batch
      expect(events[0]!.isolation!.jobs).toBe(runs.length - 3 - (poison < 9 ? 1 : 0));
    },
  );
});

test('a healthy message runs again only in jobs that failed: at most 1 + maxRetries + one per halving', async () => {
  const kit = createTestingKit(routes());
  const c = kit.consumerFor<BatchConsumer>('orders');
  feed(c, 16, { 13: { poison: true } });
  await drain(kit, c);
  const runsOf = (o: number): number => c.instance.processed.filter((p) => p === o).length;
  // the batch 0-15 failed 3 times at 13 (0-12 processed each time); then 0-7 and 8-11 succeeded,
  // 12-13 failed at 13 (12 processed once more), 12 succeeded alone, 13 failed alone 3 times,
  // 14-15 succeeded: every healthy message succeeded once, the duplicates are the failing runs'
  const rule = 'runs of each healthy message: the 3 failing batch runs, the failing halves it was in, the one success';
  expect({ [rule]: Array.from({ length: 16 }, (_, o) => runsOf(o)) }).toEqual({
    [rule]: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 0, 1, 1],
  });
  expect(sentOffsets(c)).toEqual([13]);
});

test('several poisons in one batch: each is found and sent, nothing else', async () => {
  const kit = createTestingKit(routes());
  const c = kit.consumerFor<BatchConsumer>('orders');
  feed(c, 12, { 3: { poison: true }, 7: { poison: true }, 8: { poison: true } });
  const { sent, events } = await drain(kit, c);
  expect(sent).toEqual([3, 7, 8]);
  const healthy = [0, 1, 2, 4, 5, 6, 9, 10, 11];
  expect(healthy.map((o) => successes(c).get(o))).toEqual(healthy.map(() => 1));
  expect(c.markedOffset).toBe(12);
  // all three were isolated within the batch that failed first (the rest of it is searched at once)
  expect(events.map((e) => [e.offset, e.isolation?.firstOffset, e.isolation?.messages])).toEqual([
    [3, 0, 12],
    [7, 0, 12],
    [8, 0, 12],
  ]);
  // after 3 was sent, the rest of the batch failed once and was halved at once: no 1 + maxRetries whole runs again
  const wholeRuns = c.instance.runs.filter((r) => r.offsets[0] === 4 && r.offsets.length === 8);
  expect(wholeRuns.map((r) => r.ok)).toEqual([false]);
});

test('a failure that does not come back sends nothing: the halves succeed and the partition goes on', async () => {
  const kit = createTestingKit(routes());
  const c = kit.consumerFor<BatchConsumer>('orders');
  // 4 fails on the 3 runs of the whole batch (1 + maxRetries), then works
  feed(c, 10, { 4: { flaky: 3 } });
  const { sent } = await drain(kit, c);
  expect(sent).toEqual([]);
  expect(Array.from({ length: 10 }, (_, o) => successes(c).get(o))).toEqual(Array.from({ length: 10 }, () => 1));
  expect(c.markedOffset).toBe(10);
  const runs = c.instance.runs.map((r) => `${r.offsets[0]}-${r.offsets[r.offsets.length - 1]}${r.ok ? '' : ' failed'}`);
  expect({ 'the batch 3 times, then the first half, then the rest whole': runs }).toEqual({
    'the batch 3 times, then the first half, then the rest whole': [
      '0-9 failed',
      '0-9 failed',
      '0-9 failed',
      '0-4',
      '5-7',
      '8-8',
      '9-9',
    ],
  });
});

test('this.attempt during an isolation counts the failures of the part being tried', async () => {
  const kit = createTestingKit(routes());
  const c = kit.consumerFor<BatchConsumer>('orders');
  feed(c, 4, { 0: { poison: true } });
  await drain(kit, c);
  const runs = c.instance.runs.map((r) => `${r.offsets.join(',')}@${r.attempt}${r.ok ? '' : '!'}`);
  // the batch 1..3; the half 0,1 after the first backoff (attempt 2); 0 alone failed once
  // when found (its own count starts there), then twice more; the rest of the batch after it
  expect(runs).toEqual(['0,1,2,3@1!', '0,1,2,3@2!', '0,1,2,3@3!', '0,1@2!', '0@2!', '0@2!', '0@3!', '1,2,3@1']);
});

test('maxRetries 0: the batch fails once, then the poison is sent at its first failure alone', async () => {
  const kit = createTestingKit(routes({ maxRetries: 0 }));
  const c = kit.consumerFor<BatchConsumer>('orders');
  feed(c, 8, { 6: { poison: true } });
  const { sent } = await drain(kit, c);
  expect(sent).toEqual([6]);
  expect(c.deadLettered[0]?.headers?.[DLQ_HEADERS.attempts]).toBe('1');
  expect(c.instance.runs.filter((r) => r.offsets.length === 8).length).toBe(1);
  expect(c.markedOffset).toBe(8);
});

test('a consumer that marks as it goes says where it failed: that message is sent after 1 + maxRetries runs, as before', async () => {
  const kit = createTestingKit(routes());
  const c = kit.consumerFor<BatchConsumer>('orders');
  c.instance.markAsItGoes = true;
  feed(c, 10, { 5: { poison: true } });
  const { sent, events } = await drain(kit, c);
  expect(sent).toEqual([5]);
  expect(events.map((e) => e.isolation)).toEqual([null]);
  expect(c.instance.runs.map((r) => `${r.offsets[0]}-${r.offsets[r.offsets.length - 1]}`)).toEqual([
    '0-9',
    '5-9',
    '5-9',
    '6-9',
  ]);
});

test('a consumer that marks as it goes, failing at the first message of its batch, is isolated too (its marks say nothing)', async () => {
  const kit = createTestingKit(routes());
  const c = kit.consumerFor<BatchConsumer>('orders');
  c.instance.markAsItGoes = true;
  feed(c, 6, { 0: { poison: true } });
  const { sent, events } = await drain(kit, c);
  expect(sent).toEqual([0]);
  expect(events[0]?.isolation).not.toBeNull();
  expect(c.markedOffset).toBe(6);
});

test('manualOffsetManagement: the consumer owns its marks, so its first unmarked message is the failing one (no isolation)', async () => {
  const kit = createTestingKit(routes({}, { manualOffsetManagement: true }));
  const c = kit.consumerFor<BatchConsumer>('orders');
  c.instance.markAsItGoes = true;
  feed(c, 10, { 0: { poison: true } });
  const { sent, events } = await drain(kit, c);
  expect(sent).toEqual([0]);
  expect(events.map((e) => e.isolation)).toEqual([null]);
  expect(c.instance.runs.slice(0, 3).map((r) => r.offsets.length)).toEqual([10, 10, 10]);
});

test('an UnrecoverableError naming no offset skips the retries, not the isolation: the message is sent at its first failure alone', async () => {
  const kit = createTestingKit(routes({ maxRetries: 5 }));
  const c = kit.consumerFor<BatchConsumer>('orders');
  feed(c, 10, { 6: { broken: true } });
  const { sent } = await drain(kit, c);
  expect(sent).toEqual([6]);
  expect(c.deadLettered[0]?.headers?.[DLQ_HEADERS.errorClass]).toBe('UnrecoverableError');
  expect(c.deadLettered[0]?.headers?.[DLQ_HEADERS.attempts]).toBe('1');
  // the batch ran once; then its halves; 6 failed once alone
  const runs = c.instance.runs.map((r) => `${r.offsets[0]}-${r.offsets[r.offsets.length - 1]}${r.ok ? '' : '!'}`);
  expect(runs).toEqual(['0-9!', '0-4', '5-7!', '5-6!', '5-5', '6-6!', '7-9']);
});

test('a RetryLaterError during an isolation retries the same part later and counts nothing', async () => {
  const kit = createTestingKit(routes());
  const c = kit.consumerFor<BatchConsumer>('orders');
  feed(c, 10, { 8: { poison: true } });
  for (let i = 0; i < 3; i++) await expect(c.consume()).rejects.toThrow('poison 8');
  c.instance.retryLaterAt = 2;
  await expect(c.consume()).rejects.toThrow('later 2'); // the first half, 0-4
  expect(c.pause).toEqual({ offset: 0, timeoutMs: 10 });
  const { sent } = await drain(kit, c);
  expect(sent).toEqual([8]);
  const runs = c.instance.runs
    .slice(3, 5)
    .map((r) => `${r.offsets[0]}-${r.offsets[r.offsets.length - 1]}@${r.attempt}`);
  expect({ 'the same half again, with the same attempt': runs }).toEqual({
    'the same half again, with the same attempt': ['0-4@2', '0-4@2'],
  });
});

test('a revocation ends the isolation: the next owner starts over from the marked offset', async () => {
  const kit = createTestingKit(routes());
  const c = kit.consumerFor<BatchConsumer>('orders');
  feed(c, 10, { 7: { poison: true } });
  for (let i = 0; i < 3; i++) expect(await step(c)).toBeInstanceOf(RangeError);
  expect(await step(c)).toBeNull(); // the first half, 0-4, succeeds and is marked
  expect(c.markedOffset).toBe(5);
  await c.revoke();
  expect(await step(c)).toBeInstanceOf(RangeError);
  expect(c.instance.runs[0]?.offsets).toEqual([5, 6, 7, 8, 9]); // a new instance, the rest of the batch whole
  const { sent } = await drain(kit, c);
  expect(sent).toEqual([7]);
  expect(c.markedOffset).toBe(10);
});
