// Claim: the message contract refuses each malformed field with a MessageInvalidError naming it,
// refuses a record estimated past message.max.bytes with MessageTooLargeError, and otherwise
// returns the estimate: key + value + headers (names and values) + 32 per record + 10 per header.
import { hasErrorCode } from '@decanter/producer';
import { checkMessage } from '../../../src/delivery/message-contract';
import type { ProduceMessage } from '../../../src/types';

const check = (message: unknown, max = 1_000_000): number => checkMessage(message as ProduceMessage, max, 'p1');

it('estimates key + value + headers + the record and header overhead', () => {
  expect(check({ topic: 't', payload: 'abc' })).toBe(32 + 3);
  expect(check({ topic: 't', payload: null, key: Buffer.alloc(4) })).toBe(32 + 4);
  expect(check({ topic: 't', payload: 'é', headers: { h: ['ab', Buffer.alloc(3)], skipped: undefined } })).toBe(
    32 + 2 + (1 + 10 + 2 + 3) + (7 + 10),
  );
  expect(check({ topic: 't', payload: 'x', timestamp: new Date(5), partition: 0, partitionKey: 'k' })).toBe(33);
});

it.each([
  [null, /message must be an object/],
  [{ topic: '', payload: 'x' }, /message\.topic must be a non-empty string/],
  [{ topic: 't', payload: 42 }, /message\.payload must be a Buffer, a string or null \(got number\)/],
  [{ topic: 't', payload: 'x', key: 1 }, /message\.key must be a Buffer, a string or null/],
  [{ topic: 't', payload: 'x', partition: -1 }, /message\.partition must be an integer >= 0 \(got -1\)/],
  [{ topic: 't', payload: 'x', partition: 1.5 }, /message\.partition must be an integer/],
  [{ topic: 't', payload: 'x', partitionKey: 7 }, /message\.partitionKey must be a string/],
  [
    { topic: 't', payload: 'x', timestamp: 1.5 },
    /message\.timestamp must be a whole number of ms or a valid Date \(got 1\.5\)/,
  ],
  [
    { topic: 't', payload: 'x', timestamp: new Date('nope') },
    /message\.timestamp must be a whole number of ms or a valid Date/,
  ],
  [{ topic: 't', payload: 'x', timestamp: '5' }, /message\.timestamp must be/],
  [{ topic: 't', payload: 'x', headers: 'h' }, /message\.headers must be an object/],
  [
    { topic: 't', payload: 'x', headers: { h: 1 } },
    /message\.headers\.h must be a string, a Buffer or an array of them/,
  ],
])('refuses %j, naming the field', (message, expected) => {
  let error: unknown;
  try {
    check(message);
  } catch (e) {
    error = e;
  }
  expect(hasErrorCode(error, 'MESSAGE_INVALID')).toBe(true);
  expect((error as Error).message).toMatch(expected);
});

it('refuses a record estimated past message.max.bytes', () => {
  expect(check({ topic: 't', payload: Buffer.alloc(68) }, 100)).toBe(100);
  let error: unknown;
  try {
    check({ topic: 't', payload: Buffer.alloc(69) }, 100);
  } catch (e) {
    error = e;
  }
  expect(hasErrorCode(error, 'MESSAGE_TOO_LARGE')).toBe(true);
});
