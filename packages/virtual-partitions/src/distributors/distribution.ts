// How a batch's messages are grouped into virtual partitions:
//   consistent — the reducer decides: a key always lands on the same virtual partition (and its
//                consumer instance), so per-key order holds across batches; shares may be uneven.
//   balanced   — keys are grouped, and the groups go largest first to the least-loaded virtual
//                partition, then are moved or swapped out of the largest share while that evens
//                it: shares are as even as the keys allow, per-key order holds within a batch
//                (and across batches, as a partition's polls run one after the other), but a key
//                may move to another instance from one batch to the next.
// Either way messages keep their offset order inside a virtual partition.
import type { VirtualKey } from './partitioners';
import type { Reducer } from './reducers';

export type Distribution = 'consistent' | 'balanced';

/** One virtual partition of a batch: its index (the instance that runs it) and the positions of its messages in the batch. */
export interface Share {
  readonly index: number;
  readonly positions: number[];
}

/** Groups messages (by their virtual keys, in batch order) into at most `count` shares. */
export function distribute(keys: readonly VirtualKey[], count: number, reducer: Reducer, distribution: Distribution): Share[] {
  if (distribution === 'consistent') {
    const byIndex = new Map<number, number[]>();
    keys.forEach((key, position) => {
      const raw = reducer(key, count);
      const index = Number.isInteger(raw) ? ((raw % count) + count) % count : 0;
      let list = byIndex.get(index);
      if (list === undefined) byIndex.set(index, (list = []));
      list.push(position);
    });
    return [...byIndex].sort(([a], [b]) => a - b).map(([index, positions]) => ({ index, positions }));
  }
  const groups = new Map<string, number[]>();
  keys.forEach((key, position) => {
    const id = key == null ? '\u0000' : Buffer.isBuffer(key) ? `b:${key.toString('hex')}` : `${typeof key}:${String(key)}`;
    let list = groups.get(id);
    if (list === undefined) groups.set(id, (list = []));
    list.push(position);
  });
  return balance([...groups.values()], Math.min(count, groups.size)).map((bin, index) => ({ index, positions: bin.groups.flat().sort((a, b) => a - b) }));
}

interface Bin {
  load: number;
  groups: number[][];
}

/**
 * Key groups into `count` bins, the largest share as small as the groups allow. Largest first to
 * the least loaded (LPT) alone leaves a batch of near-equal groups (100 keys of ~100 messages over
 * 16) split 6 and 7 groups a bin, ~9% above the mean; then moves and swaps of groups out of the
 * heaviest bin, each one lowering the pair's larger load, take it to ~2%. Every step lowers the
 * sum of squared loads, so it ends. It runs on the main thread for every poll: a budget of pairs
 * looked at bounds it (a batch of many small groups is even after LPT already).
 */
function balance(groups: number[][], count: number): Bin[] {
  const bins: Bin[] = Array.from({ length: count }, () => ({ load: 0, groups: [] }));
  for (const group of groups.sort((a, b) => b.length - a.length)) {
    let least = bins[0]!;
    for (const bin of bins) if (bin.load < least.load) least = bin;
    least.groups.push(group);
    least.load += group.length;
  }
  const budget = { left: REFINE_BUDGET };
  for (let step = 0; step < 4 * groups.length && improve(bins, budget); step++);
  return bins;
}

/** Pairs of groups the refinement of one batch may compare (a few ms at most). */
const REFINE_BUDGET = 200_000;

/** One move or swap of a group out of the heaviest bin that lowers its load below where it was; false when none does or the budget is spent. */
function improve(bins: Bin[], budget: { left: number }): boolean {
  let heavy = bins[0]!;
  for (const bin of bins) if (bin.load > heavy.load) heavy = bin;
  // the best step: group i of the heavy bin to `other`, in exchange for its group j (-1: a move)
  let best: { gain: number; other: Bin; i: number; j: number } | null = null;
  for (const other of bins) {
    const gap = heavy.load - other.load;
    if (other === heavy || gap < 2) continue;
    budget.left -= heavy.groups.length * (other.groups.length + 1);
    if (budget.left < 0) break;
    // d messages from heavy to other help when 0 < d < gap; the pair's larger load falls by min(d, gap − d)
    for (let i = 0; i < heavy.groups.length; i++) {
      const size = heavy.groups[i]!.length;
      for (let j = -1; j < other.groups.length; j++) {
        const d = j < 0 ? size : size - other.groups[j]!.length;
        if (d <= 0 || d >= gap) continue;
        const gain = Math.min(d, gap - d);
        if (best === null || gain > best.gain) best = { gain, other, i, j };
      }
    }
  }
  if (best === null) return false;
  const { other, i, j } = best;
  const moved = heavy.groups[i]!;
  if (j < 0) heavy.groups.splice(i, 1);
  else heavy.groups[i] = other.groups[j]!;
  const back = j < 0 ? 0 : other.groups[j]!.length;
  if (j < 0) other.groups.push(moved);
  else other.groups[j] = moved;
  heavy.load += back - moved.length;
  other.load += moved.length - back;
  return true;
}

/** Largest share ÷ mean share (1 = perfectly even). */
export function skewOf(shares: readonly Share[]): number {
  if (shares.length === 0) return 1;
  const total = shares.reduce((s, x) => s + x.positions.length, 0);
  const largest = Math.max(...shares.map((x) => x.positions.length));
  return largest / (total / shares.length);
}
