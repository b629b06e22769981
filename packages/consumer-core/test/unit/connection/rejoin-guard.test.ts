// Claim: the rejoin guard fires once when no join followed a crash within 3 session timeouts (30 s
// at least), not when a join came first; it reports the first stray batch of each window only.
import { RejoinGuard } from '../../../src/connection/rejoin-guard';

afterEach(() => jest.useRealTimers());

test('fires after the grace when no join came, not before, and not after a join', () => {
  jest.useFakeTimers();
  const overdue = jest.fn();
  const guard = new RejoinGuard(6_000, overdue);
  expect(guard.graceMs).toBe(30_000); // 3 × 6 s is under the 30 s floor
  guard.crashed();
  jest.advanceTimersByTime(29_999);
  expect(overdue).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1);
  expect(overdue).toHaveBeenCalledTimes(1);

  guard.crashed();
  jest.advanceTimersByTime(10_000);
  guard.joined();
  jest.advanceTimersByTime(60_000);
  expect(overdue).toHaveBeenCalledTimes(1);
  expect(new RejoinGuard(45_000, overdue).graceMs).toBe(135_000);
});

test('the first stray batch of a window is the one to report', () => {
  const guard = new RejoinGuard(10_000, () => undefined);
  expect([guard.strayBatch(), guard.strayBatch(), guard.strayBatch()]).toEqual([true, false, false]);
  guard.joined();
  expect(guard.strayBatch()).toBe(true);
  guard.stop();
});
