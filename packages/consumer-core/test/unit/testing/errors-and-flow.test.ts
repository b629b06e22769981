// The testing kit follows production for error handling and flow control: this.attempt counts
// failures in a row, a route's dead letter queue takes the first unmarked message after
// maxRetries (with the DLQ headers), or at once for an UnrecoverableError; a RetryLaterError
// pauses without counting a failure; pause(…, Infinity) holds until a tick() resumes, and seek
// goes to a time, the earliest or the latest offset.
import { join } from 'node:path';
import { DLQ_HEADERS, hasErrorCode, RetryLaterError, UnrecoverableError, type RoutesDefinition } from '@decanter/consumer-core';
import { createTestingKit } from '@decanter/consumer-core/testing';
import type { HoldConsumer, PoisonConsumer, SeekConsumer, SteeringConsumer } from './fixtures/flow-kit-consumers';

const file = join(__dirname, 'fixtures', 'flow-kit-consumers');
const routes = (extra: object = {}): RoutesDefinition => [
  {
    consumerGroup: 'g',
    topics: [
      { topic: 'poison', consumer: { module: file, export: 'PoisonConsumer' }, deadLetterQueue: { topic: 'poison-dlq', maxRetries: 2 }, ...extra },
      { topic: 'hold', consumer: { module: file, export: 'HoldConsumer' }, periodic: true },
      { topic: 'seek', consumer: { module: file, export: 'SeekConsumer' } },
      { topic: 'steer', consumer: { module: file, export: 'SteeringConsumer' }, deadLetterQueue: { topic: 'steer-dlq', maxRetries: 5 } },
      { topic: 'steer-no-dlq', consumer: { module: file, export: 'SteeringConsumer' } },
    ],
  },
];

test('attempt counts failures in a row; after maxRetries the failing message goes to the DLQ and the partition moves on', async () => {
  const kit = createTestingKit(routes());
  const consumer = kit.consumerFor<PoisonConsumer>('poison');
  consumer.feed([{ n: 0 }, { n: 1 }, { n: 2, poison: true }, { n: 3 }], { key: 'k', headers: { trace: 'abc' } });
  for (let i = 0; i < 3; i++) await expect(consumer.consume()).rejects.toThrow('poison 2');
  expect(consumer.instance.attempts).toEqual([1, 2, 3]);
  expect(consumer.deadLettered).toEqual([
    {
      topic: 'poison-dlq',
      key: Buffer.from('k'),
      payload: Buffer.from(JSON.stringify({ n: 2, poison: true })),
      headers: {
        trace: 'abc',
        [DLQ_HEADERS.topic]: 'poison',
        [DLQ_HEADERS.partition]: '0',
        [DLQ_HEADERS.offset]: '2',
        [DLQ_HEADERS.consumerGroup]: 'g',
        [DLQ_HEADERS.attempts]: '3',
        [DLQ_HEADERS.errorClass]: 'RangeError',
        [DLQ_HEADERS.errorMessage]: 'poison 2',
      },
    },
  ]);
  // the kit shows every dead-lettered message too; they are not what consumers produced
  expect(kit.deadLettered).toEqual(consumer.deadLettered);
  expect(kit.produced).toEqual([]);
  expect(consumer.markedOffset).toBe(3);
  expect(consumer.attempt).toBe(1);
  await consumer.consume();
  expect(consumer.instance.seen).toEqual([0, 1, 3]);
  expect(consumer.instance.attempts).toEqual([1, 2, 3, 1]);
});

test('maxRetries 0 sends the message at its first failure (alone: a batch that marked nothing is isolated first)', async () => {
  const kit = createTestingKit(routes({ deadLetterQueue: { topic: 'poison-dlq', maxRetries: 0 } }));
  const consumer = kit.consumerFor<PoisonConsumer>('poison');
  consumer.feed([{ n: 0, poison: true }, { n: 1 }]);
  // the batch 0-1 failed before marking anything: which message fails is not known yet
  await expect(consumer.consume()).rejects.toThrow('poison 0');
  expect(consumer.deadLettered).toEqual([]);
  // 0 alone fails: it is the one, sent at its first failure alone
  await expect(consumer.consume()).rejects.toThrow('poison 0');
  expect(consumer.deadLettered.map((m) => m.headers?.[DLQ_HEADERS.attempts])).toEqual(['1']);
  await consumer.consume();
  expect(consumer.instance.seen).toEqual([1]);
});

