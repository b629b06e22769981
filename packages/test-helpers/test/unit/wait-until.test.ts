import { waitUntil } from '../../src/wait-until';

describe('waitUntil', () => {
  it('resolves with the first truthy value', async () => {
    let calls = 0;
    await expect(waitUntil('the third call', () => (++calls >= 3 ? calls : 0), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('names what it waited for and the last value seen when it times out', async () => {
    await expect(waitUntil('the answer to be 42', () => false, { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
      /Timed out after 30 ms waiting for the answer to be 42 \(last seen: false\)/,
    );
  });

  it('reports the last error thrown by the condition', async () => {
    const failing = (): boolean => {
      throw new Error('broker not ready');
    };
    await expect(waitUntil('readiness', failing, { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(
      /last seen: Error: broker not ready/,
    );
  });
});
