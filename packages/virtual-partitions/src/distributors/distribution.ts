// How a batch's messages are grouped into virtual partitions:
//   consistent — the reducer decides: a key always lands on the same virtual partition (and its
//                consumer instance), so per-key order holds across batches; shares may be uneven.
//   balanced   — keys are grouped, and the groups go largest first to the least-loaded virtual
//                partition: shares are as even as the keys allow, per-key order holds within a
//                batch, but a key may move to another instance from one batch to the next.
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
  const loads = Array.from({ length: Math.min(count, groups.size) }, () => [] as number[]);
  for (const group of [...groups.values()].sort((a, b) => b.length - a.length)) {
    let least = 0;
    for (let i = 1; i < loads.length; i++) if (loads[i]!.length < loads[least]!.length) least = i;
    loads[least]!.push(...group);
  }
  return loads.map((positions, index) => ({ index, positions: positions.sort((a, b) => a - b) }));
}

/** Largest share ÷ mean share (1 = perfectly even). */
export function skewOf(shares: readonly Share[]): number {
  if (shares.length === 0) return 1;
  const total = shares.reduce((s, x) => s + x.positions.length, 0);
  const largest = Math.max(...shares.map((x) => x.positions.length));
  return largest / (total / shares.length);
}
