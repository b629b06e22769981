import { Message } from '@decanter/consumer-core';
import { PackedMessages, packMessages } from '../../../src/messages/message-packer';

const unpacked = { offset: 5, timestamp: 10, key: Buffer.from('k'), value: Buffer.from('{"n":1}'), headers: { h: 'v' } };

test('payload is deserialized lazily and only once', () => {
  const calls: number[] = [];
  const message = new Message<{ n: number }>('t', 0, unpacked, (raw) => {
    calls.push(1);
    return JSON.parse(raw!.toString()) as unknown;
  });
  expect(calls).toHaveLength(0);
  expect(message.payload).toEqual({ n: 1 });
  expect(message.payload).toEqual({ n: 1 });
  expect(calls).toHaveLength(1);
  expect(message.key).toBe('k');
  expect(message.raw!.toString()).toBe('{"n":1}');
  expect(message.headers).toEqual({ h: 'v' });
});

test('a deserializer error surfaces on access, not at construction', () => {
  const message = new Message('t', 0, unpacked, () => {
    throw new Error('bad json');
  });
  expect(() => message.payload).toThrow('bad json');
});

test('a message read from a packed job reads its key, value and headers on first access, once', () => {
  const packed = packMessages([
    { offset: 7, timestamp: 70, key: Buffer.from('a'), value: Buffer.from('{"n":2}'), headers: { h: ['1', '2'] }, size: 8 },
    { offset: 9, timestamp: 90, key: null, value: null, headers: undefined, size: 0 },
  ]);
  const lazy = new PackedMessages(packed);
  const reads: string[] = [];
  for (const name of ['key', 'value', 'headers'] as const) {
    const read = lazy[name].bind(lazy);
    jest.spyOn(lazy, name).mockImplementation(((i: number) => (reads.push(`${name}${i}`), read(i))) as never);
  }
  const [first, second] = [0, 1].map((i) => new Message<{ n: number }>('t', 3, lazy, (raw) => JSON.parse(raw!.toString()) as unknown, i));
  expect([first!.offset, first!.timestamp, second!.offset, second!.timestamp]).toEqual([7, 70, 9, 90]);
  expect(reads).toEqual([]);
  expect(first!.payload).toEqual({ n: 2 });
  expect(first!.raw).toBe(first!.raw);
  expect(first!.key).toBe('a');
  expect(first!.headers).toEqual({ h: ['1', '2'] });
  expect(first!.headers).toBe(first!.headers);
  expect([second!.raw, second!.rawKey, second!.headers]).toEqual([null, null, {}]);
  expect(reads.sort()).toEqual(['headers0', 'headers1', 'key0', 'key1', 'value0', 'value1']);
});
