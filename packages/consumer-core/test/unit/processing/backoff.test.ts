import { backoffDelay } from '../../../src/processing/backoff';

const policy = { timeoutMs: 1_000, maxTimeoutMs: 30_000, exponential: true };

test('doubles from pause.timeout after each failure in a row', () => {
  expect([1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
});

test('is capped at pause.max_timeout', () => {
  expect(backoffDelay(policy, 6)).toBe(30_000);
  expect(backoffDelay(policy, 50)).toBe(30_000);
  expect(backoffDelay(policy, 5_000)).toBe(30_000);
});

test('is constant without exponential backoff', () => {
  const constant = { ...policy, exponential: false };
  expect([1, 2, 10].map((a) => backoffDelay(constant, a))).toEqual([1_000, 1_000, 1_000]);
});

test('attempt below 1 is treated as the first failure', () => {
  expect(backoffDelay(policy, 0)).toBe(1_000);
});

test('a cap below pause.timeout never shortens the first pause', () => {
  expect(backoffDelay({ timeoutMs: 500, maxTimeoutMs: 100, exponential: true }, 3)).toBe(500);
});
