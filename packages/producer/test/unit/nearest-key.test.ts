// Claim: an unknown key gets the nearest known one as a suggestion when it is a few edits away
// (a transposition is one edit; case does not count), and no suggestion when nothing is near.
import { nearestKey, unknownKeyRule } from '@decanter/producer';

const KNOWN = ['linger.ms', 'queue.buffering.max.ms', 'batch.size', 'acks', 'auto.offset.reset', 'maxMessages', 'maxWaitTimeMs'];

it.each<[string, string | undefined]>([
  ['lingr.ms', 'linger.ms'], // a deletion
  ['linegr.ms', 'linger.ms'], // a transposition
  ['Linger.MS', 'linger.ms'], // case only
  ['linger_ms', 'linger.ms'],
  ['auto.offset.rest', 'auto.offset.reset'],
  ['queue.bufering.max.ms', 'queue.buffering.max.ms'],
  ['ack', 'acks'],
  ['maxMesages', 'maxMessages'],
  ['maxWaitTime', 'maxWaitTimeMs'],
  ['speed', undefined],
  ['frobnicate.ms', undefined],
  ['ab', undefined],
])('nearestKey(%p) is %p', (key, expected) => {
  expect(nearestKey(key, KNOWN)).toBe(expected);
});

it('prefers the nearer candidate, then the earlier one', () => {
  expect(nearestKey('batch.sizes', ['batch.size', 'batch.sizes2'])).toBe('batch.size');
  expect(nearestKey('abcd', ['abce', 'abcf'])).toBe('abce');
});

it('words the rule of an unknown key: a suggestion, else a hint, else the fallback', () => {
  expect(unknownKeyRule('lingr.ms', KNOWN, 'setting')).toBe("is not a known setting; did you mean 'linger.ms'?");
  expect(unknownKeyRule('buffer.memory', KNOWN, 'setting', { hints: { 'buffer.memory': 'use queue.buffering.max.kbytes' } })).toBe(
    'is not a known setting: use queue.buffering.max.kbytes',
  );
  expect(unknownKeyRule('speed', KNOWN, 'option', { otherwise: ' (see the docs)' })).toBe('is not a known option (see the docs)');
  expect(unknownKeyRule('toString', KNOWN, 'option', { hints: {} })).toBe('is not a known option');
});
