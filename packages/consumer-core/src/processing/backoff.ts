// How long a failed partition waits before its next retry. Pure: no timers, no state; the runner
// counts attempts per partition and asks for the delay. Never returns more than `maxTimeoutMs`
// (unless `timeoutMs` itself is higher: a constant backoff is never shortened).

/** The `pause.*` settings of an App, resolved. */
export interface BackoffPolicy {
  /** First pause after a failure, ms (`pause.timeout`). */
  readonly timeoutMs: number;
  /** Cap of the exponential growth, ms (`pause.max_timeout`). */
  readonly maxTimeoutMs: number;
  /** Double the pause after each failed attempt (`pause.with_exponential_backoff`). */
  readonly exponential: boolean;
}

/**
 * Pause before retrying after the `attempt`-th failure in a row (1 = the first failure):
 * `timeoutMs × 2^(attempt − 1)` capped at `maxTimeoutMs`, or `timeoutMs` when not exponential.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  if (!policy.exponential) return policy.timeoutMs;
  const failures = Math.max(1, Math.floor(attempt));
  // 2^(failures-1) overflows to Infinity long after the cap is reached; Math.min keeps it finite
  const grown = policy.timeoutMs * 2 ** Math.min(failures - 1, 1024);
  return Math.max(policy.timeoutMs, Math.min(grown, policy.maxTimeoutMs));
}
