import fc from 'fast-check';
import { MessageRun, PackedChunk, type PackableMessage } from '../../../src/messages/packed-chunk';
import { packMessages, unpackMessages } from '../../../src/messages/message-packer';
import type { FetchedMessage } from '../../../src/messages/fetched-message';

// KafkaJS-shaped: string offsets and timestamps, key/value views into one big fetch response
const response = Buffer.alloc(64 * 1024, 0x61);
let cursor = 0;
const view = (text: string): Buffer => {
  const b = response.subarray(cursor, cursor + Buffer.byteLength(text));
  b.write(text);
  cursor += b.length;
  return b;
};
const kafkaJs = (offset: number, key: string | null, value: string | null, headers: PackableMessage['headers'] = {}): PackableMessage => ({
  offset: String(offset),
  timestamp: String(1_700_000_000_000 + offset),
  key: key === null ? null : view(key),
  value: value === null ? null : view(value),
  headers,
});
const asFetched = (m: PackableMessage): FetchedMessage => ({
  offset: Number(m.offset),
  timestamp: Number(m.timestamp),
  key: m.key ?? null,
  value: m.value,
  headers: m.headers,
  size: (m.key?.length ?? 0) + (m.value?.length ?? 0),
});

// offsets with gaps (compacted topics, transaction markers)
const first = [
  kafkaJs(10, 'k10', 'v10', { trace: 'abc', multi: ['x', Buffer.from('y')], gone: undefined }),
  kafkaJs(11, null, 'v11'),
  kafkaJs(13, 'k13', null),
  kafkaJs(14, '', ''),
];
const second = [kafkaJs(20, 'k20', 'v20'), kafkaJs(21, 'k21', 'v21', { h: 'é' }), kafkaJs(25, null, null)];
const all = [...first, ...second];

test('a run of chunk slices packs byte for byte what packMessages packs of the same messages', () => {
  const a = PackedChunk.pack(first);
  const b = PackedChunk.pack(second);
  const run = new MessageRun([
    { chunk: a, from: 1, to: 4 },
    { chunk: b, from: 0, to: 2 },
  ]);
  const expected = packMessages(all.slice(1, 6).map(asFetched));
  expect(Buffer.from(run.pack()).equals(Buffer.from(expected))).toBe(true);
  const whole = new MessageRun([
    { chunk: a, from: 0, to: 4 },
    { chunk: b, from: 0, to: 3 },
  ]);
  const out = unpackMessages(whole.pack());
  expect(out.map((m) => m.offset)).toEqual([10, 11, 13, 14, 20, 21, 25]);
  expect(out.map((m) => m.timestamp)).toEqual(all.map((m) => Number(m.timestamp)));
  expect(out.map((m) => m.key?.toString() ?? null)).toEqual(['k10', null, 'k13', '', 'k20', 'k21', null]);
  expect(out.map((m) => m.value?.toString() ?? null)).toEqual(['v10', 'v11', null, '', 'v20', 'v21', null]);
  expect(out[0]!.headers).toEqual({ trace: 'abc', multi: ['x', 'y'], gone: '' });
  expect(out[5]!.headers).toEqual({ h: 'é' });
  expect(out[1]!.headers).toEqual({});
});

test('copies the bytes out of the fetch response: the chunk keeps no view into it', () => {
  const fetchResponse = Buffer.alloc(1024 * 1024, 0x61);
  const messages = [0, 1, 2].map((i) => ({ offset: String(i), timestamp: '0', key: fetchResponse.subarray(i * 10, i * 10 + 3), value: fetchResponse.subarray(500 + i * 100, 600 + i * 100) }));
  const chunk = PackedChunk.pack(messages);
  expect(chunk.buffer).not.toBe(fetchResponse.buffer);
  expect(chunk.buffer.byteLength).toBe(3 * 32 + 3 * 103); // not the 1 MiB response
  fetchResponse.fill(0x7a);
  expect(chunk.message(2).value!.toString()).toBe('a'.repeat(100));
  expect(chunk.message(2).key!.toString()).toBe('aaa');
  expect(chunk.payloadBytes).toBe(3 * 103);
  expect(chunk.byteLength).toBe(chunk.buffer.byteLength + (3 + 1) * 4);
});

