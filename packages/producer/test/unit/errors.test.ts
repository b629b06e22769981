// Claim: every producer error is a DecanterError recognisable by brand (not instanceof), with a
// code, a retriable flag, a cause and context.
import { DecanterError, DeliveryError, hasErrorCode, isDecanterError, MessageTooLargeError } from '@decanter/producer';

it('brands errors and carries code, retriable, cause and context', () => {
  const cause = new Error('root');
  const e = new DeliveryError('DELIVERY_TIMED_OUT', 'late', { cause, retriable: true, context: { topic: 't', partition: 1 } });
  expect(isDecanterError(e)).toBe(true);
  expect(hasErrorCode(e, 'DELIVERY_TIMED_OUT')).toBe(true);
  expect(hasErrorCode(e, 'DELIVERY_FAILED')).toBe(false);
  expect([e.name, e.retriable, e.cause, e.context]).toEqual(['DeliveryError', true, cause, { topic: 't', partition: 1 }]);
  expect(e).toBeInstanceOf(DecanterError);
  // a copy from another package instance is recognised by its brand
  const foreign = Object.assign(new Error('x'), { [Symbol.for('decanter.error')]: true, code: 'QUEUE_FULL' });
  expect(isDecanterError(foreign)).toBe(true);
  expect(isDecanterError(new Error('plain'))).toBe(false);
  expect(new MessageTooLargeError(2032, 1000, { topic: 'a' }).message).toBe("Message of 2032 bytes exceeds message.max.bytes (1000 bytes) for topic 'a'");
});
