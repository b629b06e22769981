// Reducers: a virtual key to the index of its virtual partition. The default is a stable hash
// (FNV-1a, 32 bits) of the key's bytes, so a key lands on the same virtual partition in every
// process and across restarts, whatever else the batch holds.
import type { VirtualKey } from './partitioners';

/** Maps a virtual key to a virtual partition index in [0, count). */
export type Reducer = (key: VirtualKey, count: number) => number;

/** FNV-1a over the key's UTF-8 bytes (a number as its decimal text; no key as the empty key). */
export function stableHash(key: VirtualKey): number {
  const bytes = key == null ? EMPTY : Buffer.isBuffer(key) ? key : Buffer.from(String(key), 'utf8');
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const EMPTY = Buffer.alloc(0);

export const hashReducer: Reducer = (key, count) => (typeof key === 'number' && Number.isInteger(key) ? Math.abs(key) % count : stableHash(key) % count);
