// Claim: in production's parts (JobsBuilder, JobExecutor, the built-in deadLetterQueue() feature,
// PartitionCoordinator, OffsetTracker, PausesManager), an isolation hands each job only its part of
// the fetched batch and restarts the partition right after that part (pause reason `isolation`,
// 0 ms: the listener seeks there, so what the job did not take is fetched again, never skipped);
// a part that fails waits the backoff of its own count; the poison alone goes to the DLQ after
// 1 + maxRetries failures alone, and the commit position only moves in order over messages that
// were processed. A worker that fails whenever its job holds the poison (it marks nothing) plays
// the consumer; the listener's restarts say where the next fetch starts. No broker, fake timers.
import type { ProducedMessage } from '../../../../src/options';
import { DLQ_HEADERS } from '../../../../src/features/dead-letter-queue/dead-letter-headers';
import type { DeadLetteredEvent } from '../../../../src/events';
import { executorHarness, failed, messagesBetween, succeeded } from '../../processing/support/executor-harness';

const BACKOFF = { timeoutMs: 100, maxTimeoutMs: 60_000, exponential: true } as const;
let h: ReturnType<typeof executorHarness>;

afterEach(() => {
  h.stop();
  jest.useRealTimers();
});

test('a batch of 20 with a poison at 33: halves, restarts right after each part, the poison alone to the DLQ', async () => {
  jest.useFakeTimers();
  const produced: ProducedMessage[] = [];
  h = executorHarness({
    backoff: BACKOFF,
    deadLetterQueue: { topic: 'orders.dlq', maxRetries: 1, independent: false },
    produce: async (m) => {
      produced.push(m);
      return { topic: 'orders.dlq', partition: 0, offset: '5' };
    },
  });
  const dispatched: DeadLetteredEvent[] = [];
  h.monitor.subscribe('dlq.dispatched', (e) => void dispatched.push(e));
  const POISON = 33;
  const END = 40; // the batch is 20..39
  const marks: Array<number | null> = [];
  let next = 20;
  for (let poll = 0; poll < 40 && next < END; poll++) {
    const restarts = h.listenerCalls.length;
    await h.poll(messagesBetween(next, END - 1), async (_task, offsets) =>
      offsets.includes(POISON) ? failed(null, `poison ${POISON}`) : succeeded(offsets[offsets.length - 1]! + 1),
    );
    h.endPause();
    marks.push(h.marked());
    // where the listener restarted the partition (a pause's end), else after what the job took
    const resumed = h.listenerCalls
      .slice(restarts)
      .filter((c) => c.startsWith('resumeAt'))
      .pop();
    next = resumed === undefined ? h.tasks[h.tasks.length - 1]!.offsets.at(-1)! + 1 : Number(resumed.split('@')[1]);
  }

  const jobs = h.tasks.map((t) => `${t.offsets[0]}-${t.offsets.at(-1)}`);
  const rule = 'the batch twice, then halves; the poison alone twice; then the rest of the batch';
  expect({ [rule]: jobs }).toEqual({
    [rule]: ['20-39', '20-39', '20-29', '30-34', '30-32', '33-33', '33-33', '34-39'],
  });
  // every job that took a part restarted the partition right after it, at once; failures waited
  // the backoff of their own count (the batch's first; then 1 for each part that narrowed it)
  const rule2 = 'pauses: reason@offset timeout (attempt)';
  expect({ [rule2]: h.paused.map((e) => `${e.reason}@${e.offset} ${e.timeoutMs} ms (${e.attempt})`) }).toEqual({
    [rule2]: [
      'error@20 100 ms (1)',
      'error@20 100 ms (1)', // 1 + maxRetries runs of the batch, none marked: isolating, the count restarts
      'isolation@30 0 ms (0)', // 20-29 handed out: 30 on is fetched again
      'isolation@35 0 ms (0)', // 30-34
      'error@30 100 ms (1)', // 30-34 failed: they are the suspects, their own count
      'isolation@33 0 ms (0)', // 30-32 (succeeds)
      'isolation@34 0 ms (0)', // 33 alone
      'error@33 100 ms (1)', // 33 failed alone
      'isolation@34 0 ms (0)', // 33 alone again
      'dlq@34 0 ms (0)', // failed alone 1 + maxRetries times: sent; the partition goes on after it
    ],
  });
  expect(produced.map((m) => m.headers?.[DLQ_HEADERS.offset])).toEqual(['33']);
  expect(dispatched.map((e) => [e.offset, e.attempts, e.isolation])).toEqual([
    [33, 2, { firstOffset: 20, lastOffset: 39, messages: 20, jobs: 5 }],
  ]);
  // the commit position only moves forward, in order, over processed messages (and the sent one)
  expect(marks).toEqual([null, null, 30, 30, 33, 33, 34, 40]);
});
