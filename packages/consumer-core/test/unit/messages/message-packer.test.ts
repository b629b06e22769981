import { PackedMessages, packMessages, unpackMessages } from '../../../src/messages/message-packer';
import type { FetchedMessage } from '../../../src/messages/fetched-message';

const msg = (offset: number, key: string | null, value: string | null, headers?: FetchedMessage['headers']): FetchedMessage => ({
  offset,
  timestamp: 1_700_000_000_000 + offset,
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  headers,
  size: (key?.length ?? 0) + (value?.length ?? 0),
});

test('round-trips offsets, timestamps, keys, values, nulls and headers', () => {
  const input = [
    msg(0, 'k0', '{"a":1}', { trace: 'abc', multi: ['x', Buffer.from('y')], gone: undefined }),
    msg(1, null, 'v1'),
    msg(2 ** 40, 'k2', null),
    msg(3, '', ''),
  ];
  const out = unpackMessages(packMessages(input));
  expect(out.map((m) => m.offset)).toEqual([0, 1, 2 ** 40, 3]);
  expect(out.map((m) => m.timestamp)).toEqual(input.map((m) => m.timestamp));
  expect(out.map((m) => m.key?.toString() ?? null)).toEqual(['k0', null, 'k2', '']);
  expect(out.map((m) => m.value?.toString() ?? null)).toEqual(['{"a":1}', 'v1', null, '']);
  expect(out[0]!.headers).toEqual({ trace: 'abc', multi: ['x', 'y'], gone: '' });
  expect(out[1]!.headers).toEqual({});
});

test('copies only the message bytes, not the buffers the views point into', () => {
  const fetchResponse = Buffer.alloc(1024 * 1024, 7); // KafkaJS hands out views into a response like this
  const views = Array.from({ length: 10 }, (_, i) => ({
    offset: i,
    timestamp: 0,
    key: null,
    value: fetchResponse.subarray(i * 10, i * 10 + 10),
    headers: undefined,
    size: 10,
  }));
  const packed = packMessages(views);
  expect(packed.byteLength).toBeLessThan(1024);
  const out = unpackMessages(packed);
  expect(out.every((m) => m.value!.length === 10 && m.value!.every((b) => b === 7))).toBe(true);
  // the unpacked views point into the one transferred buffer
  expect(out.every((m) => m.value!.buffer === packed)).toBe(true);
});

test('an empty job packs to a header only', () => {
  expect(unpackMessages(packMessages([]))).toEqual([]);
});

test('rejects an unknown format version', () => {
  const packed = packMessages([msg(0, 'k', 'v')]);
  new DataView(packed).setUint32(0, 99, true);
  expect(() => unpackMessages(packed)).toThrow('Unknown packed message format version 99');
});

test('PackedMessages reads every message as unpackMessages does, without unpacking the others', () => {
  const input = [
    msg(0, 'k0', '{"a":1}', { trace: 'abc', multi: ['x', Buffer.from('y')], gone: undefined }),
    msg(1, null, 'v1'),
    msg(2 ** 40, 'k2', null, { only: 'one' }),
    msg(3, '', ''),
    msg(4, null, null),
  ];
  const packed = packMessages(input);
  const lazy = new PackedMessages(packed);
  expect(lazy.count).toBe(5);
  expect([4, 2, 0, 3, 1].map((i) => lazy.message(i))).toEqual([4, 2, 0, 3, 1].map((i) => unpackMessages(packed)[i]));
  expect(lazy.value(1)!.buffer).toBe(packed);
  expect(lazy.key(2)?.toString()).toBe('k2');
  expect(lazy.headers(2)).toEqual({ only: 'one' });
  expect(lazy.headers(4)).toEqual({});
  expect([lazy.offset(2), lazy.timestamp(3)]).toEqual([2 ** 40, input[3]!.timestamp]);
  new DataView(packed).setUint32(0, 99, true);
  expect(() => new PackedMessages(packed)).toThrow('Unknown packed message format version 99');
});
