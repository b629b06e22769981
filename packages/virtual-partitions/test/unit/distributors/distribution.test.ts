// How a batch is split: consistent keeps each key on one virtual partition whatever else the
// batch holds; balanced gives key groups, largest first, to the least-loaded virtual partition
// and then evens the largest share by moves and swaps;
// both keep offset order inside a share; the skew is largest share ÷ mean share.
import { distribute, skewOf } from '../../../src/distributors/distribution';
import { hashReducer, stableHash } from '../../../src/distributors/reducers';

test('consistent: a key lands on the same virtual partition in any batch, in order', () => {
  const first = distribute(['a', 'b', 'c', 'a', 'd', 'a'], 4, hashReducer, 'consistent');
  const second = distribute(['z', 'a', 'y', 'a'], 4, hashReducer, 'consistent');
  const indexOf = (shares: ReturnType<typeof distribute>, position: number): number => shares.find((s) => s.positions.includes(position))!.index;
  const rule = "key 'a' is on one virtual partition in both batches";
  expect({ [rule]: indexOf(first, 0) === indexOf(second, 1) && indexOf(first, 3) === indexOf(first, 0) }).toEqual({ [rule]: true });
  for (const share of first) expect(share.positions).toEqual([...share.positions].sort((x, y) => x - y));
  expect(indexOf(first, 0)).toBe(stableHash('a') % 4);
});

test('balanced: key groups go largest first to the least-loaded virtual partition', () => {
  const keys = ['a', 'a', 'a', 'a', 'b', 'b', 'c', 'c', 'd'];
  const shares = distribute(keys, 2, hashReducer, 'balanced');
  const rule = 'shares of 4+1 and 2+2 (a, then b and c to the lighter one, d to the lighter)';
  expect({ [rule]: shares.map((s) => s.positions.map((p) => keys[p]).join('')) }).toEqual({ [rule]: ['aaaad', 'bbcc'] });
  expect(skewOf(shares)).toBeCloseTo(5 / 4.5);
});

test('balanced: near-equal key groups are evened out past largest-first (100 keys over 16 shares)', () => {
  // ~100 messages for each of 100 keys, sizes 80..120 from a fixed sequence: largest-first alone
  // gives 12 shares of 6 keys and 4 of 7 (~9% above the mean); moves and swaps bring it near 1
  const sizes = Array.from({ length: 100 }, (_, k) => 80 + ((k * 37) % 41));
  const keys = sizes.flatMap((n, k) => Array.from({ length: n }, () => `key-${k}`));
  const shares = distribute(keys, 16, hashReducer, 'balanced');
  const keyShares = new Map<string, Set<number>>();
  for (const share of shares) for (const p of share.positions) keyShares.set(keys[p]!, (keyShares.get(keys[p]!) ?? new Set()).add(share.index));
  const rule = 'every message placed once, each key whole on one share, offsets ascending, skew under 1.03';
  expect({
    [rule]: {
      placed: shares.flatMap((s) => s.positions).sort((a, b) => a - b).join() === keys.map((_, i) => i).join(),
      keysWhole: [...keyShares.values()].every((set) => set.size === 1),
      ascending: shares.every((s) => s.positions.every((p, i) => i === 0 || p > s.positions[i - 1]!)),
      skewUnder: skewOf(shares) < 1.03,
    },
  }).toEqual({ [rule]: { placed: true, keysWhole: true, ascending: true, skewUnder: true } });
});

test('no more shares than keys, nor than the maximum', () => {
  expect(distribute(['a', 'a'], 8, hashReducer, 'balanced')).toHaveLength(1);
  expect(distribute(Array.from({ length: 100 }, (_, i) => i), 4, hashReducer, 'consistent').length).toBeLessThanOrEqual(4);
});

test("a reducer's index outside the range is folded back into it", () => {
  const shares = distribute(['x', 'y'], 3, () => -7, 'consistent');
  expect(shares.map((s) => s.index)).toEqual([2]);
});
