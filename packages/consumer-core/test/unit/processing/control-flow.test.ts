// Claim: what a failed consume() asks for is read from the error as it crossed from the worker:
// UnrecoverableError and RetryLaterError (and their subclasses) steer, by code; anything else,
// including a foreign error that merely reuses a code, is an ordinary failure.
import { DecanterError } from '@decanter/producer';
import { RetryLaterError, UnrecoverableError } from '../../../src/errors';
import { controlFlowOf } from '../../../src/processing/control-flow';
import { serializeError } from '../../../src/processing/serialized-error';

const crossed = (error: unknown) => controlFlowOf(structuredClone(serializeError(error)));

test('UnrecoverableError and RetryLaterError steer, subclasses included', () => {
  class SchemaError extends UnrecoverableError {}
  expect(crossed(new SchemaError('v9'))).toEqual({ kind: 'unrecoverable', offset: null });
  expect(crossed(new UnrecoverableError('v9', { offset: 17 }))).toEqual({ kind: 'unrecoverable', offset: 17 });
  // an offset in the context is a tag, not a claim that the messages before it are done
  expect(crossed(new UnrecoverableError('v9', { context: { topic: 't', partition: 0, offset: 17 } }))).toEqual({ kind: 'unrecoverable', offset: null });
  expect(crossed(new RetryLaterError(300))).toEqual({ kind: 'retry-later', delayMs: 300 });
  expect(crossed(new RetryLaterError(Infinity))).toEqual({ kind: 'retry-later', delayMs: Infinity });
});

test('everything else is an ordinary failure', () => {
  expect(crossed(new TypeError('bug'))).toEqual({ kind: 'failure' });
  expect(crossed('a string')).toEqual({ kind: 'failure' });
  // a Decanter error of another package with the same code string is not the consumer's signal
  expect(crossed(new DecanterError('RETRY_LATER', 'not ours'))).toEqual({ kind: 'failure' });
  expect(controlFlowOf({ name: 'RetryLaterError', message: 'x', code: 'RETRY_LATER', consumer: true })).toEqual({ kind: 'failure' });
  // a named offset that is not one (only a forged error can carry it) steers nothing
  expect(controlFlowOf({ name: 'UnrecoverableError', message: 'x', code: 'UNRECOVERABLE', consumer: true, unrecoverableOffset: 2.5 })).toEqual({ kind: 'failure' });
  // a delay Node cannot time (it would fire at once) never reaches a timer
  expect(controlFlowOf({ name: 'RetryLaterError', message: 'x', code: 'RETRY_LATER', consumer: true, delayMs: 2 ** 31 })).toEqual({ kind: 'failure' });
});
