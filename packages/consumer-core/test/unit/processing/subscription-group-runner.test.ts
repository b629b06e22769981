// Claim: the runner hands out again what a consumer seeks or pauses back to, even below its mark,
// while after a rejoin it still skips what the ownership already processed; and a KafkaJS crash
// window (its consumer group gone until it joins again) neither throws from a pause or a pause
// timer nor lets a second job of a partition start while the first runs, and hands out nothing
// buffered before it (it could not be committed). (Fake KafkaJS consumer
// and worker pool: see support/runner-harness.ts.)
import { failed, ok, sleep, startRunner, waitFor } from './support/runner-harness';

type Runner = Awaited<ReturnType<typeof startRunner>>;
let current: Runner | undefined;
/** Errors thrown where nobody catches them (in a timer): they would end a real process. */
function watchUncaught(): { errors: unknown[]; stop: () => void } {
  const errors: unknown[] = [];
  const listener = (e: unknown): void => void errors.push(e);
  process.on('uncaughtException', listener);
  return { errors, stop: () => void process.off('uncaughtException', listener) };
}

afterEach(async () => {
  void current?.runner.quiesce(); // stops polls and timers (a job left unresolved keeps its promise)
  await current?.runner.stopListener();
  current = undefined;
});

it('a seek back below the mark delivers those messages again', async () => {
  const h = (current = await startRunner());
  h.assign([0]);
  await h.deliver(0, 0, 10);
  (await h.pool.next())!.resolve(ok(10));
  await h.deliver(0, 10, 10);
  (await h.pool.next())!.resolve(ok(null, { pause: { offset: 0, timeoutMs: 0 } })); // this.seek(0)
  await waitFor('the seek to 0', () => h.consumer.seeks.some((s) => s.offset === '0'));
  await h.deliver(0, 0, 20); // KafkaJS fetches again from 0
  const again = await h.pool.next();
  expect(again?.offsets[0]).toBe(0);
  expect(h.runner.statistics().skippedMessages).toBe(0);
  again?.resolve(ok(10));
});

it('after a rejoin, a kept partition still skips what this ownership processed but could not commit', async () => {
  const h = (current = await startRunner());
  h.assign([0]);
  await h.deliver(0, 0, 10);
  (await h.pool.next())!.resolve(ok(10));
  await sleep(20);
  h.assign([0]); // rejoin, partition kept: KafkaJS fetches again from the committed offset (none)
  await h.deliver(0, 0, 15);
  const job = await h.pool.next();
  expect(job?.offsets).toEqual([10, 11, 12, 13, 14]);
  expect(h.runner.statistics().skippedMessages).toBe(10);
  job?.resolve(ok(15));
});

it('after a rejoin under a new member id, a partition assigned again starts over: nothing it processed is skipped or kept', async () => {
  // a new member id: KafkaJS crashed and rejoined, or the coordinator forgot the member; another
  // member may have owned the partition meanwhile and committed past this one's marks
  const h = (current = await startRunner());
  h.assign([0]);
  await h.deliver(0, 0, 10);
  (await h.pool.next())!.resolve(ok(10));
  await sleep(20);
  h.assign([0], 'member-2');
  expect(h.discarded).toEqual(['0:0..10 revoked']); // processed, never committed: reported as duplicates to come
  await h.deliver(0, 0, 15); // KafkaJS fetches again from the committed offset (none)
  const job = await h.pool.next();
  expect(job?.offsets[0]).toBe(0); // handed out again, not skipped below the old mark
  expect(h.runner.statistics().skippedMessages).toBe(0);
  job?.resolve(ok(15));
});

it('a KafkaJS crash window: a failing job pauses without throwing, and no second job of the partition starts', async () => {
  const h = (current = await startRunner());
  const uncaught = watchUncaught();
  try {
    h.assign([0, 1]);
    await h.deliver(0, 0, 5);
    await h.deliver(1, 0, 5);
    const first = (await h.pool.next())!;
    const second = (await h.pool.next())!;
    await h.deliver(1, 5, 5); // more of partition 1 buffered behind its running job
    const [p0, p1] = first.partition === 0 ? [first, second] : [second, first];
    h.consumer.groupGone = true;
    h.consumer.emit(h.consumer.events.CRASH, { error: new Error('retries exhausted'), restart: true });
    p0.resolve(failed(null)); // its retry pause (50 ms) starts, and its timer fires, in the window
    await waitFor('the retry pause to end', () => h.resumed.includes('0@0'));
    expect(await h.pool.next(200)).toBeUndefined(); // partition 1's job still runs: no new poll
    expect(uncaught.errors).toEqual([]);
    expect(h.errors.filter((e) => !e.startsWith('listener.crash') && !e.startsWith('consumer.consume.error'))).toEqual([]);
    p1.resolve(ok(5));
    // what was buffered behind it went with the crash: nothing processed now could be committed
    expect(await h.pool.next(200)).toBeUndefined();
    h.assign([0, 1], 'member-2'); // KafkaJS joined again, a new member: fetched from the committed offsets
    await h.deliver(1, 0, 10);
    const next = await h.pool.next();
    expect(next?.partition).toBe(1);
    expect(next?.offsets[0]).toBe(0);
    next?.resolve(ok(10));
  } finally {
    uncaught.stop();
  }
});

it('a batch KafkaJS delivers while it is out of the group (after a crash, before it joins again) is dropped, and reported once', async () => {
  const h = (current = await startRunner());
  h.assign([0]);
  await h.deliver(0, 0, 5);
  (await h.pool.next())!.resolve(ok(5));
  h.consumer.groupGone = true;
  h.consumer.emit(h.consumer.events.STOP, {});
  h.consumer.emit(h.consumer.events.CRASH, { error: new Error('Connection error: connect ECONNREFUSED'), restart: true });
  await h.deliver(0, 5, 5); // a fetch loop of the member the group no longer has
  await h.deliver(0, 10, 5);
  expect(await h.pool.next(200)).toBeUndefined(); // nothing handed out
  expect(h.errors.filter((e) => /out of the group/.test(e))).toHaveLength(1);
  h.assign([0], 'member-2'); // KafkaJS joined again (a new member): it fetches from the committed offset
  await h.deliver(0, 5, 5);
  const job = await h.pool.next();
  expect(job?.offsets).toEqual([5, 6, 7, 8, 9]);
  job?.resolve(ok(10));
});

it('a pause timer firing after KafkaJS stopped for a crash, before it reports the crash, does not throw', async () => {
  const h = (current = await startRunner());
  const uncaught = watchUncaught();
  try {
    h.assign([0]);
    await h.deliver(0, 0, 5);
    (await h.pool.next())!.resolve(failed(null)); // retry pause of 50 ms
    await sleep(10);
    // KafkaJS's crash handling: stop() (group gone, STOP emitted), then a disconnect that takes a while
    h.consumer.groupGone = true;
    h.consumer.emit(h.consumer.events.STOP, {});
    await waitFor('the pause timer, before CRASH', () => h.resumed.includes('0@0'));
    h.consumer.emit(h.consumer.events.CRASH, { error: new Error('retries exhausted'), restart: true });
    expect(uncaught.errors).toEqual([]);
    expect(h.errors.filter((e) => e.startsWith('poll.error'))).toEqual([]);
  } finally {
    uncaught.stop();
  }
});
