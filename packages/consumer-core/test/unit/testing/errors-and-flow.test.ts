// The testing kit follows production for error handling and flow control: this.attempt counts
// failures in a row, a route's dead letter queue takes the first unmarked message after
// maxRetries (with the DLQ headers), pause(…, Infinity) holds until a tick() resumes, and seek
// goes to a time, the earliest or the latest offset.
import { join } from 'node:path';
import { DLQ_HEADERS, type RoutesDefinition } from '@decanter/consumer-core';
import { createTestingKit } from '@decanter/consumer-core/testing';
import type { HoldConsumer, PoisonConsumer, SeekConsumer } from './fixtures/flow-kit-consumers';

const file = join(__dirname, 'fixtures', 'flow-kit-consumers');
const routes = (extra: object = {}): RoutesDefinition => [
  {
    consumerGroup: 'g',
    topics: [
      { topic: 'poison', consumer: { module: file, export: 'PoisonConsumer' }, deadLetterQueue: { topic: 'poison-dlq', maxRetries: 2 }, ...extra },
      { topic: 'hold', consumer: { module: file, export: 'HoldConsumer' }, periodic: true },
      { topic: 'seek', consumer: { module: file, export: 'SeekConsumer' } },
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
  expect(consumer.markedOffset).toBe(3);
  expect(consumer.attempt).toBe(1);
  await consumer.consume();
  expect(consumer.instance.seen).toEqual([0, 1, 3]);
  expect(consumer.instance.attempts).toEqual([1, 2, 3, 1]);
});

test('maxRetries 0 sends the message at its first failure', async () => {
  const kit = createTestingKit(routes({ deadLetterQueue: { topic: 'poison-dlq', maxRetries: 0 } }));
  const consumer = kit.consumerFor<PoisonConsumer>('poison');
  consumer.feed([{ n: 0, poison: true }, { n: 1 }]);
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
