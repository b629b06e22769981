// The commit metadata of a virtual-partitioned partition: which offsets above the committed one
// were already processed (by virtual partitions that ran ahead of a slower one), so that the next
// owner — after a restart, a rebalance, another process — skips them. Written as whichever is
// shorter: ranges (`vp1:<base>:r:<gap>.<length>,…`, base-36) or a bitset from the committed offset
// (`vp1:<base>:b:<base64url>`). Tied to the committed offset it was written with: read back
// against another committed offset (someone moved the group's offset) it describes nothing.
// Never claims an offset that was not processed; a string it cannot read describes nothing.

const PREFIX = 'vp1';

/** Offsets above `base` (ascending, distinct) as the shorter of the two encodings. */
export function encodeProcessedAhead(base: number, offsets: readonly number[]): string {
  const head = `${PREFIX}:${base.toString(36)}`;
  const ranges: string[] = [];
  let previousEnd = base;
  for (let i = 0; i < offsets.length; ) {
    const start = offsets[i]!;
    let j = i + 1;
    while (j < offsets.length && offsets[j] === offsets[j - 1]! + 1) j++;
    ranges.push(`${(start - previousEnd).toString(36)}.${(j - i).toString(36)}`);
    previousEnd = offsets[j - 1]! + 1;
    i = j;
  }
  const asRanges = `${head}:r:${ranges.join(',')}`;
  const span = offsets.length === 0 ? 0 : offsets[offsets.length - 1]! - base + 1;
  // a bitset costs 4/3 of a byte per 8 offsets of the span: cheaper when the span is dense
  if (Math.ceil(span / 6) >= asRanges.length - head.length) return asRanges;
  const bits = Buffer.alloc(Math.ceil(span / 8));
  for (const o of offsets) {
    const at = o - base;
    bits[at >> 3]! |= 1 << (at & 7);
  }
  return `${head}:b:${bits.toString('base64url')}`;
}

/** The processed offsets `metadata` records above `committed`; empty when it is not ours or not for this offset. */
export function decodeProcessedAhead(committed: number | null, metadata: string | null): number[] {
  if (committed === null || metadata === null) return [];
  const parts = metadata.split(':');
  if (parts.length !== 4 || parts[0] !== PREFIX) return [];
  const base = parseInt(parts[1]!, 36);
  if (!Number.isSafeInteger(base) || base !== committed) return [];
  const body = parts[3]!;
  const out: number[] = [];
  if (parts[2] === 'r') {
    let at = base;
    for (const range of body === '' ? [] : body.split(',')) {
      const [gap, length] = range.split('.').map((x) => parseInt(x, 36));
      if (gap === undefined || length === undefined || !Number.isSafeInteger(gap) || !Number.isSafeInteger(length) || gap < 0 || length < 1) return [];
      at += gap;
      for (let k = 0; k < length; k++) out.push(at + k);
      at += length;
    }
    return out;
  }
  if (parts[2] === 'b') {
    const bits = Buffer.from(body, 'base64url');
    for (let i = 0; i < bits.length * 8; i++) if ((bits[i >> 3]! & (1 << (i & 7))) !== 0) out.push(base + i);
    return out;
  }
  return [];
}
