// Claim: an error that crosses a thread boundary as data (structured clone drops classes and
// brands) is rebuilt on the other side as a Decanter error with the same code, name, message,
// stack, retriable flag and context — a consumer error still passes isDecanterError and
// isDecanterConsumerError, a producer error isDecanterError only.
import { DeliveryError, TransactionError } from '@decanter/producer';
import { hasErrorCode, isDecanterConsumerError, isDecanterError, PartitionRevokedError, RetryLaterError, TransactionFailedError } from '../../../src/errors';
import { reviveError, serializeError } from '../../../src/processing/serialized-error';

const cross = (error: unknown): Error => reviveError(structuredClone(serializeError(error)));

test('a consumer error rebuilt after crossing threads is still a Decanter consumer error', () => {
  const original = new PartitionRevokedError('orders-0 was lost', { context: { consumerGroup: 'g', topic: 'orders', partition: 0, offset: 12 } });
  const data = structuredClone(serializeError(original));
  expect(isDecanterError(data)).toBe(false); // the clone itself lost the brand: hence the rebuild
  const rebuilt = reviveError(data);
  expect(isDecanterError(rebuilt)).toBe(true);
  expect(isDecanterConsumerError(rebuilt)).toBe(true);
  expect(hasErrorCode(rebuilt, 'PARTITION_REVOKED')).toBe(true);
  expect(rebuilt).toMatchObject({
    name: 'PartitionRevokedError',
    message: 'orders-0 was lost',
    retriable: false,
    context: { consumerGroup: 'g', topic: 'orders', partition: 0, offset: 12 },
    stack: original.stack,
  });
});

test('a producer error keeps its code and stays out of the consumer check, even with a code both packages use', () => {
  const delivery = cross(new DeliveryError('DELIVERY_TIMED_OUT', 'late', { retriable: true, context: { producerId: 'p', topic: 't', partition: 1 } }));
  expect(isDecanterError(delivery)).toBe(true);
  expect(isDecanterConsumerError(delivery)).toBe(false);
  expect(delivery).toMatchObject({ name: 'DeliveryError', code: 'DELIVERY_TIMED_OUT', retriable: true, context: { producerId: 'p', topic: 't', partition: 1 } });
  const transaction = cross(new TransactionError('TRANSACTION_FAILED', 'aborted'));
  expect(hasErrorCode(transaction, 'TRANSACTION_FAILED')).toBe(true);
  expect(isDecanterConsumerError(transaction)).toBe(false);
});

test('other errors and thrown values come back as plain errors', () => {
  const type = cross(new TypeError('nope'));
  expect([type.name, type.message, isDecanterError(type)]).toEqual(['TypeError', 'nope', false]);
  const value = cross('a string');
  expect([value.name, value.message, isDecanterError(value)]).toEqual(['Error', 'a string', false]);
});

test('only the known context fields travel (anything else may not clone)', () => {
  const error = new PartitionRevokedError('x', { context: { topic: 't', extra: () => 1 } as never });
  expect(serializeError(error).context).toEqual({ topic: 't' });
  expect(() => structuredClone(serializeError(error))).not.toThrow();
});

test('causes travel too: a consumer wrapper keeps the producer error under it, and that error its own cause', () => {
  const kafka = new Error('broker said no');
  const producerError = new TransactionError('TRANSACTION_FAILED', 'aborted', { cause: kafka });
  const rebuilt = cross(new TransactionFailedError('the transaction of orders-0 failed', { cause: producerError }));
  expect(isDecanterConsumerError(rebuilt)).toBe(true);
  const cause = rebuilt.cause as Error;
  expect(hasErrorCode(cause, 'TRANSACTION_FAILED')).toBe(true);
  expect(isDecanterConsumerError(cause)).toBe(false);
  expect(cause).toMatchObject({ name: 'TransactionError', message: 'aborted' });
  expect((cause.cause as Error).message).toBe('broker said no');
});

test('a cause chain is cut a few levels down (and a cycle cannot loop)', () => {
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  (a as { cause?: unknown }).cause = b;
  const data = serializeError(b);
  expect(() => structuredClone(data)).not.toThrow();
  let depth = 0;
  for (let c: { cause?: unknown } | undefined = data; c !== undefined; c = c.cause as { cause?: unknown } | undefined) depth += 1;
  expect(depth).toBe(4);
});

test("a RetryLaterError's delay crosses with it (Infinity too), also from a subclass", () => {
  class RateLimited extends RetryLaterError {}
  expect(structuredClone(serializeError(new RetryLaterError(1500))).delayMs).toBe(1500);
  expect(structuredClone(serializeError(new RateLimited(Infinity, 'billing busy'))).delayMs).toBe(Infinity);
  const rebuilt = cross(new RateLimited(20));
  expect(hasErrorCode(rebuilt, 'RETRY_LATER')).toBe(true);
  expect(rebuilt.name).toBe('RateLimited');
  // only that code carries a delay
  expect(serializeError(Object.assign(new Error('x'), { delayMs: 5 })).delayMs).toBeUndefined();
});
