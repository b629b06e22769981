export interface WaitUntilOptions {
  /** Give up after this long. Default 15000 ms. */
  timeoutMs?: number;
  /** Poll interval. Default 25 ms. */
  intervalMs?: number;
}

/**
 * Polls `condition` until it returns a truthy value and resolves with it. On timeout the error
 * names what was being waited for (`description`) and the last value or error seen, so a failing
 * integration test says *what* never happened instead of just "timeout".
 */
export async function waitUntil<T>(
  description: string,
  condition: () => T | Promise<T>,
  options: WaitUntilOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? `${last.name}: ${last.message}` : JSON.stringify(last);
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description} (last seen: ${seen})`);
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
