// Claim: the testing kit runs `this.transaction()` as production does: a committed transaction's
// messages are produced and its offset marked together; an aborted one leaves neither; a batch
// that fails after some of its transactions committed is retried after them, not from its start;
// a job that ran a transaction is not marked automatically.
import { join } from 'node:path';
import { createTestingKit } from '@decanter/consumer-core/testing';
import type { RoutesDefinition } from '@decanter/consumer-core';

const fixtures = join(__dirname, 'fixtures', 'transactional-consumers');
const routes = (exportName: string, maxMessages = 10): RoutesDefinition => [
  { topics: [{ topic: 'numbers', consumer: { module: fixtures, export: exportName }, maxMessages }] },
];

test('a committed transaction produces its messages and marks its offset together', async () => {
  const kit = createTestingKit(routes('DoublingConsumer', 3));
  const consumer = kit.consumerFor('numbers');
  consumer.feed([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
  await consumer.consume();
  expect(consumer.produced.map((m) => m.payload)).toEqual(['{"n":2}', '{"n":4}', '{"n":6}']);
  expect(consumer.transactions).toHaveLength(1);
  expect(consumer.transactions[0]!.markedOffset).toBe(3);
  expect(consumer.markedOffset).toBe(3);
});

test('an aborted transaction produces nothing and marks nothing; the batch is retried whole', async () => {
  const kit = createTestingKit(routes('DoublingConsumer', 3));
  const consumer = kit.consumerFor('numbers');
  consumer.feed([{ n: 1 }, { n: 2, fail: true }, { n: 3 }]);
  await expect(consumer.consume()).rejects.toThrow('cannot double 2');
  expect(consumer.produced).toEqual([]);
  expect(consumer.markedOffset).toBeNull();
  expect(consumer.position).toBe(0);
});

test('a failing producer aborts the transaction: nothing recorded, the error reaches consume()', async () => {
  const kit = createTestingKit(routes('DoublingConsumer', 3));
  const consumer = kit.consumerFor('numbers');
  consumer.feed([{ n: 1 }]);
  kit.failProducing(new Error('broker down'));
  await expect(consumer.consume()).rejects.toThrow(/transaction aborted: broker down/);
  expect(consumer.produced).toEqual([]);
  expect(consumer.markedOffset).toBeNull();
});

test('a batch failing after some transactions committed restarts after them (no output twice)', async () => {
  const kit = createTestingKit(routes('PerMessageConsumer', 5));
  const consumer = kit.consumerFor('numbers');
  consumer.feed([{ n: 0 }, { n: 1 }, { n: 2, fail: true }, { n: 3 }]);
  await expect(consumer.consume()).rejects.toThrow('failed at 2');
  expect(consumer.produced.map((m) => m.payload)).toEqual(['0', '1']);
  expect(consumer.markedOffset).toBe(2);
  expect(consumer.position).toBe(2);
});
