// Claim: the default strategy's failure count reaches the backoff. With pause.timeout 200 ms,
// exponential and a cap far above, consecutive failures of a partition keep it paused 200, 400,
// 800, 1600 ms; a successful job resets the count (the next failure pauses 200 ms again); a
// RetryLaterError pauses for its own delay and does not count as a failure. Jobs run through the
// real JobExecutor, PartitionCoordinator and PausesManager (fake worker pool and listener, fake
// timers: the lengths are those of the pauses manager's real timers). No broker.
import { RetryLaterError } from '../../../../src/errors';
import { serializeError } from '../../../../src/processing/serialized-error';
import { executorHarness, failed, messagesBetween, result, succeeded } from '../support/executor-harness';

const BACKOFF = { timeoutMs: 200, maxTimeoutMs: 1_000_000, exponential: true } as const;

let h: ReturnType<typeof executorHarness>;

beforeEach(() => {
  jest.useFakeTimers();
  h = executorHarness({ backoff: BACKOFF });
});

afterEach(() => {
  h.stop();
  jest.useRealTimers();
});

/** One poll of messages 0..4 whose job fails with nothing marked, then its pause runs out. */
async function failingJob(): Promise<void> {
  await h.poll(messagesBetween(0, 4), async () => failed(null));
  h.endPause();
}

test('consecutive failures of a partition pause it for 200, 400, 800, 1600 ms', async () => {
  for (let i = 0; i < 4; i++) await failingJob();

  const rule = 'consecutive failures pause the partition 200, 400, 800, 1600 ms (pause.timeout 200, exponential)';
  expect({ [rule]: h.pauseLog() }).toEqual({
    [rule]: 'error 200 ms@0 (attempt 1), error 400 ms@0 (attempt 2), error 800 ms@0 (attempt 3), error 1600 ms@0 (attempt 4)',
  });
});

test('a successful job resets the failure count: the next failure pauses 200 ms again', async () => {
  await failingJob(); // 200
  await failingJob(); // 400
  await h.poll(messagesBetween(0, 4), async () => succeeded(5));
  await h.poll(messagesBetween(5, 9), async () => failed(null));
  h.endPause();

  const rule = 'a success resets the failure count (the next failure pauses pause.timeout again)';
  expect({ [rule]: h.pauseLog() }).toEqual({ [rule]: 'error 200 ms@0 (attempt 1), error 400 ms@0 (attempt 2), error 200 ms@5 (attempt 1)' });
});

test('a RetryLaterError pauses for its own delay and does not count as a failure', async () => {
  await failingJob(); // failure 1: 200
  await h.poll(messagesBetween(0, 4), async () => result(null, serializeError(new RetryLaterError(50))));
  h.endPause();
  await failingJob(); // failure 2: 400, as if the RetryLaterError never happened

  const rule = 'a RetryLaterError does not count as a failure (the next failure is the 2nd: 400 ms)';
  expect({ [rule]: h.pauseLog() }).toEqual({ [rule]: 'error 200 ms@0 (attempt 1), retry 50 ms@0 (attempt 1), error 400 ms@0 (attempt 2)' });
});
