// Claim: every producer error is a DecanterError recognisable by brand (not instanceof), with a
// code, a retriable flag, a cause and context; the base, the brand and the issue format are the
// ones every Decanter package shares.
import {
  ConfigurationError,
  DecanterError,
  DeliveryError,
  formatIssue,
  hasErrorCode,
  isDecanterError,
  MessageTooLargeError,
} from '@decanter/producer';

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

it('a DeliveryError says whether the broker may have written the message (possiblyPersisted, false by default)', () => {
  expect(new DeliveryError('DELIVERY_TIMED_OUT', 'late', {}).possiblyPersisted).toBe(false);
  const inFlight = new DeliveryError('DELIVERY_TIMED_OUT', 'late', { retriable: true, possiblyPersisted: true });
  expect([inFlight.code, inFlight.retriable, inFlight.possiblyPersisted]).toEqual(['DELIVERY_TIMED_OUT', true, true]);
});

it('carries the one shared brand, Symbol.for("decanter.error"), out of sight of logs and JSON', () => {
  const e = new DecanterError('ANY_CODE', 'm');
  const brand = Symbol.for('decanter.error');
  expect((e as unknown as Record<symbol, unknown>)[brand]).toBe(true);
  expect(Object.getOwnPropertyDescriptor(e, brand)?.enumerable).toBe(false);
  expect(JSON.stringify({ ...e })).not.toContain('decanter.error');
});

// How another package registers its codes (consumer-core does this for its own).
declare module '@decanter/producer/errors' {
  interface DecanterErrorCodes {
    EXAMPLE_PACKAGE_FAILED: true;
  }
}

it('the base takes any package code set, and hasErrorCode checks codes of any package', () => {
  // the base is generic over the code union; the code is registered above
  const e = new DecanterError<'EXAMPLE_PACKAGE_FAILED'>('EXAMPLE_PACKAGE_FAILED', 'consume() threw', {
    retriable: true,
    context: { consumerGroup: 'g', subscriptionGroup: 's', topic: 't', partition: 0, offset: 7 },
  });
  expect(isDecanterError(e)).toBe(true);
  expect(hasErrorCode(e, 'EXAMPLE_PACKAGE_FAILED')).toBe(true);
  expect(e.context).toEqual({ consumerGroup: 'g', subscriptionGroup: 's', topic: 't', partition: 0, offset: 7 });
  expect(e.name).toBe('DecanterError');
});

it('hasErrorCode accepts registered codes only: a misspelt code does not compile', () => {
  const e = new DeliveryError('DELIVERY_FAILED', 'x', {});
  // @ts-expect-error -- no Decanter package has this code (the type-check step fails if it compiles)
  expect(hasErrorCode(e, 'DELIVERY_FAIL')).toBe(false);
  expect(hasErrorCode(e, 'DELIVERY_FAILED')).toBe(true);
});

it('ConfigurationError has code CONFIGURATION_INVALID and lists each issue by path, rule and value', () => {
  const e = new ConfigurationError([{ path: "kafka['batch.size']", rule: 'must be an integer >= 1', value: 0 }]);
  expect(hasErrorCode(e, 'CONFIGURATION_INVALID')).toBe(true);
  expect(e.message).toBe("Invalid producer configuration:\n  - kafka['batch.size'] must be an integer >= 1 (got 0)");
});

it.each<[unknown, string]>([
  ['1', '"1"'],
  [1, '1'],
  [Number.NaN, 'NaN'],
  [Number.POSITIVE_INFINITY, 'Infinity'],
  [undefined, 'undefined'],
  [null, 'null'],
  [10n, '10n'],
  [() => 1, 'a function'],
  [{ a: [1] }, '{"a":[1]}'],
  ['x'.repeat(100), `"${'x'.repeat(76)}...`],
])('formatIssue shows %p as %s', (value, shown) => {
  expect(formatIssue({ path: 'options.x', rule: 'must be y', value })).toBe(`options.x must be y (got ${shown})`);
});

it('formatIssue survives a value JSON cannot show', () => {
  const circular: Record<string, unknown> = {};
  circular['self'] = circular;
  expect(formatIssue({ path: 'p', rule: 'r', value: circular })).toBe('p r (got [object Object])');
});