test('pause(offset, Infinity) holds the partition until tick() resumes it at that offset', async () => {
  const kit = createTestingKit(routes());
  const consumer = kit.consumerFor<HoldConsumer>('hold');
  consumer.feed([{ n: 0 }, { n: 1, hold: true }, { n: 2 }]);
  await consumer.consume();
  expect(consumer.pause).toEqual({ offset: 1, timeoutMs: Infinity });
  await expect(consumer.consume()).rejects.toThrow('paused until resume()');
  await consumer.tick(); // not released yet: stays paused
  expect(consumer.pause).not.toBeNull();
  consumer.instance.release = true;
  await consumer.tick();
  expect(consumer.pause).toBeNull();
  await consumer.consume();
  expect(consumer.instance.seen).toEqual([0, 1, 2]);
  await consumer.eofed();
  expect(consumer.instance.eofs).toBe(1);
});

test('seek to a time, to earliest and to latest', async () => {
  const kit = createTestingKit(routes());
  const consumer = kit.consumerFor<SeekConsumer>('seek');
  consumer.feed([{ n: 0 }, { n: 1 }], { timestamp: 1_000 });
  consumer.feed([{ n: 2 }, { n: 3, seek: 2_000 }], { timestamp: 2_000 });
  await consumer.consume(); // 0-3, then seek to the first message at or after t=2000
  expect(consumer.position).toBe(2);
  consumer.feed([{ n: 4, seek: 'earliest' }], { timestamp: 3_000 });
  await consumer.consume(); // 2-4, then earliest
  expect(consumer.position).toBeNull();
  consumer.feed([{ n: 5, seek: 'latest' }], { timestamp: 4_000 });
  await consumer.consume(); // 0-5, then latest
  expect(consumer.position).toBe(6);
  expect(consumer.instance.batches).toEqual([[0, 1, 2, 3], [2, 3, 4], [0, 1, 2, 3, 4, 5]]);
});

test('an UnrecoverableError sends the message to the DLQ at its first failure, whatever maxRetries says', async () => {
  const kit = createTestingKit(routes());
  const consumer = kit.consumerFor<SteeringConsumer>('steer');
  consumer.feed([{ n: 0 }, { n: 1, broken: true }, { n: 2 }]);
  const error = await consumer.consume().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UnrecoverableError);
  expect(hasErrorCode(error, 'UNRECOVERABLE')).toBe(true);
  expect(consumer.deadLettered.map((m) => [m.headers?.[DLQ_HEADERS.offset], m.headers?.[DLQ_HEADERS.attempts], m.headers?.[DLQ_HEADERS.errorClass]])).toEqual([
    ['1', '1', 'UnrecoverableError'],
  ]);
  expect(consumer.markedOffset).toBe(2);
  await consumer.consume();
  expect(consumer.instance.seen).toEqual([0, 2]);
});

test('an UnrecoverableError naming its offset sends that message, and marks the ones before it, also without marking as it goes', async () => {
  const kit = createTestingKit(routes());
  const consumer = kit.consumerFor<SteeringConsumer>('steer');
  Object.assign(consumer.instance, { markAsItGoes: false, nameTheOffset: true });
  consumer.feed([{ n: 0 }, { n: 1 }, { n: 2, broken: true }, { n: 3 }]);
  await expect(consumer.consume()).rejects.toThrow(UnrecoverableError);
  expect(consumer.deadLettered.map((m) => m.headers?.[DLQ_HEADERS.offset])).toEqual(['2']);
  expect(consumer.markedOffset).toBe(3);
  await consumer.consume();
  expect(consumer.instance.seen).toEqual([0, 1, 3]);
});

test('an UnrecoverableError naming an offset outside the unmarked batch is an ordinary failure', async () => {
  const kit = createTestingKit(routes());
  const consumer = kit.consumerFor<SteeringConsumer>('steer');
  Object.assign(consumer.instance, { nameTheOffset: true, blame: 0 }); // offset 0 is marked by then
  consumer.feed([{ n: 0 }, { n: 1, broken: true }]);
  await expect(consumer.consume()).rejects.toThrow(UnrecoverableError);
  expect(consumer.deadLettered).toEqual([]);
  expect(consumer.attempt).toBe(2);
  expect(consumer.position).toBe(1);
});

