import { Message } from '@decanter/consumer-core';

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