test('offsets, timestamps and single messages are read from the chunks', () => {
  const run = new MessageRun([
    { chunk: PackedChunk.pack(first), from: 2, to: 4 },
    { chunk: PackedChunk.pack(second), from: 0, to: 3 },
  ]);
  expect(run.length).toBe(5);
  expect([0, 1, 2, 3, 4, 5, -1].map((i) => run.offsetAt(i))).toEqual([13, 14, 20, 21, 25, undefined, undefined]);
  expect(run.at(0)).toEqual({ offset: 13, timestamp: 1_700_000_000_013, key: Buffer.from('k13'), value: null, headers: undefined, size: 3 });
  expect(run.at(-1)?.offset).toBe(25);
  expect(run.at(5)).toBeUndefined();
  expect(run.atOffset(21)?.headers).toEqual({ h: Buffer.from('é') });
  expect(run.atOffset(21)?.value?.toString()).toBe('v21');
  expect(run.atOffset(15)).toBeUndefined(); // a gap
  expect(run.atOffset(10)).toBeUndefined(); // before the run
  expect(run.toArray().map((m) => m.offset)).toEqual([13, 14, 20, 21, 25]);
});

test('from/before cut a run at an offset, gaps included', () => {
  const run = new MessageRun([
    { chunk: PackedChunk.pack(first), from: 0, to: 4 },
    { chunk: PackedChunk.pack(second), from: 0, to: 3 },
  ]);
  const offsets = (r: MessageRun): number[] => r.toArray().map((m) => m.offset);
  expect(offsets(run.from(12))).toEqual([13, 14, 20, 21, 25]);
  expect(offsets(run.from(20))).toEqual([20, 21, 25]);
  expect(offsets(run.before(21))).toEqual([10, 11, 13, 14, 20]);
  expect(offsets(run.before(15))).toEqual([10, 11, 13, 14]);
  expect(run.from(26)).toBe(MessageRun.EMPTY);
  expect(run.before(10).length).toBe(0);
  expect(run.from(0).length).toBe(7);
  // the cut run packs exactly its own messages
  expect(unpackMessages(run.from(14).before(25).pack()).map((m) => m.offset)).toEqual([14, 20, 21]);
  expect(run.from(14).bytes + run.before(14).bytes).toBe(run.bytes);
});

test('the empty run packs an empty batch', () => {
  expect(unpackMessages(MessageRun.EMPTY.pack())).toEqual([]);
  expect(MessageRun.of([]).length).toBe(0);
  expect(MessageRun.EMPTY.at(0)).toBeUndefined();
});

test('positional reads of a run of many slices (a split share, empty slices among them) agree with its messages in order', () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 4 }), { minLength: 1, maxLength: 40 }), fc.array(fc.boolean(), { maxLength: 60 }), (sizes, picks) => {
      let offset = 0;
      const slices = sizes.map((n) => {
        const chunk = PackedChunk.pack(Array.from({ length: Math.max(1, n) }, () => kafkaJs(offset++, 'k', 'v')));
        return { chunk, from: 0, to: n === 0 ? 0 : chunk.count };
      });
      const run = new MessageRun(slices);
      const expected = slices.flatMap((s) => Array.from({ length: s.to - s.from }, (_, i) => s.chunk.offsetAt(s.from + i)));
      expect(Array.from({ length: run.length }, (_, i) => run.offsetAt(i))).toEqual(expected);
      expect(run.offsetAt(run.length)).toBeUndefined();
      expect(run.at(-1)?.offset).toBe(expected[expected.length - 1]);
      // a selection (one slice per picked stretch) reads back the picked offsets
      const positions = expected.map((_, i) => i).filter((i) => picks[i % Math.max(1, picks.length)] ?? true);
      const selected = run.select(positions);
      expect(Array.from({ length: selected.length }, (_, i) => selected.offsetAt(i))).toEqual(positions.map((i) => expected[i]));
    }),
  );
});