test('without a DLQ an UnrecoverableError is an ordinary failure: nothing is skipped', async () => {
  const kit = createTestingKit(routes());
  const consumer = kit.consumerFor<SteeringConsumer>('steer-no-dlq');
  consumer.feed([{ n: 0 }, { n: 1, broken: true }]);
  await expect(consumer.consume()).rejects.toThrow(UnrecoverableError);
  await expect(consumer.consume()).rejects.toThrow(UnrecoverableError);
  expect(consumer.deadLettered).toEqual([]);
  expect(consumer.position).toBe(1);
  expect(consumer.attempt).toBe(3);
});

test('a RetryLaterError pauses at the first unmarked message for its delay, and is not counted as a failure', async () => {
  const kit = createTestingKit(routes());
  const consumer = kit.consumerFor<SteeringConsumer>('steer');
  consumer.feed([{ n: 0 }, { n: 1, later: true }, { n: 2 }]);
  for (let i = 0; i < 7; i++) await expect(consumer.consume()).rejects.toThrow(RetryLaterError);
  // seven "later"s with maxRetries 5: still no DLQ, still the first attempt
  expect(consumer.deadLettered).toEqual([]);
  expect(consumer.attempt).toBe(1);
  expect(consumer.pause).toEqual({ offset: 1, timeoutMs: 250 });
  expect(consumer.markedOffset).toBe(1);
  consumer.instance.open = true;
  await consumer.consume();
  expect(consumer.instance.seen).toEqual([0, 1, 2]);
  expect(consumer.instance.attempts).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
});

test('a RetryLaterError after ordinary failures keeps their count: this.attempt neither grows nor resets', async () => {
  const kit = createTestingKit(routes());
  const consumer = kit.consumerFor<SteeringConsumer>('steer');
  consumer.feed([{ n: 0, later: true }]);
  consumer.instance.failsBeforeLater = 1;
  await expect(consumer.consume()).rejects.toThrow(TypeError);
  await expect(consumer.consume()).rejects.toThrow(RetryLaterError);
  await expect(consumer.consume()).rejects.toThrow(RetryLaterError);
  expect(consumer.attempt).toBe(2);
  consumer.instance.open = true;
  await consumer.consume();
  expect(consumer.instance.attempts).toEqual([1, 2, 2, 2]);
  expect(consumer.attempt).toBe(1);
});

test('a RetryLaterError with Infinity holds the partition until resume(), as pause(…, Infinity) does', async () => {
  const kit = createTestingKit(routes());
  const consumer = kit.consumerFor<SteeringConsumer>('steer');
  consumer.feed([{ n: 0, later: true }]);
  consumer.instance.laterMs = Infinity;
  await expect(consumer.consume()).rejects.toThrow(RetryLaterError);
  await expect(consumer.consume()).rejects.toThrow(/paused until resume\(\)/);
});


test('kit.deadLettered collects the dead letter queues of every partition and route, in order', async () => {
  const kit = createTestingKit(routes({ deadLetterQueue: { topic: 'poison-dlq', maxRetries: 0 } }));
  const p0 = kit.consumerFor<PoisonConsumer>('poison', { partition: 0 });
  const p1 = kit.consumerFor<PoisonConsumer>('poison', { partition: 1 });
  p1.feed([{ n: 10, poison: true }]);
  p0.feed([{ n: 20, poison: true }]);
  await expect(p1.consume()).rejects.toThrow('poison 0');
  await expect(p0.consume()).rejects.toThrow('poison 0');
  expect(kit.deadLettered.map((m) => [m.topic, m.headers?.[DLQ_HEADERS.partition], String(m.payload)])).toEqual([
    ['poison-dlq', '1', '{"n":10,"poison":true}'],
    ['poison-dlq', '0', '{"n":20,"poison":true}'],
  ]);
  expect([p0.deadLettered.length, p1.deadLettered.length]).toEqual([1, 1]);
});
