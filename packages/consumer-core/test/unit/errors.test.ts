// Claim: consumer-core has no error hierarchy of its own — every consumer error is a DecanterError
// (the producer package's base, same brand, same context, same issue format), recognised by the
// producer's isDecanterError; isDecanterConsumerError still tells the consumer's errors apart.
import * as producer from '@decanter/producer';
import {
  CommitFailedError,
  ConfigurationError,
  ConsumeFailedError,
  ConsumerErrorCodes,
  DecanterConsumerError,
  DecanterError,
  hasErrorCode,
  isDecanterConsumerError,
  isDecanterError,
  PartitionRevokedError,
  RetryLaterError,
  UnrecoverableError,
} from '@decanter/consumer-core';
import { formatIssue } from '../../src/errors';

const DECANTER_BRAND = Symbol.for('decanter.error');

test('a consumer error is a DecanterError: shared brand, base class, code, retriable, cause, context', () => {
  const cause = new Error('root');
  const e = new ConsumeFailedError('consume() threw', {
    cause,
    context: { consumerGroup: 'g', subscriptionGroup: 's', topic: 't', partition: 2, offset: 40 },
  });
  expect(producer.isDecanterError(e)).toBe(true);
  expect(isDecanterError(e)).toBe(true);
  expect((e as unknown as Record<symbol, unknown>)[DECANTER_BRAND]).toBe(true);
  expect(e).toBeInstanceOf(producer.DecanterError);
  expect(DecanterError).toBe(producer.DecanterError);
  expect([e.name, e.code, e.retriable, e.cause]).toEqual(['ConsumeFailedError', 'CONSUME_FAILED', true, cause]);
  expect(e.context).toEqual({ consumerGroup: 'g', subscriptionGroup: 's', topic: 't', partition: 2, offset: 40 });
  expect(producer.hasErrorCode(e, 'CONSUME_FAILED')).toBe(true);
  expect(hasErrorCode(e, 'COMMIT_FAILED')).toBe(false);
});

test('isDecanterConsumerError is the narrower check: consumer errors only', () => {
  expect(isDecanterConsumerError(new CommitFailedError('x'))).toBe(true);
  expect(isDecanterConsumerError(new DecanterConsumerError('WORKER_FAILED', 'x'))).toBe(true);
  expect(isDecanterConsumerError(new producer.QueueFullError('full'))).toBe(false);
  expect(isDecanterConsumerError(new Error('plain'))).toBe(false);
  // a copy made by another thread or install is recognised by the brands alone
  const foreign = Object.assign(new Error('x'), {
    [DECANTER_BRAND]: true,
    [Symbol.for('decanter.consumer-core.error')]: true,
    code: 'PARTITION_REVOKED',
  });
  expect(isDecanterError(foreign)).toBe(true);
  expect(isDecanterConsumerError(foreign)).toBe(true);
});

test('both packages spell the configuration code CONFIGURATION_INVALID', () => {
  const issue = { path: 'options.concurrency', rule: 'must be an integer between 1 and 256', value: 0 };
  const consumerError = new ConfigurationError([issue]);
  const producerError = new producer.ConfigurationError([issue]);
  expect(consumerError.code).toBe('CONFIGURATION_INVALID');
  expect(producerError.code).toBe('CONFIGURATION_INVALID');
  expect(hasErrorCode(consumerError, 'CONFIGURATION_INVALID')).toBe(true);
  expect(hasErrorCode(producerError, 'CONFIGURATION_INVALID')).toBe(true);
  expect(ConsumerErrorCodes).not.toContain('CONFIGURATION');
  expect(consumerError.message).toBe(
    'Invalid consumer configuration (1 problem):\n  - options.concurrency must be an integer between 1 and 256 (got 0)',
  );
});

test('issues are formatted by the one shared helper', () => {
  expect(formatIssue).toBe(producer.formatIssue);
});

test('subclasses keep their names and retriable defaults', () => {
  expect([new PartitionRevokedError('lost').name, new PartitionRevokedError('lost').retriable]).toEqual(['PartitionRevokedError', false]);
  expect(new DecanterConsumerError('SHUTDOWN_TIMEOUT', 'slow').name).toBe('DecanterConsumerError');
});

test('control-flow errors: UnrecoverableError is never retriable, RetryLaterError carries a delay Node can time', () => {
  const cause = new Error('schema v9');
  const unrecoverable = new UnrecoverableError('cannot parse', { cause });
  expect([unrecoverable.name, unrecoverable.code, unrecoverable.retriable, unrecoverable.cause, unrecoverable.offset]).toEqual(['UnrecoverableError', 'UNRECOVERABLE', false, cause, undefined]);
  const named = new UnrecoverableError('cannot parse', { offset: 42, context: { topic: 'orders' } });
  expect([named.offset, named.context]).toEqual([42, { topic: 'orders' }]);
  for (const bad of [-1, 2.5, Number.NaN, 2 ** 60]) {
    expect(() => new UnrecoverableError('x', { offset: bad })).toThrow(/^UnrecoverableError: offset must be the offset of a message of this batch, an integer >= 0/);
  }
  const later = new RetryLaterError(2_000);
  expect([later.name, later.code, later.retriable, later.delayMs, later.message]).toEqual(['RetryLaterError', 'RETRY_LATER', true, 2_000, 'Retry in 2000 ms']);
  expect(new RetryLaterError(Infinity, 'until resume()').delayMs).toBe(Infinity);
  for (const bad of [-1, Number.NaN, 2 ** 31, '100' as unknown as number]) {
    expect(() => new RetryLaterError(bad)).toThrow(/^RetryLaterError: delayMs must be a number of ms from 0 to 2147483647, or Infinity/);
  }
  expect(isDecanterConsumerError(unrecoverable) && isDecanterConsumerError(later)).toBe(true);
});
