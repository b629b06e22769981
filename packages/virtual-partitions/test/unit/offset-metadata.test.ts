// The processed-ahead commit metadata: any set of offsets above the committed one round-trips
// through whichever encoding is shorter; metadata written for another committed offset, or not
// written by us, describes nothing (never a message skipped that was not processed).
import fc from 'fast-check';
import { decodeProcessedAhead, encodeProcessedAhead } from '../../src/offset-metadata';

const aheadOf = (base: number) =>
  fc.uniqueArray(fc.integer({ min: 1, max: 5_000 }), { maxLength: 400 }).map((gaps) => [...new Set(gaps.map((g) => base + g))].sort((a, b) => a - b));

test('any processed-ahead set round-trips through the metadata', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 40 }).chain(aheadOf), (base, ahead) => {
      const offsets = ahead.map((o) => o - ahead[0]! + base + 1);
      const rule = 'decode(encode(base, offsets)) gives the offsets back';
      expect({ [rule]: decodeProcessedAhead(base, encodeProcessedAhead(base, offsets)) }).toEqual({ [rule]: offsets });
    }),
    { numRuns: 500 },
  );
});

test('the shorter encoding is chosen: ranges for a few stretches, a bitset for a dense scatter', () => {
  const stretches = encodeProcessedAhead(100, [101, 102, 103, 104, 105, 900, 901]);
  expect({ 'a few stretches are written as ranges': stretches.split(':')[2] }).toEqual({ 'a few stretches are written as ranges': 'r' });
  const scatter = Array.from({ length: 300 }, (_, i) => 101 + i * 2);
  const bits = encodeProcessedAhead(100, scatter);
  expect({ 'every other offset over 600 is written as a bitset': bits.split(':')[2] }).toEqual({ 'every other offset over 600 is written as a bitset': 'b' });
  expect(bits.length).toBeLessThan(encodeProcessedAhead(100, [101]).length + 120);
});

test('metadata of another committed offset, of another writer, or garbled, describes nothing', () => {
  const written = encodeProcessedAhead(100, [102, 103]);
  const rule = 'nothing is taken as processed';
  expect({ [rule]: [decodeProcessedAhead(101, written), decodeProcessedAhead(100, 'other-writer'), decodeProcessedAhead(100, 'vp1:2s:r:-.!'), decodeProcessedAhead(null, written), decodeProcessedAhead(100, null)] }).toEqual({
    [rule]: [[], [], [], [], []],
  });
});
