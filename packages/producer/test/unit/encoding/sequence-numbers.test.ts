// Claim: sequence numbers move as Kafka moves them — int32, wrapping past 2^31 - 1 to 0 so that a
// batch may straddle the wrap (2^31 - 1 itself is a valid sequence), and moving back across the
// wrap as well; a new producer id or epoch starts every partition at 0.
import { addToSequence, SequenceNumbers } from '../../../src/encoding/sequence-numbers';

const MAX = 2 ** 31 - 1;

it("wraps as Kafka's DefaultRecordBatch.incrementSequence does", () => {
  expect(addToSequence(0, 5)).toBe(5);
  expect(addToSequence(MAX - 10, 10)).toBe(MAX); // lands on the last valid sequence
  expect(addToSequence(MAX - 9, 10)).toBe(0);
  expect(addToSequence(MAX - 3, 10)).toBe(6); // the batch straddles the wrap: 4 records before, 6 after
  expect(addToSequence(6, -10)).toBe(MAX - 3); // and back again (a failed request's numbers given back)
  expect(addToSequence(0, -1)).toBe(MAX);
});

it('keeps one next number per partition, and forgets them all for a new producer id or epoch', () => {
  const numbers = new SequenceNumbers();
  numbers.useIdentity('7', 0);
  numbers.advance('a', 0, 3);
  numbers.advance('a', 1, 2);
  numbers.advance('a', 0, 4);
  expect([numbers.next('a', 0), numbers.next('a', 1), numbers.next('b', 0)]).toEqual([7, 2, 0]);
  numbers.useIdentity('7', 0); // the same identity: kept
  expect(numbers.next('a', 0)).toBe(7);
  numbers.useIdentity('7', 1); // an epoch bump
  expect(numbers.next('a', 0)).toBe(0);
  numbers.advance('a', 0, 1);
  numbers.useIdentity('8', 1); // a new producer id
  expect(numbers.next('a', 0)).toBe(0);
});
