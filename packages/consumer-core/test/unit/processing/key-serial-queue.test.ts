// The per-key serial queue: work of one key runs one at a time in call order, keys do not wait
// for each other, a failure does not block what is queued behind it, and idle() waits for a
// key's last queued work.
import { KeySerialQueue } from '../../../src/processing/key-serial-queue';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a key never runs two works at once, in call order; other keys run meanwhile', async () => {
  const queue = new KeySerialQueue();
  const running = new Map<string, number>();
  let most = 0;
  const log: string[] = [];
  const work = (key: string, n: number) => async (): Promise<void> => {
    running.set(key, (running.get(key) ?? 0) + 1);
    most = Math.max(most, running.get(key)!);
    log.push(`${key}${n}+`);
    await sleep(5);
    log.push(`${key}${n}-`);
    running.set(key, running.get(key)! - 1);
  };
  await Promise.all([queue.run('a', work('a', 1)), queue.run('a', work('a', 2)), queue.run('b', work('b', 1)), queue.run('a', work('a', 3))]);
  expect({ 'most works of one key at once': most }).toEqual({ 'most works of one key at once': 1 });
  expect(log.filter((e) => e.startsWith('a'))).toEqual(['a1+', 'a1-', 'a2+', 'a2-', 'a3+', 'a3-']);
  expect({ 'b ran while a1 ran (keys do not wait for each other)': log.indexOf('b1+') < log.indexOf('a1-') }).toEqual({
    'b ran while a1 ran (keys do not wait for each other)': true,
  });
  expect(queue.busyKeys).toBe(0);
});

test("a key's failure reaches its caller and does not block the work behind it", async () => {
  const queue = new KeySerialQueue();
  const failing = queue.run('a', async () => {
    throw new Error('boom');
  });
  const next = queue.run('a', async () => 'ran');
  await expect(failing).rejects.toThrow('boom');
  await expect(next).resolves.toBe('ran');
  const sync = queue.run('b', () => {
    throw new Error('sync boom');
  });
  await expect(sync).rejects.toThrow('sync boom');
});

test("idle() resolves after a key's last work queued so far, not before", async () => {
  const queue = new KeySerialQueue();
  const done: string[] = [];
  void queue.run('a', async () => {
    await sleep(10);
    done.push('a1');
  });
  void queue.run('a', async () => {
    await sleep(10);
    done.push('a2');
  });
  await queue.idle(['a', 'unknown']);
  expect({ 'idle() waited for every queued work of the key': done }).toEqual({ 'idle() waited for every queued work of the key': ['a1', 'a2'] });
});
