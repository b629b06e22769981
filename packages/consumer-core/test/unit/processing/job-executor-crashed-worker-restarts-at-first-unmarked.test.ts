// Claim: a job whose worker thread died (the pool's consume() rejects: piscina replaces the
// thread, the job's result is lost) restarts its partition at the job's first UNMARKED offset
// after the backoff — its first offset when nothing of it was marked, but past what a transaction
// of the job committed before the thread died (that part is marked, and is not processed again).
// Runs the real JobExecutor, default strategy, PartitionCoordinators, OffsetTracker and
// PausesManager with a fake worker pool and a fake listener (which records where the pauses
// manager restarts the partition), under fake timers. No broker.
import { TOPIC, PARTITION, executorHarness, messagesBetween, succeeded } from './support/executor-harness';

const BACKOFF = { timeoutMs: 200, maxTimeoutMs: 60_000, exponential: true } as const;
const threadDied = (): Promise<never> => Promise.reject(new Error('worker thread exited with code 1'));

let h: ReturnType<typeof executorHarness>;

beforeEach(async () => {
  jest.useFakeTimers();
  h = executorHarness({ backoff: BACKOFF });
  // an earlier job processed 0..4: the partition's mark is 5 when the crashing job 5..9 starts
  await h.poll(messagesBetween(0, 4), async () => succeeded(5));
});

afterEach(() => {
  h.stop();
  jest.useRealTimers();
});

/** Where the partition restarts: the pause's offset, the listener's seek once it ran out, the mark meanwhile. */
function restart(): { pausedAt: number | undefined; resumedAt: string | undefined; marked: number | null } {
  const pause = h.paused.at(-1);
  h.endPause();
  return { pausedAt: pause?.offset, resumedAt: h.listenerCalls.filter((c) => c.startsWith('resumeAt')).at(-1), marked: h.marked() };
}

test('a job whose thread died with nothing marked restarts at its first offset', async () => {
  await h.poll(messagesBetween(5, 9), threadDied);

  const rule = 'a crashed job restarts at its first unmarked offset (nothing of it marked: its first, 5)';
  expect({ [rule]: restart() }).toEqual({ [rule]: { pausedAt: 5, resumedAt: `resumeAt ${TOPIC}-${PARTITION}@5`, marked: 5 } });
});

test('a job whose thread died after its transaction committed 5..7 restarts at 8, not at its first offset', async () => {
  await h.poll(messagesBetween(5, 9), async () => {
    // what TransactionFence does when the job's this.transaction() commits offsets up to 8
    h.tracker.beginTransaction(TOPIC, PARTITION);
    h.tracker.endTransaction(TOPIC, PARTITION, h.epoch, 8);
    return threadDied();
  });

  const rule = 'a crashed job restarts at its first unmarked offset (its transaction marked 5..7: 8, not its first offset 5)';
  expect({ [rule]: restart() }).toEqual({ [rule]: { pausedAt: 8, resumedAt: `resumeAt ${TOPIC}-${PARTITION}@8`, marked: 8 } });
});

test('a job whose thread died after its transaction committed all of it restarts after its last offset', async () => {
  await h.poll(messagesBetween(5, 9), async () => {
    h.tracker.beginTransaction(TOPIC, PARTITION);
    h.tracker.endTransaction(TOPIC, PARTITION, h.epoch, 10);
    return threadDied();
  });

  const rule = 'a crashed job restarts at its first unmarked offset (its transaction marked all of it: 10)';
  expect({ [rule]: restart() }).toEqual({ [rule]: { pausedAt: 10, resumedAt: `resumeAt ${TOPIC}-${PARTITION}@10`, marked: 10 } });
});
